package roomscli

import (
	"context"
	"fmt"
	"strings"

	"github.com/lively-actor/lively/store"
)

// Column widths after the id column; as the reference CLI, plus a kind column.
const (
	kindWidth    = 13 // "storage+yjs" + 2
	updatedWidth = 14
	sizeWidth    = 10
)

// runList prints every room as an aligned table:
//
//	Room      Kind         Updated       Size
//	──────────────────────────────────────────────
//	my-room   storage      5s ago        1.2 KB
//
//	1 room
func runList(ctx context.Context, st store.Store, env *Env) error {
	rooms, err := st.List(ctx)
	if err != nil {
		return storeError(err)
	}
	if len(rooms) == 0 {
		fmt.Fprintln(env.Stdout, "No rooms found.")
		return nil
	}
	idWidth := 8
	for _, r := range rooms {
		idWidth = max(idWidth, textWidth(displayText(r.ID)))
	}
	idWidth += 2
	now := env.Now()
	var b strings.Builder
	b.WriteString(padRight("Room", idWidth) + padRight("Kind", kindWidth) + padRight("Updated", updatedWidth) + "Size\n")
	b.WriteString(strings.Repeat("─", idWidth+kindWidth+updatedWidth+sizeWidth) + "\n")
	for _, r := range rooms {
		b.WriteString(padRight(displayText(r.ID), idWidth))
		b.WriteString(padRight(kindLabel(r.HasStorage, r.HasYjs), kindWidth))
		b.WriteString(padRight(relTime(now, r.UpdatedAt), updatedWidth))
		b.WriteString(formatSize(r.SizeBytes) + "\n")
	}
	if len(rooms) == 1 {
		b.WriteString("\n1 room\n")
	} else {
		fmt.Fprintf(&b, "\n%d rooms\n", len(rooms))
	}
	_, err = fmt.Fprint(env.Stdout, b.String())
	return err
}
