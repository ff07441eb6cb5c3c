package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lively-actor/lively/bench"
	"github.com/lively-actor/lively/internal/roomscli"
	"github.com/lively-actor/lively/store"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

const usage = `Usage:
  lively-actor [serve] [flags]          run the server (default :1999, persistent in ./.lively-actor)
  lively-actor rooms <command> [flags]  list | inspect <id> | clear [<id>] | export <id> | import <dir>
  lively-actor bench <scenario> --url ws://127.0.0.1:1999 [flags]
                                        load-test a server: idle | fanout | storage | joinstorm | yjs | relay
  lively-actor help                     this text

Run "lively-actor serve -h", "lively-actor rooms -h" or "lively-actor bench --help" for their flags.
`

// Run executes the command line args (without the program name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "rooms":
		return rooms(ctx, args, stdin, stdout, stderr)
	case "bench":
		return bench.Main(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	default:
		fmt.Fprintf(stderr, "lively-actor: unknown command %q\n\n%s", cmd, usage)
		return ExitUsage
	}
}

// storeFlags are the persistence flags shared by serve and rooms.
type storeFlags struct {
	memory      bool
	dataDir     string
	databaseURL string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&s.memory, "memory", false, "keep everything in memory (nothing persists)")
	fs.StringVar(&s.dataDir, "data-dir", store.DefaultDataDir, "directory of the embedded database (lively.db)")
	fs.StringVar(&s.databaseURL, "database-url", "", "PostgreSQL URL (postgres://…) instead of the embedded database")
}

func (s *storeFlags) open(ctx context.Context) (store.Store, error) {
	return store.Open(ctx, store.Options{Memory: s.memory, DataDir: s.dataDir, DatabaseURL: s.databaseURL})
}

// parse parses args and then fills every flag not given on the command line
// from LIVELY_<FLAG> in the environment.
func parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := "LIVELY_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, e)
			}
		}
	})
	return err
}

func rooms(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// The store flags may sit anywhere among the rooms arguments; the rest
	// (subcommand, ids, --yes) goes to the rooms command.
	fs := flag.NewFlagSet("lively-actor rooms", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	var mine, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			name = name[:eq]
		}
		switch {
		case !strings.HasPrefix(a, "-") || fs.Lookup(name) == nil:
			rest = append(rest, a)
		case name == "memory" || strings.Contains(a, "="):
			mine = append(mine, a)
		case i+1 < len(args):
			mine = append(mine, a, args[i+1])
			i++
		default:
			mine = append(mine, a)
		}
	}
	if err := parse(fs, mine, os.Getenv); err != nil {
		return ExitUsage
	}
	return roomscli.Main(ctx, rest, stdin, stdout, stderr, sf.open)
}
