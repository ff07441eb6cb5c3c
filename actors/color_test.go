package actors

import "testing"

func TestColorFor_ReferenceValues(t *testing.T) {
	cases := map[string]string{
		"alice": "#ef4444", "bob": "#8b5cf6", "carol": "#f97316", "dave": "#3b82f6", "u1": "#3b82f6",
		"auth-user-1": "#3b82f6", "user_123": "#eab308", "a": "#f97316", "": "#ef4444", "😀": "#22c55e",
	}
	for id, want := range cases {
		if got := colorFor(id); got != want {
			t.Errorf("colorFor(%q) = %s, want %s", id, got, want)
		}
	}
}
