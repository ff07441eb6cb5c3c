package roomscli

import (
	"testing"
	"time"
)

func TestRelTime(t *testing.T) {
	tests := []struct {
		ago  time.Duration
		want string
	}{
		{-time.Hour, "0s ago"},
		{0, "0s ago"},
		{999 * time.Millisecond, "0s ago"},
		{59 * time.Second, "59s ago"},
		{60 * time.Second, "1m ago"},
		{59*time.Minute + 59*time.Second, "59m ago"},
		{time.Hour, "1h ago"},
		{23*time.Hour + 59*time.Minute, "23h ago"},
		{24 * time.Hour, "1d ago"},
		{400 * 24 * time.Hour, "400d ago"},
	}
	for _, tc := range tests {
		if got := relTime(testNow, testNow.Add(-tc.ago)); got != tc.want {
			t.Errorf("relTime(%v ago) = %q, want %q", tc.ago, got, tc.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KB"}, {1536, "1.5 KB"},
		{1024*1024 - 1, "1024.0 KB"}, {1024 * 1024, "1.0 MB"}, {5 << 30, "5120.0 MB"},
	}
	for _, tc := range tests {
		if got := formatSize(tc.n); got != tc.want {
			t.Errorf("formatSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestTextWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"abc", 3}, {"日本語", 6}, {"🙂", 2}, {"e\u0301", 1}, {"", 0}, {"ｆｕｌｌ", 8},
	}
	for _, tc := range tests {
		if got := textWidth(tc.s); got != tc.want {
			t.Errorf("textWidth(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestDisplayText(t *testing.T) {
	tests := []struct {
		s, want, quoted string
	}{
		{"a:b c", "a:b c", `"a:b c"`},
		{"🙂", "🙂", `"🙂"`},
		{"a\nb", `"a\nb"`, `"a\nb"`},
		{"\x1b[31m", `"\x1b[31m"`, `"\x1b[31m"`},
		{"bad\xff", `"bad\xff"`, `"bad\xff"`},
	}
	for _, tc := range tests {
		if got := displayText(tc.s); got != tc.want {
			t.Errorf("displayText(%q) = %s, want %s", tc.s, got, tc.want)
		}
		if got := quoteID(tc.s); got != tc.quoted {
			t.Errorf("quoteID(%q) = %s, want %s", tc.s, got, tc.quoted)
		}
	}
}

func TestKindLabel(t *testing.T) {
	for _, tc := range []struct {
		s, y bool
		want string
	}{{true, true, "storage+yjs"}, {true, false, "storage"}, {false, true, "yjs"}, {false, false, "-"}} {
		if got := kindLabel(tc.s, tc.y); got != tc.want {
			t.Errorf("kindLabel(%v, %v) = %q", tc.s, tc.y, got)
		}
	}
}
