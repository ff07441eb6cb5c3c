package roomscli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lively-actor/lively/internal/roomstate"
	"github.com/lively-actor/lively/store"
)

// roomView is what inspect and export show of a room: the documents as a
// joining client gets them — the stored snapshot with the changes appended
// after it replayed, as the server does when it loads the room — and the
// pending changes themselves.
type roomView struct {
	// whole is the latest whole storage document as stored: the
	// snapshot's, or that of the last pending storage-init change, which
	// replaces it.
	whole []byte
	// initSeq is the Seq of the storage-init change whole comes from; 0
	// when it comes from the snapshot.
	initSeq uint64
	// replaced counts pending storage changes superseded by that init.
	replaced int
	// unfolded are the pending changes not reflected in whole or the Yjs
	// snapshot, in Seq order.
	unfolded []store.StoredChange

	// storage is the storage document to show: whole with the pending ops
	// after it replayed when there were any (and whole loaded), else whole
	// exactly as stored (which shows malformed nodes as they are).
	storage []byte
	// storageOps counts the pending storage-ops changes replayed.
	storageOps int
	// yjs is the Yjs document: the snapshot with the pending updates
	// replayed when there were any, else the snapshot as stored.
	yjs []byte
	// yjsUpdates counts the pending Yjs updates replayed.
	yjsUpdates int
	// problems are the stored pieces the replay skipped.
	problems []roomstate.Problem
}

func viewOf(r *store.Room) roomView {
	v := roomView{whole: r.Snapshot.Storage, yjs: r.Snapshot.Yjs}
	last := -1
	for i, c := range r.Changes {
		if c.Kind == store.KindStorageInit {
			last = i
		}
	}
	if last >= 0 {
		v.whole, v.initSeq = r.Changes[last].Data, r.Changes[last].Seq
	}
	for i, c := range r.Changes {
		switch {
		case i == last:
		case i < last && c.Kind.IsStorage():
			v.replaced++
		default:
			v.unfolded = append(v.unfolded, c)
		}
	}
	v.storage = v.whole

	rb := roomstate.Rebuild(r)
	v.problems, v.storageOps, v.yjsUpdates = rb.Problems, rb.StorageOps, rb.YjsUpdates
	if v.storageOps > 0 {
		v.storage = rb.Storage.AppendJSON(nil)
	}
	if v.yjsUpdates > 0 {
		if y, err := rb.YDoc.EncodeStateAsUpdate(nil); err == nil {
			v.yjs = y
		}
	}
	return v
}

func loadRoom(ctx context.Context, st store.Store, id string) (*store.Room, error) {
	r, err := st.Load(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return r, nil
}

// runInspect prints a room: header, storage tree, Yjs and pending changes.
func runInspect(ctx context.Context, st store.Store, env *Env, id string) error {
	r, err := loadRoom(ctx, st, id)
	if err != nil {
		return err
	}
	v := viewOf(r)
	var b strings.Builder
	fmt.Fprintf(&b, "Room: %s\n", displayText(r.ID))
	fmt.Fprintf(&b, "Updated: %s (%s)\n", r.UpdatedAt.UTC().Format(time.RFC3339), relTime(env.Now(), r.UpdatedAt))
	if r.Snapshot.Seq == 0 && r.Snapshot.Storage == nil && r.Snapshot.Yjs == nil {
		b.WriteString("Snapshot: none\n")
	} else {
		fmt.Fprintf(&b, "Snapshot: seq %d, storage %s, yjs %s\n", r.Snapshot.Seq,
			sizeOrNone(r.Snapshot.Storage), sizeOrNone(r.Snapshot.Yjs))
	}

	b.WriteString("\n")
	from := "the snapshot"
	if v.initSeq != 0 {
		from = fmt.Sprintf("pending storage-init #%d", v.initSeq)
	}
	switch {
	case v.storage == nil:
		b.WriteString("Storage: none\n")
	case v.storageOps > 0:
		fmt.Fprintf(&b, "Storage (%s, with %s replayed):\n", from, plural(v.storageOps, "pending storage change"))
		writeTree(&b, v.storage, 0)
	case v.initSeq != 0:
		fmt.Fprintf(&b, "Storage (from %s):\n", from)
		writeTree(&b, v.storage, 0)
	default:
		b.WriteString("Storage:\n")
		writeTree(&b, v.storage, 0)
	}
	switch {
	case v.yjs == nil:
		b.WriteString("\nYjs: none\n")
	case v.yjsUpdates > 0:
		fmt.Fprintf(&b, "\nYjs: %s document (with %s replayed)\n", formatSize(int64(len(v.yjs))), plural(v.yjsUpdates, "pending update"))
	default:
		fmt.Fprintf(&b, "\nYjs: %s document\n", formatSize(int64(len(v.yjs))))
	}

	b.WriteString("\n")
	if v.replaced > 0 {
		fmt.Fprintf(&b, "%s before storage-init #%d %s replaced by it.\n",
			plural(v.replaced, "pending storage change"), v.initSeq, isAre(v.replaced))
	}
	if len(v.unfolded) == 0 {
		b.WriteString("No pending changes.\n")
	} else {
		fmt.Fprintf(&b, "%s since the snapshot (replayed above; the next snapshot folds them in):\n",
			plural(len(v.unfolded), "pending change"))
		for _, c := range v.unfolded {
			line := fmt.Sprintf("  #%-6d %-13s %-9s %s", c.Seq, c.Kind, formatSize(int64(len(c.Data))), describeChange(c))
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	if len(v.problems) > 0 {
		fmt.Fprintf(&b, "\n%s skipped by the replay (the server skips them too):\n", plural(len(v.problems), "invalid piece"))
		for _, p := range v.problems {
			what := p.What
			if p.Seq != 0 {
				what = fmt.Sprintf("#%d %s", p.Seq, p.What)
			}
			fmt.Fprintf(&b, "  %s: %v\n", what, p.Err)
		}
	}
	_, err = fmt.Fprint(env.Stdout, b.String())
	return err
}

func sizeOrNone(b []byte) string {
	if b == nil {
		return "none"
	}
	return formatSize(int64(len(b)))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// maxOpTypes is how many op types a pending change line lists.
const maxOpTypes = 6

// describeChange summarises a pending change: the op types of a storage
// batch, the root type of a storage init.
func describeChange(c store.StoredChange) string {
	switch c.Kind {
	case store.KindStorage:
		var ops []struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(c.Data, &ops); err != nil {
			return "(not a JSON array of ops)"
		}
		types := make([]string, 0, min(len(ops), maxOpTypes))
		for i, op := range ops {
			if i == maxOpTypes {
				types = append(types, "…")
				break
			}
			types = append(types, displayText(op.Type))
		}
		return plural(len(ops), "op") + ": " + strings.Join(types, ", ")
	case store.KindStorageInit:
		if t := crdtType(c.Data); t != "" {
			return t
		}
		return "(not a storage document)"
	case store.KindYjs:
		return "update"
	default:
		return ""
	}
}

// crdtType returns "LiveObject", "LiveMap" or "LiveList" when raw is a
// serialized CRDT node, else "".
func crdtType(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return ""
	}
	var head struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &head) != nil {
		return ""
	}
	switch head.Type {
	case "LiveObject", "LiveMap", "LiveList":
		return head.Type
	}
	return ""
}

// entry is one key of a JSON object, in document order.
type entry struct {
	key string
	val json.RawMessage
}

// objectEntries returns the members of a JSON object in document order.
func objectEntries(raw []byte) ([]entry, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not an object")
	}
	var out []entry
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // object keys are always strings
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		out = append(out, entry{key, val})
	}
	return out, nil
}

// writeTree prints a serialized CRDT node at indent, with its contents:
// nested nodes under "key:" four columns further in, other values as JSON.
func writeTree(b *strings.Builder, raw []byte, indent int) {
	pad := strings.Repeat(" ", indent)
	typ := crdtType(raw)
	var (
		children []entry
		err      error
	)
	switch typ {
	case "LiveObject", "LiveMap":
		field := "data"
		if typ == "LiveMap" {
			field = "entries"
		}
		children, err = memberEntries(raw, field)
	case "LiveList":
		children, err = listEntries(raw)
	default:
		fmt.Fprintf(b, "%s(not a Lively storage node) %s\n", pad, compactJSON(raw))
		return
	}
	if err != nil {
		fmt.Fprintf(b, "%s%s (malformed: %v) %s\n", pad, typ, err, compactJSON(raw))
		return
	}
	open, closing := " {", "}"
	if typ == "LiveList" {
		open, closing = " [", "]"
	}
	if len(children) == 0 {
		fmt.Fprintf(b, "%s%s%s%s\n", pad, typ, open, closing)
		return
	}
	fmt.Fprintf(b, "%s%s%s\n", pad, typ, open)
	for _, c := range children {
		if crdtType(c.val) != "" {
			fmt.Fprintf(b, "%s  %s:\n", pad, c.key)
			writeTree(b, c.val, indent+4)
		} else {
			fmt.Fprintf(b, "%s  %s: %s\n", pad, c.key, compactJSON(c.val))
		}
	}
	fmt.Fprintf(b, "%s%s\n", pad, closing)
}

// memberEntries returns the members of raw's object field, keys made
// displayable.
func memberEntries(raw []byte, field string) ([]entry, error) {
	top, err := objectEntries(raw)
	if err != nil {
		return nil, err
	}
	for _, e := range top {
		if e.key != field {
			continue
		}
		if string(e.val) == "null" {
			return nil, nil
		}
		members, err := objectEntries(e.val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		for i := range members {
			members[i].key = displayText(members[i].key)
		}
		return members, nil
	}
	return nil, fmt.Errorf("no %q", field)
}

// listEntries returns a LiveList's items keyed "[index] @position".
func listEntries(raw []byte) ([]entry, error) {
	var list struct {
		Items *[]struct {
			Position string          `json:"position"`
			Value    json.RawMessage `json:"value"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	if list.Items == nil {
		return nil, errors.New(`no "items"`)
	}
	out := make([]entry, len(*list.Items))
	for i, it := range *list.Items {
		val := it.Value
		if val == nil {
			val = json.RawMessage("null")
		}
		out[i] = entry{key: fmt.Sprintf("[%d] @%s", i, displayText(it.Position)), val: val}
	}
	return out, nil
}

// compactJSON returns raw without insignificant spaces (escapes kept as
// they are; nothing is HTML-escaped).
func compactJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return displayText(string(raw))
	}
	return b.String()
}
