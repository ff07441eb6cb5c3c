package roomscli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lively-actor/lively/store"
)

// exportDoc is the JSON runExport prints; keys in this order.
type exportDoc struct {
	ID        string `json:"id"`
	UpdatedAt int64  `json:"updatedAt"` // Unix milliseconds
	// Storage is the storage root, null when there is none.
	Storage json.RawMessage `json:"storage"`
	// Yjs is the Yjs document as one update in standard base64, null when
	// none.
	Yjs *string `json:"yjs"`
	// PendingChanges counts the stored changes after the snapshot; they are
	// replayed into Storage and Yjs (see roomView).
	PendingChanges int `json:"pendingChanges"`
}

// runExport prints a room as indented JSON: its documents as a joining
// client gets them (see roomView). Stored pieces the replay had to skip are
// reported on stderr.
func runExport(ctx context.Context, st store.Store, env *Env, id string) error {
	r, err := loadRoom(ctx, st, id)
	if err != nil {
		return err
	}
	v := viewOf(r)
	doc := exportDoc{
		ID:             r.ID,
		UpdatedAt:      r.UpdatedAt.UnixMilli(),
		PendingChanges: len(v.unfolded),
	}
	if v.storage != nil {
		if !json.Valid(v.storage) {
			return errors.New("error: the stored storage root is not valid JSON")
		}
		doc.Storage = v.storage
	}
	if v.yjs != nil {
		s := base64.StdEncoding.EncodeToString(v.yjs)
		doc.Yjs = &s
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("error: %w", err)
	}
	if n := len(v.problems); n > 0 {
		fmt.Fprintf(env.Stderr, "warning: %s skipped (the server skips them too; rooms inspect lists them)\n",
			plural(n, "invalid stored piece"))
	}
	return nil
}
