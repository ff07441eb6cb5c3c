package crdt

import "strconv"

// OpKind is the type of a storage op.
type OpKind uint8

// The five op kinds (B.2.2).
const (
	OpSet        OpKind = iota + 1 // "set": Key, Value
	OpDelete                       // "delete": Key
	OpListInsert                   // "list-insert": Position, Value
	OpListDelete                   // "list-delete": Position
	OpListMove                     // "list-move": FromPosition, ToPosition
)

var opNames = [...]string{
	OpSet:        "set",
	OpDelete:     "delete",
	OpListInsert: "list-insert",
	OpListDelete: "list-delete",
	OpListMove:   "list-move",
}

// String returns the wire name ("set", "list-move", …).
func (k OpKind) String() string {
	if k >= OpSet && k <= OpListMove {
		return opNames[k]
	}
	return "OpKind(" + strconv.Itoa(int(k)) + ")"
}

func opKindOf(raw []byte) OpKind {
	for k := OpSet; k <= OpListMove; k++ {
		if keyIs(raw, opNames[k]) {
			return k
		}
	}
	return 0
}

// Op is one storage op (B.2.2). Fields that the kind does not use are empty.
type Op struct {
	Kind OpKind
	// Path addresses the target node from the root: keys for LiveObject and
	// LiveMap children, positions for LiveList children.
	Path         []string
	Key          string // set, delete
	Position     string // list-insert, list-delete
	FromPosition string // list-move
	ToPosition   string // list-move
	// Value is the compact JSON of a SerializedCrdt or plain value (set,
	// list-insert).
	Value []byte
	// Clock is the op's Lamport clock, an integer within ±(2^53-1).
	Clock int64
	// Raw is the op as received (DecodeOps), nil for ops built here.
	// AppendOpJSON writes Raw with only the clock value replaced.
	Raw []byte

	clockStart, clockEnd int   // the clock value's span inside Raw
	checked              *byte // &Value[0] when Value was validated here
}

// markChecked records that op.Value is valid, compact JSON. Replacing
// op.Value with another slice drops the mark, so hand-edited values are
// validated again when applied.
func (op *Op) markChecked() {
	if len(op.Value) > 0 {
		op.checked = &op.Value[0]
	}
}

func (op *Op) isChecked() bool {
	return len(op.Value) > 0 && op.checked == &op.Value[0]
}

// DecodeOps decodes the JSON value of a storage:ops message's "ops" field.
// It fails (ErrInvalidJSON, ErrOpsNotArray, ErrOpsEmpty) unless data is a
// non-empty JSON array. Each element is decoded on its own; an invalid one
// is skipped and counted in bad: null or not an object, "type" not one of
// the five kinds, "path" missing or not an array of strings, "clock"
// missing or not an integer within ±(2^53-1), the kind's key or position
// fields missing or not strings, a set or list-insert without "value", or
// a value typed LiveObject/LiveMap/LiveList without a valid body. Unknown
// fields are ignored (and kept in Raw); when a key repeats, the last one
// counts, as with JSON.parse.
//
// The returned ops keep references into data (Raw, and Value when it was
// already compact): data must not be modified while they are in use.
func DecodeOps(data []byte) (ops []Op, bad int, err error) {
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '[' {
		if end, err := skipValue(data, i); err != nil || skipWS(data, end) != len(data) {
			return nil, 0, ErrInvalidJSON
		}
		return nil, 0, ErrOpsNotArray
	}
	// One pass: each element is validated while it is decoded.
	var segs []string // shared backing store for every op's Path
	n := 0
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == ']' {
		i++
	} else {
		for {
			var (
				op  Op
				end int
				ok  bool
			)
			if i < len(data) && data[i] == '{' {
				end, ok, segs, err = decodeOp(data, i, &op, segs)
			} else {
				end, err = skipValue(data, i)
			}
			if err != nil {
				return nil, 0, ErrInvalidJSON
			}
			n++
			if ok {
				if ops == nil {
					ops = make([]Op, 0, 1)
				}
				ops = append(ops, op)
			} else {
				bad++
			}
			i = skipWS(data, end)
			if i < len(data) && data[i] == ',' {
				i = skipWS(data, i+1)
				continue
			}
			if i < len(data) && data[i] == ']' {
				i++
				break
			}
			return nil, 0, ErrInvalidJSON
		}
	}
	if skipWS(data, i) != len(data) {
		return nil, 0, ErrInvalidJSON
	}
	if n == 0 {
		return nil, 0, ErrOpsEmpty
	}
	return ops, bad, nil
}

// decodeOp decodes the op object at data[start] into op, validating its
// JSON as it goes. err reports malformed JSON; ok is false for a well-formed
// element that is not a valid op.
func decodeOp(data []byte, start int, op *Op, segs []string) (end int, ok bool, _ []string, err error) {
	var typ, pth, key, pos, from, to, val, clk []byte
	cs := 0
	i := skipWS(data, start+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, false, segs, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return 0, false, segs, ErrInvalidJSON
		}
		ks := i
		ke, err := skipString(data, i)
		if err != nil {
			return 0, false, segs, err
		}
		name := data[ks+1 : ke-1]
		i = skipWS(data, ke)
		if i >= len(data) || data[i] != ':' {
			return 0, false, segs, ErrInvalidJSON
		}
		vs := skipWS(data, i+1)
		ve, err := skipValue(data, vs)
		if err != nil {
			return 0, false, segs, err
		}
		if bytesHasBackslash(name) {
			if s, err := decodeString(data[ks:ke]); err == nil {
				name = []byte(s)
			}
		}
		v := data[vs:ve]
		switch string(name) {
		case "type":
			typ = v
		case "path":
			pth = v
		case "key":
			key = v
		case "position":
			pos = v
		case "fromPosition":
			from = v
		case "toPosition":
			to = v
		case "value":
			val = v
		case "clock":
			clk, cs = v, vs-start
		}
		i = skipWS(data, ve)
		if i < len(data) && data[i] == ',' {
			i = skipWS(data, i+1)
			continue
		}
		if i < len(data) && data[i] == '}' {
			end = i + 1
			break
		}
		return 0, false, segs, ErrInvalidJSON
	}
	segs, ok = fillOp(op, segs, typ, pth, key, pos, from, to, val, clk)
	if ok {
		op.Raw = data[start:end]
		op.clockStart, op.clockEnd = cs, cs+len(clk)
	}
	return end, ok, segs, nil
}

// fillOp checks the fields of a well-formed op element and fills op.
func fillOp(op *Op, segs []string, typ, pth, key, pos, from, to, val, clk []byte) ([]string, bool) {
	if len(typ) == 0 || typ[0] != '"' || len(pth) == 0 || pth[0] != '[' || len(clk) == 0 || clk[0] == '"' {
		return segs, false
	}
	if op.Kind = opKindOf(typ); op.Kind == 0 {
		return segs, false
	}
	c, ok := parseClock(clk)
	if !ok {
		return segs, false
	}
	op.Clock = c
	var err error
	switch op.Kind {
	case OpSet, OpDelete:
		op.Key, err = stringField(key)
	case OpListInsert, OpListDelete:
		op.Position, err = stringField(pos)
	case OpListMove:
		if op.FromPosition, err = stringField(from); err == nil {
			op.ToPosition, err = stringField(to)
		}
	}
	if err != nil {
		return segs, false
	}
	if op.Kind == OpSet || op.Kind == OpListInsert {
		if len(val) == 0 || checkValue(val, 0) != nil {
			return segs, false
		}
		op.Value = compactValue(val)
		op.markChecked()
	}
	if segs == nil {
		segs = make([]string, 0, 8)
	}
	start := len(segs)
	pit := newElemIter(pth, 0)
	for {
		vs, ve, ok := pit.next()
		if !ok {
			break
		}
		s, err := stringField(pth[vs:ve])
		if err != nil {
			return segs[:start], false
		}
		segs = append(segs, s)
	}
	op.Path = segs[start:len(segs):len(segs)]
	return segs, true
}

func stringField(v []byte) (string, error) {
	if len(v) == 0 || v[0] != '"' {
		return "", ErrInvalidJSON
	}
	return decodeString(v)
}

func bytesHasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// AppendOpJSON appends op as JSON with op.Clock as its clock. An op from
// DecodeOps is written as received, byte for byte, with only the clock
// value replaced, so the client's key order and unknown fields survive. An
// op built here (Mutate) or by hand is written in the reference key order,
// e.g. {"type":"set","path":[],"key":"x","value":1,"clock":1}.
func AppendOpJSON(dst []byte, op *Op) []byte {
	if op.Raw != nil && op.clockEnd > op.clockStart && op.clockEnd <= len(op.Raw) {
		dst = append(dst, op.Raw[:op.clockStart]...)
		dst = strconv.AppendInt(dst, op.Clock, 10)
		return append(dst, op.Raw[op.clockEnd:]...)
	}
	dst = append(dst, `{"type":"`...)
	dst = append(dst, op.Kind.String()...)
	dst = append(dst, `","path":[`...)
	for i, s := range op.Path {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	dst = append(dst, ']')
	switch op.Kind {
	case OpSet, OpDelete:
		dst = append(dst, `,"key":`...)
		dst = appendString(dst, op.Key)
	case OpListInsert, OpListDelete:
		dst = append(dst, `,"position":`...)
		dst = appendString(dst, op.Position)
	case OpListMove:
		dst = append(dst, `,"fromPosition":`...)
		dst = appendString(dst, op.FromPosition)
		dst = append(dst, `,"toPosition":`...)
		dst = appendString(dst, op.ToPosition)
	}
	if op.Kind == OpSet || op.Kind == OpListInsert {
		dst = append(dst, `,"value":`...)
		if len(op.Value) == 0 {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, op.Value...)
		}
	}
	dst = append(dst, `,"clock":`...)
	dst = strconv.AppendInt(dst, op.Clock, 10)
	return append(dst, '}')
}

// AppendOpsJSON appends ops as a JSON array (see AppendOpJSON).
func AppendOpsJSON(dst []byte, ops []Op) []byte {
	dst = append(dst, '[')
	for i := range ops {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendOpJSON(dst, &ops[i])
	}
	return append(dst, ']')
}
