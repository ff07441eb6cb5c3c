//go:build unix

package bench

import "golang.org/x/sys/unix"

// raiseNoFileLimit lifts the soft RLIMIT_NOFILE to the hard limit and returns
// the soft limit now in force.
func raiseNoFileLimit() (uint64, error) {
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
			return 0, err
		}
	}
	return uint64(l.Cur), nil // int64 on some systems (FreeBSD)
}
