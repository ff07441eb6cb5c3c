package yjs

import "sort"

// RootKind says how to read a root type. yjs root types are untyped until a client calls
// getArray/getMap/getText on them, so the reader chooses the view.
type RootKind uint8

// Root views.
const (
	RootArray     RootKind = iota // Y.Array: the list content (yarray.toJSON())
	RootMap                       // Y.Map: the current value of every key (ymap.toJSON())
	RootText                      // Y.Text as a plain string (ytext.toString())
	RootTextDelta                 // Y.Text as a Quill delta (ytext.toDelta())
)

// RootNames returns the names of the root types that have content, sorted.
func (doc *Doc) RootNames() []string {
	out := make([]string, 0, len(doc.share))
	for name, t := range doc.share {
		if t.start != nil || len(t.mkeys) > 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Root returns the content of a root type like the yjs toJSON/toString/toDelta methods: an
// AnyArray for RootArray and RootTextDelta, an AnyObject for RootMap, an AnyString for RootText.
// Nested shared types become their JSON (Y.Map an object, Y.Array an array, Y.Text and XML types
// their text). A root that does not exist reads as empty.
func (doc *Doc) Root(name string, kind RootKind) Any {
	t := doc.share[name]
	if t == nil {
		t = newYType()
	}
	switch kind {
	case RootMap:
		return mapJSON(t)
	case RootText:
		return Any{Kind: AnyString, Str: textString(t)}
	case RootTextDelta:
		return textDelta(t)
	default:
		return Any{Kind: AnyArray, Items: listValues(t)}
	}
}

// ArrayLen returns the number of visible elements of a root list (yarray.length).
func (doc *Doc) ArrayLen(name string) int {
	if t := doc.share[name]; t != nil {
		return int(t.length)
	}
	return 0
}

// itemValues returns the elements of an item's content (yjs content.getContent(), nested types
// as their JSON).
func itemValues(b *block) []Any {
	switch c := b.content.(type) {
	case *contentAny:
		out := make([]Any, len(c.vals))
		for i, raw := range c.vals {
			v, _, err := DecodeAny(raw)
			if err != nil { // cannot happen: stored values are canonical encodings
				v = Any{Kind: AnyUndefined}
			}
			out[i] = v
		}
		return out
	case *contentJSON:
		out := make([]Any, len(c.vals))
		for i, s := range c.vals {
			if s == "undefined" {
				out[i] = Any{Kind: AnyUndefined}
				continue
			}
			v, err := ParseJSON([]byte(s))
			if err != nil {
				v = Any{Kind: AnyUndefined}
			}
			out[i] = v
		}
		return out
	case *contentBinary:
		return []Any{{Kind: AnyBytes, Bytes: c.b}}
	case *contentString:
		// str.split(''): one element per UTF-16 code unit
		var out []Any
		s := string(c.b)
		for _, r := range s {
			if r >= 0x10000 {
				hi, lo := 0xd800+((r-0x10000)>>10), 0xdc00+((r-0x10000)&0x3ff)
				out = append(out, Any{Kind: AnyString, Str: string(appendWTF8(nil, hi))}, Any{Kind: AnyString, Str: string(appendWTF8(nil, lo))})
				continue
			}
			out = append(out, Any{Kind: AnyString, Str: string(r)})
		}
		return out
	case *contentEmbed:
		v, err := ParseJSON([]byte(c.json))
		if err != nil {
			v = Any{Kind: AnyUndefined}
		}
		return []Any{v}
	case *contentType:
		return []Any{typeJSON(c)}
	case *contentDoc:
		return []Any{{Kind: AnyObject, Keys: []string{"guid"}, Values: []Any{{Kind: AnyString, Str: c.guid}}}}
	}
	return nil // deleted, format
}

// typeJSON converts a nested shared type to JSON like its toJSON method.
func typeJSON(c *contentType) Any {
	t := c.typ
	if t == nil {
		t = newYType()
	}
	switch c.typeRef {
	case TypeMap, TypeXMLHook:
		return mapJSON(t)
	case TypeArray:
		return Any{Kind: AnyArray, Items: listValues(t)}
	default: // Y.Text and the XML types: their text
		return Any{Kind: AnyString, Str: textString(t)}
	}
}

// listValues returns the visible elements of a list (typeListToArray + toJSON).
func listValues(t *ytype) []Any {
	out := []Any{}
	for n := t.start; n != nil; n = n.right {
		if n.countable() && !n.deleted() {
			out = append(out, itemValues(n)...)
		}
	}
	return out
}

// mapJSON returns the current value of every key that is not deleted, in key insertion order.
func mapJSON(t *ytype) Any {
	obj := Any{Kind: AnyObject}
	for _, k := range t.mkeys {
		b := t.m[k]
		if b == nil || b.deleted() {
			continue
		}
		vals := itemValues(b)
		if len(vals) == 0 {
			continue
		}
		obj.Keys = append(obj.Keys, k)
		obj.Values = append(obj.Values, vals[len(vals)-1])
	}
	obj.Keys, obj.Values = jsObjectOrder(obj.Keys, obj.Values)
	return obj
}

// textString concatenates the visible strings of a list (ytext.toString()).
func textString(t *ytype) string {
	var b []byte
	for n := t.start; n != nil; n = n.right {
		if c, ok := n.content.(*contentString); ok && !n.deleted() {
			b = append(b, c.b...)
		}
	}
	return string(b)
}

// textDelta is ytext.toDelta(): runs of text with the formatting attributes in effect, embeds
// and nested types as single inserts.
func textDelta(t *ytype) Any {
	ops := []Any{}
	var attrKeys []string
	attrs := map[string]Any{}
	attributes := func() (Any, bool) {
		if len(attrKeys) == 0 {
			return Any{}, false
		}
		a := Any{Kind: AnyObject}
		for _, k := range attrKeys {
			a.Keys = append(a.Keys, k)
			a.Values = append(a.Values, attrs[k])
		}
		a.Keys, a.Values = jsObjectOrder(a.Keys, a.Values)
		return a, true
	}
	op := func(insert Any) {
		o := Any{Kind: AnyObject, Keys: []string{"insert"}, Values: []Any{insert}}
		if a, ok := attributes(); ok {
			o.Keys = append(o.Keys, "attributes")
			o.Values = append(o.Values, a)
		}
		ops = append(ops, o)
	}
	var str []byte
	pack := func() {
		if len(str) > 0 {
			op(Any{Kind: AnyString, Str: string(str)})
			str = nil
		}
	}
	for n := t.start; n != nil; n = n.right {
		if n.deleted() {
			continue
		}
		switch c := n.content.(type) {
		case *contentString:
			str = append(str, c.b...)
		case *contentType, *contentEmbed:
			pack()
			op(itemValues(n)[0])
		case *contentFormat:
			pack()
			v, err := ParseJSON([]byte(c.json))
			if err != nil || v.Kind == AnyNull {
				if _, ok := attrs[c.key]; ok {
					delete(attrs, c.key)
					for i, k := range attrKeys {
						if k == c.key {
							attrKeys = append(attrKeys[:i:i], attrKeys[i+1:]...)
							break
						}
					}
				}
				continue
			}
			if _, ok := attrs[c.key]; !ok {
				attrKeys = append(attrKeys, c.key)
			}
			attrs[c.key] = v
		}
	}
	pack()
	return Any{Kind: AnyArray, Items: ops}
}
