package proxy

import (
	"context"
	"io"
	"math/bits"
	"net"
	"sync"
	"sync/atomic"
)

// A forwarded request's body is written to the worker's connection
// straight from the buffer the load balancer holds it in, with one Write:
// net/http copies a body of known length through an io.LimitReader, which
// the connection's ReadFrom would otherwise copy 32 KiB at a time, one
// write each.

// bodyReader is a request body held in memory: the body of an attempt.
type bodyReader struct {
	b      []byte
	off    int
	held   *heldBody // nil: nothing to release
	closed atomic.Bool
}

func newBodyReader(b []byte) *bodyReader { return &bodyReader{b: b} }

func (r *bodyReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

// Close releases the reader's reference to its body, once.
func (r *bodyReader) Close() error {
	if r.held != nil && r.closed.CompareAndSwap(false, true) {
		r.held.release()
	}
	return nil
}

// A body of known length from 64 KiB to 16 MiB is read into a buffer
// from a pool when the pool has one large enough (budget.ReadBodyInto),
// else into buffers allocated as it arrives, within the budget's
// reservations, as ever: the pool never allocates ahead of the budget, it
// only keeps the buffers of bodies read before. A buffer goes back to the
// pool once nothing uses it: neither the request's handler nor any
// attempt's body, which net/http may still be sending after its round trip
// returned (it closes the body when it is done with it).
const (
	minPooledBody = 64 << 10
	maxPooledBody = 16 << 20
)

// bodyPools[k] holds buffers of capacity 2^k to 2^(k+1)-1.
var bodyPools [26]sync.Pool

// heldBody is a request body's buffer and the references to it.
type heldBody struct {
	buf  []byte // the buffer the body was read into, once read
	refs atomic.Int32
}

// pooledScratch returns a pooled buffer for a body of declared length, if
// the pool has one, and the heldBody that puts the body's buffer back in
// the pool (nil when the body is not pooled).
func pooledScratch(declared int64) ([]byte, *heldBody) {
	if declared < minPooledBody || declared > maxPooledBody {
		return nil, nil
	}
	h, _ := bodyPools[bits.Len64(uint64(declared-1))].Get().(*heldBody) // capacity 2^k ≥ declared
	if h == nil {
		h = &heldBody{}
	}
	h.refs.Store(1)
	return h.buf[:0], h
}

// read records the buffer the body was read into.
func (h *heldBody) read(body []byte) {
	if h != nil {
		h.buf = body[:0]
	}
}

// reader returns a reader of b (held's buffer) holding a reference to it.
func (h *heldBody) reader(b []byte) *bodyReader {
	if h == nil {
		return newBodyReader(b)
	}
	h.refs.Add(1)
	return &bodyReader{b: b, held: h}
}

// release drops a reference; the last one puts the buffer in the pool.
func (h *heldBody) release() {
	if h == nil || h.refs.Add(-1) != 0 {
		return
	}
	if c := cap(h.buf); c >= minPooledBody && c < 2*maxPooledBody {
		bodyPools[bits.Len64(uint64(c))-1].Put(h)
	}
}

// bodyConn is a connection to a worker that writes a bodyReader whole.
type bodyConn struct{ net.Conn }

// ReadFrom writes what r holds: a bodyReader (as net/http passes it,
// within an io.LimitedReader) with one Write of its bytes, anything else
// by copying.
func (c bodyConn) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	if lr, ok := r.(*io.LimitedReader); ok {
		if br, ok := lr.R.(*bodyReader); ok && lr.N > 0 {
			rest := br.b[br.off:]
			rest = rest[:min(int64(len(rest)), lr.N)]
			n, err := c.Conn.Write(rest)
			br.off += n
			lr.N -= int64(n)
			total = int64(n)
			if err != nil {
				return total, err
			}
		}
	}
	n, err := io.Copy(writerOnly{c.Conn}, r)
	return total + n, err
}

// writerOnly hides a writer's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// bodyDialer wraps the connections dial makes in bodyConn.
func bodyDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return bodyConn{c}, nil
	}
}
