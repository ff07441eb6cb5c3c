package roomscli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// relTime formats the age of t like the reference CLI: "5s ago", "3m ago",
// "2h ago", "4d ago" (whole units, rounded down; the future counts as 0s).
func relTime(now, t time.Time) string {
	s := int64(now.Sub(t) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds ago", max(s, 0))
	case s < 60*60:
		return fmt.Sprintf("%dm ago", s/60)
	case s < 24*60*60:
		return fmt.Sprintf("%dh ago", s/(60*60))
	default:
		return fmt.Sprintf("%dd ago", s/(24*60*60))
	}
}

// formatSize formats a byte count like the reference CLI: "N B", "N.N KB",
// "N.N MB" (base 1024).
func formatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
	}
}

// kindLabel names what a room holds: "storage", "yjs", "storage+yjs" or "-".
func kindLabel(hasStorage, hasYjs bool) string {
	switch {
	case hasStorage && hasYjs:
		return "storage+yjs"
	case hasStorage:
		return "storage"
	case hasYjs:
		return "yjs"
	default:
		return "-"
	}
}

// printable reports whether s can be shown as is on one terminal line.
func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || (!unicode.IsPrint(r) && r != ' ') {
			return false
		}
	}
	return true
}

// displayText is s as is when printable, else Go-quoted (so that control
// characters cannot break the output).
func displayText(s string) string {
	if printable(s) {
		return s
	}
	return strconv.Quote(s)
}

// quoteID is id in double quotes, escaped only when not printable.
func quoteID(id string) string {
	if printable(id) {
		return `"` + id + `"`
	}
	return strconv.Quote(id)
}

// textWidth is the number of terminal columns s takes: East Asian wide and
// fullwidth characters (most emoji included) take two, combining marks none.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == '\u200d' || unicode.Is(unicode.Variation_Selector, r):
		case width.LookupRune(r).Kind() == width.EastAsianWide || width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// padRight pads s with spaces to w columns.
func padRight(s string, w int) string {
	if n := textWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
