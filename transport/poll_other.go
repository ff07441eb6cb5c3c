//go:build !linux

package transport

// poller is the epoll read path, which exists on Linux only: elsewhere every
// connection is read by a goroutine of its own.
type poller struct{}

// pollSet is the hub's set of pollers; always empty here.
type pollSet struct{}

func (*poller) socketClosed(*Conn) {}

func (*poller) serve(*Conn, FrameSink) {}

// pollerFor returns nil: no connection is polled.
func (h *Hub) pollerFor(*Conn) *poller { return nil }

func (h *Hub) stopPollers() {}

// nonBlockingWrites: without them every write is made by the connection's
// own writeLoop.
const nonBlockingWrites = false

// writer would write without blocking; it is never used here.
type writer struct{}

func newWriter() *writer { return &writer{} }

func (*writer) writeNow(_ *Conn, batch [][]byte) (int64, [][]byte, error) { return 0, batch, nil }

// blockingWriter writes for writeLoop through net.Buffers.
type blockingWriter struct{ c *Conn }

func newBlockingWriter(c *Conn) blockingWriter { return blockingWriter{c: c} }

func (*blockingWriter) release() {}

func (bw *blockingWriter) write(batch [][]byte) (int64, [][]byte, error) {
	return writeBuffers(bw.c, batch)
}

func (bw *blockingWriter) writeNow(batch [][]byte) (int64, [][]byte, error) { return 0, batch, nil }
