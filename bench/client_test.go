package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/gobwas/ws"
)

func TestErrorKind_Bounded(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{err: &closedError{code: 1008, reason: "slow consumer"}, want: "closed by server: code 1008 slow consumer"},
		{err: fmt.Errorf("read: %w", &closedError{code: 1001}), want: "closed by server: code 1001"},
		{err: ws.StatusError(503), want: "handshake: http status 503"},
		{err: fmt.Errorf("x: %w", errFrameTooBig), want: "message too big"},
		{err: io.ErrUnexpectedEOF, want: "connection closed without close frame (EOF)"},
		{err: context.DeadlineExceeded, want: "timeout"},
		{err: os.ErrDeadlineExceeded, want: "timeout"},
		{err: fmt.Errorf("dial tcp 127.0.0.1:1: %w", syscall.ECONNREFUSED), want: "connection refused"},
		{err: fmt.Errorf("read tcp 127.0.0.1:5->127.0.0.1:6: %w", syscall.ECONNRESET), want: "connection reset by peer"},
	}
	for _, tc := range cases {
		if got := errorKind(tc.err); got != tc.want {
			t.Errorf("errorKind(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	long := errors.New(string(make([]byte, 500)))
	if got := errorKind(long); len(got) > 60 {
		t.Errorf("unbounded kind of %d bytes", len(got))
	}
}
