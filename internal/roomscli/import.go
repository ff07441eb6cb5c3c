package roomscli

import (
	"context"
	"fmt"
	"strings"

	"github.com/lively-actor/lively/store"
)

// runImport imports a reference Lively data directory and prints one line per
// room (failures on stderr) and a summary.
func runImport(ctx context.Context, st store.Store, env *Env, dir string) error {
	rooms, err := store.ImportLivelyDir(ctx, st, dir)
	var b strings.Builder
	var imported, replaced, failed int
	for _, r := range rooms {
		if r.Err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "Failed   %s: %v\n", quoteID(r.ID), r.Err)
			continue
		}
		verb := "Imported"
		if r.Replaced {
			verb = "Replaced"
			replaced++
		}
		imported++
		fmt.Fprintf(&b, "%s %s (%s, %s)\n", verb, quoteID(r.ID), kindLabel(r.HasStorage, r.HasYjs), formatSize(r.SizeBytes))
	}
	fmt.Fprint(env.Stdout, b.String())
	if err != nil {
		return storeError(err)
	}
	if len(rooms) == 0 {
		fmt.Fprintf(env.Stdout, "No rooms found in %s.\n", dir)
		return nil
	}
	fmt.Fprintf(env.Stdout, "\n%s imported (%d replaced), %d failed.\n", plural(imported, "room"), replaced, failed)
	if failed > 0 {
		return &cliError{kind: ErrImportFailed, text: fmt.Sprintf("error: %s could not be imported", plural(failed, "room"))}
	}
	return nil
}
