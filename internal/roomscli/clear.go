package roomscli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lively-actor/lively/store"
)

// runClearOne deletes one room.
func runClearOne(ctx context.Context, st store.Store, env *Env, id string) error {
	err := st.Delete(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(id)
	}
	if err != nil {
		return storeError(err)
	}
	fmt.Fprintf(env.Stdout, "Cleared room %s.\n", quoteID(id))
	return nil
}

// runClearAll deletes every room, after asking unless yes.
func runClearAll(ctx context.Context, st store.Store, env *Env, yes bool) error {
	if !yes {
		fmt.Fprint(env.Stdout, "Clear all rooms? [y/N] ")
		answer, err := readLine(env.Stdin)
		if err != nil {
			return fmt.Errorf("error: reading the answer: %w", err)
		}
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(env.Stdout, "Cancelled.")
			return nil
		}
	}
	n, err := st.DeleteAll(ctx)
	if err != nil {
		return storeError(err)
	}
	fmt.Fprintf(env.Stdout, "All rooms cleared (%d).\n", n)
	return nil
}

// maxAnswer bounds the answer line read from stdin.
const maxAnswer = 1024

// readLine reads up to a newline or EOF, one byte at a time so that nothing
// after the line is consumed. EOF is an empty answer.
func readLine(r io.Reader) (string, error) {
	if r == nil {
		return "", nil
	}
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < maxAnswer {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return b.String(), nil
}
