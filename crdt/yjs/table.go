package yjs

import (
	"errors"
	"fmt"
	"math"
)

// Epicenter's table model (YKeyValueLww in @epicenter/hq): a table is a root Y.Array named
// "table:<name>" whose elements are JSON objects {key: rowId, val: <the row>, ts: <ms>}. Several
// entries may hold the same key after concurrent edits; the live one is the entry with the highest
// ts, and a tie goes to the entry further right in the array. Writers delete the entries they
// supersede ("losers"). Key-value settings use the root array "kv" the same way.
//
// Reading rules here, for entries that other clients wrote:
//   - an element that is not an object, or whose "key" is not a string, is not an entry and is
//     ignored;
//   - a "ts" that is missing or not a finite number counts as 0 (so entries written by
//     Epicenter's older positional YKeyValue, {key, val} only, resolve rightmost-wins);
//   - an entry without a "val" field is a tombstone: it takes part in the comparison, and when it
//     wins the key reads as absent.

// TablePrefix is the prefix of the root array of a table: table "posts" lives in "table:posts".
const TablePrefix = "table:"

// KVArray is the name of the root array that holds key-value settings.
const KVArray = "kv"

// ErrNotObject reports a table row or update patch that is not a JSON object.
var ErrNotObject = errors.New("yjs: not an object")

// Row is the live entry of one key: a table row (Key is the row id) or a KV setting.
type Row struct {
	Key string  // the entry's "key": the row id or setting name
	Val Any     // the entry's "val": the row or setting value
	TS  float64 // the entry's "ts" in ms (a JS number; 0 when absent or not finite)
}

// entry is one element of a keyed array, with its visible index. Its value stays encoded
// (valRaw, a lib0 any) until a caller needs it; entries that other content kinds hold (rare: JSON
// content written by very old clients) carry the decoded val instead.
type entry struct {
	index  int
	key    string
	ts     float64
	hasV   bool
	valRaw []byte
	val    Any
}

// value decodes the entry's val.
func (e *entry) value() Any {
	if e.valRaw == nil {
		return e.val
	}
	v, _, err := DecodeAny(e.valRaw)
	if err != nil { // cannot happen: stored values were validated when they were integrated
		return Any{Kind: AnyUndefined}
	}
	return v
}

func (e *entry) row() Row { return Row{Key: e.key, Val: e.value(), TS: e.ts} }

// keyedArray is the parsed content of a keyed root array: every entry, or (when scanned for one
// key) only the entries of that key.
type keyedArray struct {
	entries []entry
	winner  map[string]int // key -> position in entries of the live entry
	maxTS   float64        // highest ts of any entry of the array (0 if none)
}

// tsOf returns the comparable timestamp of an entry object.
func tsOf(obj Any) float64 {
	v, ok := obj.Get("ts")
	if !ok || v.Kind != AnyNumber {
		return 0
	}
	return finiteOr0(v.Num)
}

func finiteOr0(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// readKeyed parses every entry of a keyed root array and resolves the winner of every key.
func readKeyed(doc *Doc, array string) keyedArray { return scanKeyed(doc, array, "", true) }

// readKey parses the entries of one key (and the highest ts of the whole array).
func readKey(doc *Doc, array, key string) keyedArray { return scanKeyed(doc, array, key, false) }

// scanKeyed walks the visible elements of a keyed array once. Elements stored as lib0 any values
// (everything yjs clients write with push/insert) are scanned in place without decoding the rows;
// only the entries that are kept (all of them, or those of key only) allocate.
func scanKeyed(doc *Doc, array, only string, all bool) keyedArray {
	ka := keyedArray{winner: map[string]int{}}
	t := doc.share[array]
	if t == nil {
		return ka
	}
	add := func(e entry) {
		if e.ts > ka.maxTS {
			ka.maxTS = e.ts
		}
		if !all && e.key != only {
			return
		}
		pos := len(ka.entries)
		ka.entries = append(ka.entries, e)
		// Entries come in array order, so ">=" gives ties to the rightmost entry.
		if w, ok := ka.winner[e.key]; !ok || e.ts >= ka.entries[w].ts {
			ka.winner[e.key] = pos
		}
	}
	idx := 0
	for n := t.start; n != nil; n = n.right {
		if !n.countable() || n.deleted() {
			continue
		}
		base := idx
		idx += int(n.length)
		if c, ok := n.content.(*contentAny); ok {
			for i := range c.keyedInfos() {
				e := &c.keyed[i]
				if !e.ok {
					continue
				}
				if !all && e.key != only {
					if e.ts > ka.maxTS {
						ka.maxTS = e.ts
					}
					continue
				}
				add(entry{index: base + i, key: e.key, ts: e.ts, hasV: e.hasVal, valRaw: e.val})
			}
			continue
		}
		for i, it := range itemValues(n) {
			if it.Kind != AnyObject {
				continue
			}
			k, ok := it.Get("key")
			if !ok || k.Kind != AnyString {
				continue
			}
			val, hasV := it.Get("val")
			add(entry{index: base + i, key: k.Str, ts: tsOf(it), hasV: hasV, val: val})
		}
	}
	return ka
}

// keyedInfo is what a keyed-array scan reads from one element stored as a
// lib0 any value (see scanRawEntry); ok is false for anything else.
type keyedInfo struct {
	key    string
	val    []byte
	ts     float64
	hasVal bool
	ok     bool
}

// keyedInfos returns the element infos of c, parsing the elements not
// parsed yet: a table of 10k rows is scanned by every REST write, and
// parsing each row's key and ts (skipping its val) was most of that cost.
// The server's own writes append to one growing item, so only the new
// elements are parsed.
func (c *contentAny) keyedInfos() []keyedInfo {
	for _, raw := range c.vals[len(c.keyed):] {
		var e keyedInfo
		if key, ts, val, hasV, ok := scanRawEntry(raw); ok {
			e = keyedInfo{key: string(key), val: val, ts: ts, hasVal: hasV, ok: true}
		}
		c.keyed = append(c.keyed, e)
	}
	return c.keyed
}

// scanRawEntry reads the key, ts and the encoded val of an entry stored as a lib0 any value,
// without decoding the val. ok is false when the value is not an object with a string "key".
// Like a JS object, a property written twice keeps its last value.
func scanRawEntry(raw []byte) (key []byte, ts float64, val []byte, hasVal, ok bool) {
	d := decoder{b: raw}
	if tag, err := d.readUint8(); err != nil || tag != tagObject {
		return nil, 0, nil, false, false
	}
	n, err := d.readVarUint()
	if err != nil {
		return nil, 0, nil, false, false
	}
	for i := uint64(0); i < n; i++ {
		name, err := d.readVarBytes()
		if err != nil {
			return nil, 0, nil, false, false
		}
		start := d.pos
		if err := skipAny(&d, 0); err != nil {
			return nil, 0, nil, false, false
		}
		v := raw[start:d.pos]
		switch string(name) {
		case "key":
			ok = v[0] == tagString
			if ok {
				vd := decoder{b: v[1:]}
				if key, err = vd.readVarBytes(); err != nil {
					return nil, 0, nil, false, false
				}
			}
		case "ts":
			ts = rawNumber(v)
		case "val":
			val, hasVal = v, true
		}
	}
	return key, ts, val, hasVal, ok
}

// rawNumber returns the finite number an encoded any holds, or 0.
func rawNumber(v []byte) float64 {
	d := decoder{b: v[1:]}
	switch v[0] {
	case tagInteger:
		mag, neg, err := d.readVarInt()
		if err != nil {
			return 0
		}
		if neg {
			return -float64(mag)
		}
		return float64(mag)
	case tagFloat32:
		f, err := d.readFloat32()
		if err != nil {
			return 0
		}
		return finiteOr0(float32ToFloat64(f))
	case tagFloat64:
		f, err := d.readFloat64()
		if err != nil {
			return 0
		}
		return finiteOr0(f)
	}
	return 0
}

// skipAny moves past one encoded any value without building it.
func skipAny(d *decoder, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nested too deep", ErrInvalidAny)
	}
	tag, err := d.readUint8()
	if err != nil {
		return err
	}
	switch tag {
	case tagUndefined, tagNull, tagTrue, tagFalse:
		return nil
	case tagInteger:
		_, _, err = d.readVarInt()
	case tagFloat32:
		_, err = d.readBytes(4)
	case tagFloat64, tagBigInt:
		_, err = d.readBytes(8)
	case tagString, tagBytes:
		_, err = d.readVarBytes()
	case tagArray:
		var n uint64
		if n, err = d.readVarUint(); err != nil {
			return err
		}
		for i := uint64(0); i < n && err == nil; i++ {
			err = skipAny(d, depth+1)
		}
	case tagObject:
		var n uint64
		if n, err = d.readVarUint(); err != nil {
			return err
		}
		for i := uint64(0); i < n && err == nil; i++ {
			if _, err = d.readVarBytes(); err == nil {
				err = skipAny(d, depth+1)
			}
		}
	default:
		return fmt.Errorf("%w: unknown tag %d", ErrInvalidAny, tag)
	}
	return err
}

// rows returns the live rows in array order of their winning entries.
func (ka *keyedArray) rows() []Row {
	out := make([]Row, 0, len(ka.winner))
	for pos := range ka.entries {
		e := &ka.entries[pos]
		if ka.winner[e.key] == pos && e.hasV {
			out = append(out, e.row())
		}
	}
	return out
}

// lookup returns the live row of key.
func (ka *keyedArray) lookup(key string) (Row, bool) {
	pos, ok := ka.winner[key]
	if !ok || !ka.entries[pos].hasV {
		return Row{}, false
	}
	return ka.entries[pos].row(), true
}

// indicesOf returns the visible indices of every entry of key, ascending.
func (ka *keyedArray) indicesOf(key string) []int {
	var idx []int
	for _, e := range ka.entries {
		if e.key == key {
			idx = append(idx, e.index)
		}
	}
	return idx
}

// nextTS returns the timestamp of a new write: max(now, highest ts seen + 1), like
// YKeyValueLww's monotonic clock that adopts the highest timestamp it has seen.
func (ka *keyedArray) nextTS(now int64) float64 {
	return math.Max(float64(now), ka.maxTS+1)
}

// deleteIndices deletes the elements at the given ascending visible indices, last first so that
// earlier indices stay valid, merging adjacent indices into one range.
func deleteIndices(tx *Txn, array string, idx []int) error {
	for hi := len(idx) - 1; hi >= 0; {
		lo := hi
		for lo > 0 && idx[lo-1] == idx[lo]-1 {
			lo--
		}
		if err := tx.ArrayDelete(array, idx[lo], idx[hi]-idx[lo]+1); err != nil {
			return err
		}
		hi = lo - 1
	}
	return nil
}

// entryValue builds the array element {key, val, ts}.
func entryValue(key string, val Any, ts float64) Any {
	return Any{
		Kind:   AnyObject,
		Keys:   []string{"key", "val", "ts"},
		Values: []Any{{Kind: AnyString, Str: key}, val, {Kind: AnyNumber, Num: ts}},
	}
}

// checkStorable rejects values yjs cannot store inside a list element.
func checkStorable(v Any, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nested too deep", ErrInvalidAny)
	}
	switch v.Kind {
	case AnyUndefined:
		if depth == 0 {
			return fmt.Errorf("%w: undefined value", ErrInvalidAny)
		}
	case AnyBigInt:
		return fmt.Errorf("%w: bigint value", ErrInvalidAny)
	case AnyArray:
		for _, it := range v.Items {
			if err := checkStorable(it, depth+1); err != nil {
				return err
			}
		}
	case AnyObject:
		for _, it := range v.Values {
			if err := checkStorable(it, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// putKeyed writes key = val into a keyed array in one transaction by client: the previous
// entries of key are deleted and {key, val, ts} is pushed with ts = max(now, highest ts + 1).
func putKeyed(doc *Doc, client uint64, array, key string, val Any, now int64) ([]byte, Row, error) {
	if err := checkStorable(val, 0); err != nil {
		return nil, Row{}, err
	}
	ka := readKey(doc, array, key)
	return writeKeyed(doc, client, array, &ka, key, val, now)
}

func writeKeyed(doc *Doc, client uint64, array string, ka *keyedArray, key string, val Any, now int64) ([]byte, Row, error) {
	if client > maxSafeInteger {
		return nil, Row{}, fmt.Errorf("client id %d: %w", client, ErrIntegerOutOfRange)
	}
	ts := ka.nextTS(now)
	losers := ka.indicesOf(key)
	update, err := doc.Transact(client, func(tx *Txn) error {
		if err := deleteIndices(tx, array, losers); err != nil {
			return err
		}
		return tx.ArrayPush(array, entryValue(key, val, ts))
	})
	if err != nil {
		return update, Row{}, err
	}
	return update, Row{Key: key, Val: val, TS: ts}, nil
}

// deleteKeyed deletes every entry of key in one transaction; ErrNotFound if key is not live.
func deleteKeyed(doc *Doc, client uint64, array, key string) ([]byte, error) {
	if client > maxSafeInteger {
		return nil, fmt.Errorf("client id %d: %w", client, ErrIntegerOutOfRange)
	}
	ka := readKey(doc, array, key)
	if _, ok := ka.lookup(key); !ok {
		return nil, fmt.Errorf("%w: key %q in %q", ErrNotFound, key, array)
	}
	losers := ka.indicesOf(key)
	return doc.Transact(client, func(tx *Txn) error { return deleteIndices(tx, array, losers) })
}

// ReadTable returns the live rows of a table, in the array order of their winning entries (the
// order a yjs client sees when it iterates the array and keeps the winners). A missing table
// reads as empty.
func ReadTable(doc *Doc, table string) []Row {
	ka := readKeyed(doc, TablePrefix+table)
	return ka.rows()
}

// ReadRow returns the live row of id in a table and whether it exists.
func ReadRow(doc *Doc, table, id string) (Row, bool) {
	ka := readKey(doc, TablePrefix+table, id)
	return ka.lookup(id)
}

// UpsertRow writes row as the new value of id in one transaction by client (a random 53-bit id
// no other replica uses): every previous entry of id is deleted and {key: id, val: row, ts} is
// pushed, with ts = max(now, highest ts in the table + 1), now in Unix ms. It returns the update
// (already applied to doc; broadcast and persist it) and the written row. row must be an object
// (ErrNotObject) that yjs can store (ErrInvalidAny: no undefined or bigint).
func UpsertRow(doc *Doc, client uint64, table, id string, row Any, now int64) ([]byte, Row, error) {
	if row.Kind != AnyObject {
		return nil, Row{}, fmt.Errorf("%w: row %q", ErrNotObject, id)
	}
	return putKeyed(doc, client, TablePrefix+table, id, row, now)
}

// UpdateRow shallow-merges the fields of patch (an object) into the live row of id and writes
// the result like UpsertRow. It returns ErrNotFound if the row does not exist. A live value that
// is not an object (written by some other client) is replaced by the patch.
func UpdateRow(doc *Doc, client uint64, table, id string, patch Any, now int64) ([]byte, Row, error) {
	if patch.Kind != AnyObject {
		return nil, Row{}, fmt.Errorf("%w: patch of row %q", ErrNotObject, id)
	}
	if err := checkStorable(patch, 0); err != nil {
		return nil, Row{}, err
	}
	array := TablePrefix + table
	ka := readKey(doc, array, id)
	cur, ok := ka.lookup(id)
	if !ok {
		return nil, Row{}, fmt.Errorf("%w: row %q of table %q", ErrNotFound, id, table)
	}
	return writeKeyed(doc, client, array, &ka, id, MergeObjects(cur.Val, patch), now)
}

// DeleteRow deletes every entry of id in one transaction by client and returns the update. It
// returns ErrNotFound (and no update) if the row does not exist.
func DeleteRow(doc *Doc, client uint64, table, id string) ([]byte, error) {
	return deleteKeyed(doc, client, TablePrefix+table, id)
}

// ReadKV returns the live settings of the "kv" array, in array order of their winning entries.
func ReadKV(doc *Doc) []Row {
	ka := readKeyed(doc, KVArray)
	return ka.rows()
}

// ReadKey returns the live setting key and whether it exists.
func ReadKey(doc *Doc, key string) (Row, bool) {
	ka := readKey(doc, KVArray, key)
	return ka.lookup(key)
}

// SetKey writes a setting like UpsertRow writes a row (any storable value, not only objects).
func SetKey(doc *Doc, client uint64, key string, val Any, now int64) ([]byte, Row, error) {
	return putKeyed(doc, client, KVArray, key, val, now)
}

// DeleteKey deletes every entry of a setting; ErrNotFound if it does not exist.
func DeleteKey(doc *Doc, client uint64, key string) ([]byte, error) {
	return deleteKeyed(doc, client, KVArray, key)
}

// MergeObjects returns base with the fields of patch assigned over it, like {...base, ...patch}
// in JavaScript: existing keys keep their position, new keys are appended. A base that is not an
// object counts as {}. Neither argument is modified.
func MergeObjects(base, patch Any) Any {
	out := Any{Kind: AnyObject}
	if base.Kind == AnyObject {
		out.Keys = append(out.Keys, base.Keys...)
		out.Values = append(out.Values, base.Values...)
	}
	pos := make(map[string]int, len(out.Keys)+len(patch.Keys))
	for i, k := range out.Keys {
		pos[k] = i
	}
	for i, k := range patch.Keys {
		if j, ok := pos[k]; ok {
			out.Values[j] = patch.Values[i]
			continue
		}
		pos[k] = len(out.Keys)
		out.Keys = append(out.Keys, k)
		out.Values = append(out.Values, patch.Values[i])
	}
	return out
}
