package yjs

import "fmt"

// TableOpKind says what a TableOp does.
type TableOpKind uint8

// Table operations. The read kinds never change the document.
const (
	OpListRows  TableOpKind = iota + 1 // the live rows of Table, as a JSON array
	OpGetRow                           // the row Key of Table; ErrNotFound if absent
	OpUpsertRow                        // write Value (an object) as row Key of Table
	OpUpdateRow                        // shallow-merge Value (an object) into row Key; ErrNotFound if absent
	OpDeleteRow                        // delete row Key; ErrNotFound if absent
	OpListKV                           // the live settings as one JSON object {key: value}
	OpGetKey                           // the setting Key; ErrNotFound if absent
	OpSetKey                           // write Value as setting Key
	OpDeleteKey                        // delete setting Key; ErrNotFound if absent
)

var tableOpNames = [...]string{"", "list-rows", "get-row", "upsert-row", "update-row", "delete-row",
	"list-kv", "get-key", "set-key", "delete-key"}

// String returns the kind's name ("upsert-row").
func (k TableOpKind) String() string {
	if int(k) < len(tableOpNames) && k != 0 {
		return tableOpNames[k]
	}
	return fmt.Sprintf("TableOpKind(%d)", uint8(k))
}

// Writes reports whether the kind may change the document.
func (k TableOpKind) Writes() bool {
	switch k {
	case OpUpsertRow, OpUpdateRow, OpDeleteRow, OpSetKey, OpDeleteKey:
		return true
	}
	return false
}

// TableOp is one table or KV request against a workspace document, as a value that can travel in
// a message to the actor that owns the Doc. That actor calls Apply with its own client id and
// clock, then broadcasts and persists the returned update like any client update. A TableOp must
// not be modified after it was sent.
type TableOp struct {
	Kind  TableOpKind
	Table string // table name for the row kinds (the root array is TablePrefix+Table)
	Key   string // row id or setting name
	Value Any    // the row (OpUpsertRow), the patch (OpUpdateRow) or the value (OpSetKey)
	// Check, when set, is called by the write kinds with the JSON of the row or value about to be
	// written (after the merge, for OpUpdateRow). An error aborts the operation before anything
	// changes and is returned by Apply as is. It runs on the Doc owner's goroutine: it must be
	// pure and quick (a compiled JSON Schema validation).
	Check func(json []byte) error
}

// Apply runs the operation on doc in at most one transaction by client, with now (Unix ms) as
// the write clock. It returns the JSON result (a row, a row array, a setting value, a {key:
// value} object; nil for the delete kinds) and the update the transaction produced: nil for reads
// and failed writes, otherwise already applied to doc and ready to be broadcast and persisted.
// Errors wrap ErrNotFound (missing row or setting), ErrNotObject (a row or patch that is not an
// object), ErrInvalidAny, ErrIntegerOutOfRange (client id), or whatever Check returned.
func (op *TableOp) Apply(doc *Doc, client uint64, now int64) (result, update []byte, err error) {
	switch op.Kind {
	case OpListRows:
		return appendRowsJSON(nil, ReadTable(doc, op.Table))
	case OpGetRow:
		r, ok := ReadRow(doc, op.Table, op.Key)
		if !ok {
			return nil, nil, fmt.Errorf("%w: row %q of table %q", ErrNotFound, op.Key, op.Table)
		}
		return rowJSON(r.Val)
	case OpUpsertRow:
		if op.Value.Kind != AnyObject {
			return nil, nil, fmt.Errorf("%w: row %q", ErrNotObject, op.Key)
		}
		return op.write(doc, client, TablePrefix+op.Table, op.Value, now)
	case OpUpdateRow:
		if op.Value.Kind != AnyObject {
			return nil, nil, fmt.Errorf("%w: patch of row %q", ErrNotObject, op.Key)
		}
		cur, ok := ReadRow(doc, op.Table, op.Key)
		if !ok {
			return nil, nil, fmt.Errorf("%w: row %q of table %q", ErrNotFound, op.Key, op.Table)
		}
		return op.write(doc, client, TablePrefix+op.Table, MergeObjects(cur.Val, op.Value), now)
	case OpDeleteRow:
		u, err := DeleteRow(doc, client, op.Table, op.Key)
		return nil, u, err
	case OpListKV:
		return appendKVJSON(nil, ReadKV(doc))
	case OpGetKey:
		r, ok := ReadKey(doc, op.Key)
		if !ok {
			return nil, nil, fmt.Errorf("%w: setting %q", ErrNotFound, op.Key)
		}
		return rowJSON(r.Val)
	case OpSetKey:
		return op.write(doc, client, KVArray, op.Value, now)
	case OpDeleteKey:
		u, err := DeleteKey(doc, client, op.Key)
		return nil, u, err
	default:
		return nil, nil, fmt.Errorf("yjs: unknown table operation %v", op.Kind)
	}
}

// write checks val (storable, then Check) and writes it as the new entry of op.Key.
func (op *TableOp) write(doc *Doc, client uint64, array string, val Any, now int64) ([]byte, []byte, error) {
	if err := checkStorable(val, 0); err != nil {
		return nil, nil, err
	}
	js, err := val.AppendJSON(nil)
	if err != nil {
		return nil, nil, err
	}
	if op.Check != nil {
		if err := op.Check(js); err != nil {
			return nil, nil, err
		}
	}
	ka := readKey(doc, array, op.Key)
	update, _, err := writeKeyed(doc, client, array, &ka, op.Key, val, now)
	if err != nil {
		return nil, update, err
	}
	return js, update, nil
}

func rowJSON(v Any) ([]byte, []byte, error) {
	js, err := v.AppendJSON(nil)
	return js, nil, err
}

// appendRowsJSON appends the rows' values as a JSON array.
func appendRowsJSON(dst []byte, rows []Row) ([]byte, []byte, error) {
	dst = append(dst, '[')
	var err error
	for i, r := range rows {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = r.Val.AppendJSON(dst); err != nil {
			return nil, nil, err
		}
	}
	return append(dst, ']'), nil, nil
}

// appendKVJSON appends the settings as one JSON object, keys in array order of the winners.
func appendKVJSON(dst []byte, rows []Row) ([]byte, []byte, error) {
	obj := Any{Kind: AnyObject, Keys: make([]string, len(rows)), Values: make([]Any, len(rows))}
	for i, r := range rows {
		obj.Keys[i], obj.Values[i] = r.Key, r.Val
	}
	js, err := obj.AppendJSON(dst)
	return js, nil, err
}
