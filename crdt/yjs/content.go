package yjs

import (
	"fmt"
	"unicode/utf8"
)

// Content references (the low 5 bits of an item's info byte).
const (
	refGC      = 0
	refDeleted = 1
	refJSON    = 2
	refBinary  = 3
	refString  = 4
	refEmbed   = 5
	refFormat  = 6
	refType    = 7
	refAny     = 8
	refDoc     = 9
	refSkip    = 10
)

// Type references of ContentType.
const (
	TypeArray       = 0
	TypeMap         = 1
	TypeText        = 2
	TypeXMLElement  = 3
	TypeXMLFragment = 4
	TypeXMLHook     = 5
	TypeXMLText     = 6
)

// content is the payload of an Item. Values are kept in the form yjs would re-encode them
// (canonical JSON text, canonical any bytes), so re-encoding is a plain copy.
type content interface {
	ref() byte
	length() uint64
	countable() bool
	// splice keeps [0, off) in the receiver and returns [off, length) (0 < off < length).
	splice(off uint64) content
	// sliceFrom returns [off, length) without changing the receiver.
	sliceFrom(off uint64) content
	// mergeWith appends right (same concrete type) and reports whether it could.
	mergeWith(right content) bool
	// appendTo appends the V1 encoding of [off, length).
	appendTo(dst []byte, off uint64) []byte
}

// contentDeleted is the content of a deleted item whose payload was dropped.
type contentDeleted struct{ n uint64 }

func (c *contentDeleted) ref() byte       { return refDeleted }
func (c *contentDeleted) length() uint64  { return c.n }
func (c *contentDeleted) countable() bool { return false }
func (c *contentDeleted) splice(off uint64) content {
	r := &contentDeleted{n: c.n - off}
	c.n = off
	return r
}
func (c *contentDeleted) sliceFrom(off uint64) content { return &contentDeleted{n: c.n - off} }
func (c *contentDeleted) mergeWith(r content) bool {
	c.n += r.(*contentDeleted).n
	return true
}
func (c *contentDeleted) appendTo(dst []byte, off uint64) []byte { return appendVarUint(dst, c.n-off) }

// Slices of contents follow one rule so that merging stays amortized O(1) without aliasing:
// splice keeps x[:off:off] on the left (full slice expression: appending to it copies) and gives
// x[off:] to the right; sliceFrom returns x[off:len:len]; mergeWith appends in place.

// contentJSON holds legacy JSON elements as JSON.stringify text ("undefined" for undefined).
type contentJSON struct{ vals []string }

func (c *contentJSON) ref() byte       { return refJSON }
func (c *contentJSON) length() uint64  { return uint64(len(c.vals)) }
func (c *contentJSON) countable() bool { return true }
func (c *contentJSON) splice(off uint64) content {
	r := &contentJSON{vals: c.vals[off:]}
	c.vals = c.vals[:off:off]
	return r
}
func (c *contentJSON) sliceFrom(off uint64) content {
	return &contentJSON{vals: c.vals[off:len(c.vals):len(c.vals)]}
}
func (c *contentJSON) mergeWith(r content) bool {
	c.vals = append(c.vals, r.(*contentJSON).vals...)
	return true
}
func (c *contentJSON) appendTo(dst []byte, off uint64) []byte {
	dst = appendVarUint(dst, uint64(len(c.vals))-off)
	for _, v := range c.vals[off:] {
		dst = appendVarString(dst, v)
	}
	return dst
}

// contentAny holds elements as canonical lib0 any encodings.
type contentAny struct {
	vals [][]byte
	// keyed caches what a keyed-array scan (table.go) reads from the
	// elements: a prefix of vals, parsed so far (keyedInfos parses the
	// rest). The encodings never change, so it stays valid; splits and
	// merges carry it along.
	keyed []keyedInfo
}

func (c *contentAny) ref() byte       { return refAny }
func (c *contentAny) length() uint64  { return uint64(len(c.vals)) }
func (c *contentAny) countable() bool { return true }
func (c *contentAny) splice(off uint64) content {
	r := &contentAny{vals: c.vals[off:]}
	if uint64(len(c.keyed)) > off {
		// r keeps the array's spare capacity (the right part is where the
		// server's next writes merge); c is capped so it cannot write there.
		r.keyed = c.keyed[off:]
	}
	c.vals = c.vals[:off:off]
	c.keyed = c.keyed[:min(uint64(len(c.keyed)), off):min(uint64(len(c.keyed)), off)]
	return r
}
func (c *contentAny) sliceFrom(off uint64) content {
	return &contentAny{vals: c.vals[off:len(c.vals):len(c.vals)], keyed: keyedFrom(c.keyed, off)}
}

// keyedFrom is the part of a parsed prefix that belongs to the elements
// from off on.
func keyedFrom(keyed []keyedInfo, off uint64) []keyedInfo {
	if uint64(len(keyed)) <= off {
		return nil
	}
	return keyed[off:len(keyed):len(keyed)]
}

func (c *contentAny) mergeWith(r content) bool {
	rc := r.(*contentAny)
	if len(c.keyed) == len(c.vals) { // all parsed: r's parsed prefix extends it
		// Appending in place is safe: splits cap every slice they hand out.
		c.keyed = append(c.keyed, rc.keyed...)
	}
	c.vals = append(c.vals, rc.vals...)
	return true
}
func (c *contentAny) appendTo(dst []byte, off uint64) []byte {
	dst = appendVarUint(dst, uint64(len(c.vals))-off)
	for _, v := range c.vals[off:] {
		dst = append(dst, v...)
	}
	return dst
}

// contentString is text as valid UTF-8; its length counts UTF-16 code units like a JS string.
type contentString struct {
	b []byte
	n uint64 // UTF-16 length
}

func newContentString(s string) *contentString {
	return &contentString{b: []byte(s), n: utf16Len(s)}
}

func (c *contentString) ref() byte       { return refString }
func (c *contentString) length() uint64  { return c.n }
func (c *contentString) countable() bool { return true }
func (c *contentString) splice(off uint64) content {
	l, r := splitUTF16(c.b, off)
	right := &contentString{b: r, n: c.n - off}
	c.b, c.n = l, off
	return right
}
func (c *contentString) sliceFrom(off uint64) content {
	_, r := splitUTF16(c.b, off)
	return &contentString{b: r[:len(r):len(r)], n: c.n - off}
}
func (c *contentString) mergeWith(r content) bool {
	rs := r.(*contentString)
	c.b = append(c.b, rs.b...)
	c.n += rs.n
	return true
}
func (c *contentString) appendTo(dst []byte, off uint64) []byte {
	if off == 0 {
		return appendVarBytes(dst, c.b)
	}
	_, r := splitUTF16(c.b, off)
	return appendVarBytes(dst, r)
}

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len[S ~string | ~[]byte](s S) uint64 {
	n := uint64(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			continue
		}
		switch {
		case c >= 0xf0:
			n -= 2 // 4 bytes -> 2 units
		case c >= 0xe0:
			n -= 2 // 3 bytes -> 1 unit
		case c >= 0xc0:
			n-- // 2 bytes -> 1 unit
		}
	}
	return n
}

const replacementChar = "\ufffd"

// splitUTF16 splits s after off UTF-16 code units: the left part is s[:i:i], the right part s[i:].
// Splitting inside a surrogate pair replaces both halves by U+FFFD, exactly like yjs's
// ContentString.splice (yjs issue #248).
func splitUTF16(s []byte, off uint64) ([]byte, []byte) {
	var units uint64
	for i := 0; i < len(s); {
		if units == off {
			return s[:i:i], s[i:]
		}
		c := s[i]
		size, w := 1, uint64(1)
		switch {
		case c >= 0xf0:
			size, w = 4, 2
		case c >= 0xe0:
			size = 3
		case c >= 0xc0:
			size = 2
		}
		if w == 2 && units+1 == off {
			l := append(append(make([]byte, 0, i+3), s[:i]...), replacementChar...)
			r := append(append(make([]byte, 0, len(s)-i-1), replacementChar...), s[i+size:]...)
			return l, r
		}
		units += w
		i += size
	}
	return s[:len(s):len(s)], nil
}

// contentBinary is a Uint8Array element.
type contentBinary struct{ b []byte }

func (c *contentBinary) ref() byte                            { return refBinary }
func (c *contentBinary) length() uint64                       { return 1 }
func (c *contentBinary) countable() bool                      { return true }
func (c *contentBinary) splice(uint64) content                { return nil }
func (c *contentBinary) sliceFrom(uint64) content             { return c }
func (c *contentBinary) mergeWith(content) bool               { return false }
func (c *contentBinary) appendTo(dst []byte, _ uint64) []byte { return appendVarBytes(dst, c.b) }

// contentEmbed is a rich-text embed, kept as normalized JSON text.
type contentEmbed struct{ json string }

func (c *contentEmbed) ref() byte                            { return refEmbed }
func (c *contentEmbed) length() uint64                       { return 1 }
func (c *contentEmbed) countable() bool                      { return true }
func (c *contentEmbed) splice(uint64) content                { return nil }
func (c *contentEmbed) sliceFrom(uint64) content             { return c }
func (c *contentEmbed) mergeWith(content) bool               { return false }
func (c *contentEmbed) appendTo(dst []byte, _ uint64) []byte { return appendVarString(dst, c.json) }

// contentFormat is a rich-text formatting mark: key plus normalized JSON value.
type contentFormat struct{ key, json string }

func (c *contentFormat) ref() byte                { return refFormat }
func (c *contentFormat) length() uint64           { return 1 }
func (c *contentFormat) countable() bool          { return false }
func (c *contentFormat) splice(uint64) content    { return nil }
func (c *contentFormat) sliceFrom(uint64) content { return c }
func (c *contentFormat) mergeWith(content) bool   { return false }
func (c *contentFormat) appendTo(dst []byte, _ uint64) []byte {
	dst = appendVarString(dst, c.key)
	return appendVarString(dst, c.json)
}

// contentType creates a shared type (Y.Array, Y.Map, ...). typ is set once the item is
// integrated into a Doc.
type contentType struct {
	typeRef uint64
	name    string // node name of an XmlElement, hook name of an XmlHook
	typ     *ytype
}

func (c *contentType) ref() byte                { return refType }
func (c *contentType) length() uint64           { return 1 }
func (c *contentType) countable() bool          { return true }
func (c *contentType) splice(uint64) content    { return nil }
func (c *contentType) sliceFrom(uint64) content { return c }
func (c *contentType) mergeWith(content) bool   { return false }
func (c *contentType) appendTo(dst []byte, _ uint64) []byte {
	dst = appendVarUint(dst, c.typeRef)
	if c.typeRef == TypeXMLElement || c.typeRef == TypeXMLHook {
		dst = appendVarString(dst, c.name)
	}
	return dst
}

// contentDoc is a subdocument: guid plus the options yjs re-derives from the decoded options.
type contentDoc struct {
	guid string
	opts []byte // canonical any encoding of {gc?, autoLoad?, meta?}
}

func (c *contentDoc) ref() byte                { return refDoc }
func (c *contentDoc) length() uint64           { return 1 }
func (c *contentDoc) countable() bool          { return true }
func (c *contentDoc) splice(uint64) content    { return nil }
func (c *contentDoc) sliceFrom(uint64) content { return c }
func (c *contentDoc) mergeWith(content) bool   { return false }
func (c *contentDoc) appendTo(dst []byte, _ uint64) []byte {
	dst = appendVarString(dst, c.guid)
	return append(dst, c.opts...)
}

// readContent decodes the content of an item with the given content ref (V1 encoding).
func (d *decoder) readContent(ref byte) (content, error) {
	switch ref {
	case refDeleted:
		n, err := d.readSafeUint()
		if err != nil {
			return nil, err
		}
		return &contentDeleted{n: n}, nil
	case refJSON:
		n, err := d.readSafeUint()
		if err != nil {
			return nil, err
		}
		if n > uint64(d.remaining()) {
			return nil, ErrUnexpectedEOF
		}
		vals := make([]string, 0, n)
		for i := uint64(0); i < n; i++ {
			s, err := d.readVarString()
			if err != nil {
				return nil, err
			}
			if s != "undefined" {
				if s, err = normalizeJSON([]byte(s)); err != nil {
					return nil, err
				}
			}
			vals = append(vals, s)
		}
		return &contentJSON{vals: vals}, nil
	case refBinary:
		b, err := d.readVarBytes()
		if err != nil {
			return nil, err
		}
		return &contentBinary{b: append([]byte{}, b...)}, nil
	case refString:
		s, err := d.readVarString()
		if err != nil {
			return nil, err
		}
		return newContentString(s), nil
	case refEmbed:
		s, err := d.readJSONString()
		if err != nil {
			return nil, err
		}
		return &contentEmbed{json: s}, nil
	case refFormat:
		k, err := d.readVarString()
		if err != nil {
			return nil, err
		}
		s, err := d.readJSONString()
		if err != nil {
			return nil, err
		}
		return &contentFormat{key: k, json: s}, nil
	case refType:
		t, err := d.readVarUint()
		if err != nil {
			return nil, err
		}
		if t > TypeXMLText {
			return nil, fmt.Errorf("%w: unknown type ref %d", ErrInvalidUpdate, t)
		}
		c := &contentType{typeRef: t}
		if t == TypeXMLElement || t == TypeXMLHook {
			if c.name, err = d.readVarString(); err != nil {
				return nil, err
			}
		}
		return c, nil
	case refAny:
		n, err := d.readSafeUint()
		if err != nil {
			return nil, err
		}
		if n > uint64(d.remaining()) {
			return nil, ErrUnexpectedEOF
		}
		vals := make([][]byte, 0, n)
		for i := uint64(0); i < n; i++ {
			v, err := d.readCanonicalAny(nil)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		return &contentAny{vals: vals}, nil
	case refDoc:
		guid, err := d.readVarString()
		if err != nil {
			return nil, err
		}
		opts, err := d.readAny(0)
		if err != nil {
			return nil, err
		}
		return newContentDoc(guid, opts)
	}
	return nil, fmt.Errorf("%w: unknown content ref %d", ErrInvalidUpdate, ref)
}

// readJSONString reads a varString holding JSON and returns JSON.stringify(JSON.parse(s)).
func (d *decoder) readJSONString() (string, error) {
	s, err := d.readVarString()
	if err != nil {
		return "", err
	}
	return normalizeJSON([]byte(s))
}

// truthy is JavaScript's ToBoolean.
func truthy(v Any) bool {
	switch v.Kind {
	case AnyUndefined, AnyNull:
		return false
	case AnyBool:
		return v.Bool
	case AnyNumber:
		return v.Num == v.Num && v.Num != 0
	case AnyBigInt:
		return v.BigInt != 0
	case AnyString:
		return v.Str != ""
	}
	return true
}

// newContentDoc mirrors yjs: readContentDoc builds a Y.Doc from {guid, ...opts} and ContentDoc
// re-derives the options it writes ({gc: false} if gc is falsy, {autoLoad: true}, {meta}).
func newContentDoc(guid string, opts Any) (*contentDoc, error) {
	if opts.Kind == AnyUndefined || opts.Kind == AnyNull {
		return nil, fmt.Errorf("%w: subdocument options are %s", ErrInvalidUpdate, opts)
	}
	prop := func(k string) (Any, bool) {
		if opts.Kind != AnyObject {
			return Any{}, false
		}
		v, ok := opts.Get(k)
		return v, ok && v.Kind != AnyUndefined
	}
	if g, ok := opts.Get("guid"); ok && opts.Kind == AnyObject {
		if g.Kind != AnyString {
			return nil, fmt.Errorf("%w: subdocument guid override is not a string", ErrInvalidUpdate)
		}
		guid = g.Str
	}
	out := Any{Kind: AnyObject}
	if v, ok := prop("gc"); ok && !truthy(v) {
		out.Keys = append(out.Keys, "gc")
		out.Values = append(out.Values, Any{Kind: AnyBool})
	}
	if v, ok := prop("autoLoad"); ok && truthy(v) {
		out.Keys = append(out.Keys, "autoLoad")
		out.Values = append(out.Values, Any{Kind: AnyBool, Bool: true})
	}
	if v, ok := prop("meta"); ok && v.Kind != AnyNull {
		out.Keys = append(out.Keys, "meta")
		out.Values = append(out.Values, v)
	}
	return &contentDoc{guid: guid, opts: AppendAny(nil, out)}, nil
}
