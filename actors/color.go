package actors

import "unicode/utf16"

var palette = [8]string{"#ef4444", "#f97316", "#eab308", "#22c55e", "#3b82f6", "#8b5cf6", "#ec4899", "#14b8a6"}

// colorFor is the reference's deterministic colour: Java String.hashCode over
// UTF-16 code units (int32 wrap-around), abs in 64 bits, modulo the palette.
func colorFor(userID string) string {
	var h int32
	for _, r := range userID {
		if r >= 0x10000 {
			a, b := utf16.EncodeRune(r)
			h = h*31 + int32(a)
			h = h*31 + int32(b)
			continue
		}
		h = h*31 + int32(r)
	}
	v := int64(h)
	if v < 0 {
		v = -v
	}
	return palette[v%8]
}
