//go:build !unix

package bench

// raiseNoFileLimit is a no-op where there is no RLIMIT_NOFILE; 0 means unknown.
func raiseNoFileLimit() (uint64, error) { return 0, nil }
