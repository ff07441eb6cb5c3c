package roomscli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/lively-actor/lively/store"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1 // room not found, store or file errors
	ExitUsage   = 2
)

const usage = `Usage: lively-actor rooms <command> [arguments]

Commands:
  list               List stored rooms, most recently updated first.
  inspect <id>       Print a room's storage tree and what is pending.
  clear [<id>]       Delete one room, or every room (asks first; -y, --yes to skip).
  export <id>        Print a room as JSON (storage root, Yjs as base64).
  import <dir>       Import a reference Lively data directory (.lively or .lively/rooms).

Use -- before a room id that starts with "-".
`

// Env is what a command run talks to.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Open opens the store; Run closes it before returning. It is not called
	// for a command line with usage errors.
	Open func(ctx context.Context) (store.Store, error)
	// Now is the clock relative times are computed from. Zero value:
	// time.Now.
	Now func() time.Time
}

// Main runs the rooms command described by args (the arguments after
// "rooms": the subcommand first) and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer,
	open func(ctx context.Context) (store.Store, error)) int {
	return Run(ctx, args, Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Open: open, Now: time.Now})
}

// Run is Main with an Env.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	run, err := parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "%v\nRun \"lively-actor rooms --help\" for usage.\n", err)
		return ExitUsage
	}
	st, err := env.Open(ctx)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return ExitFailure
	}
	err = run(ctx, st, &env)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("error: %w", cerr)
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitFailure
	}
	return ExitOK
}

// runFunc is a parsed command, ready to run against an open store.
type runFunc func(ctx context.Context, st store.Store, env *Env) error

// parse turns the command line into a runFunc, or a usage error.
func parse(args []string) (runFunc, error) {
	if len(args) == 0 {
		return nil, usageError("missing command")
	}
	name, rest := args[0], args[1:]
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	switch name {
	case "-h", "--help", "help":
		return nil, flag.ErrHelp
	case "list":
		if _, err := positional(fs, rest, 0, 0); err != nil {
			return nil, err
		}
		return runList, nil
	case "inspect", "export":
		pos, err := positional(fs, rest, 1, 1)
		if err != nil {
			return nil, err
		}
		if name == "inspect" {
			return func(ctx context.Context, st store.Store, env *Env) error {
				return runInspect(ctx, st, env, pos[0])
			}, nil
		}
		return func(ctx context.Context, st store.Store, env *Env) error {
			return runExport(ctx, st, env, pos[0])
		}, nil
	case "clear":
		var yes bool
		fs.BoolVar(&yes, "yes", false, "do not ask")
		fs.BoolVar(&yes, "y", false, "do not ask")
		pos, err := positional(fs, rest, 0, 1)
		if err != nil {
			return nil, err
		}
		if len(pos) == 1 {
			return func(ctx context.Context, st store.Store, env *Env) error {
				return runClearOne(ctx, st, env, pos[0])
			}, nil
		}
		return func(ctx context.Context, st store.Store, env *Env) error {
			return runClearAll(ctx, st, env, yes)
		}, nil
	case "import":
		pos, err := positional(fs, rest, 1, 1)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, st store.Store, env *Env) error {
			return runImport(ctx, st, env, pos[0])
		}, nil
	default:
		return nil, usageError("unknown command %q", name)
	}
}

// positional parses flags anywhere in args ("--" ends them) and returns the
// positional arguments, of which there must be between lo and hi.
func positional(fs *flag.FlagSet, args []string, lo, hi int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < lo:
		return nil, usageError("%s: missing argument", fs.Name())
	case len(pos) > hi:
		return nil, usageError("%s: too many arguments", fs.Name())
	}
	return pos, nil
}

// cliError is an error whose text is shown to the user as is.
type cliError struct {
	kind error
	text string
}

func (e *cliError) Error() string { return e.text }
func (e *cliError) Unwrap() error { return e.kind }

func usageError(format string, args ...any) error {
	return &cliError{kind: ErrUsage, text: "error: " + fmt.Sprintf(format, args...)}
}

func notFound(id string) error {
	return &cliError{kind: ErrRoomNotFound, text: "Room " + quoteID(id) + " not found."}
}

// storeError reports a store failure.
func storeError(err error) error { return fmt.Errorf("error: %w", err) }
