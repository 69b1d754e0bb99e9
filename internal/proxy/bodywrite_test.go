package proxy

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
)

// countingConn is a connection that keeps what is written to it, and
// counts the writes.
type countingConn struct {
	net.Conn
	buf    bytes.Buffer
	writes int
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.writes++
	return c.buf.Write(b)
}

// TestBodyConnWritesABodyWhole: a bodyReader that net/http hands to the
// connection within an io.LimitedReader is written with one Write, up to
// the limit; any other reader is copied.
func TestBodyConnWritesABodyWhole(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 70_000) // 700 KB: 22 copies of 32 KiB
	for _, tc := range []struct {
		name       string
		r          io.Reader
		want       []byte
		wantWrites int
	}{
		{"body", &io.LimitedReader{R: newBodyReader(body), N: int64(len(body))}, body, 1},
		{"body beyond the limit", &io.LimitedReader{R: newBodyReader(body), N: 1000}, body[:1000], 1},
		{"another reader", &io.LimitedReader{R: strings.NewReader(string(body)), N: int64(len(body))}, body, 22},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &countingConn{}
			n, err := bodyConn{c}.ReadFrom(tc.r)
			if err != nil || n != int64(len(tc.want)) || !bytes.Equal(c.buf.Bytes(), tc.want) {
				t.Fatalf("wrote %d bytes (%v), %d equal to the %d wanted", n, err, c.buf.Len(), len(tc.want))
			}
			if c.writes != tc.wantWrites {
				t.Errorf("%d writes, want %d", c.writes, tc.wantWrites)
			}
		})
	}
}

// TestHeldBodyReleasedByTheLastReference: a pooled body's buffer goes back
// to its pool only when the handler and every reader of it are done.
func TestHeldBodyReleasedByTheLastReference(t *testing.T) {
	if scratch, h := pooledScratch(1000); scratch != nil || h != nil {
		t.Fatal("a small body is pooled")
	}
	scratch, h := pooledScratch(100_000)
	if cap(scratch) != 1<<17 {
		t.Fatalf("scratch of capacity %d for 100,000 bytes, want %d", cap(scratch), 1<<17)
	}
	r1, r2 := h.reader(scratch), h.reader(scratch)
	h.release() // the handler
	r1.Close()
	r1.Close() // a second Close changes nothing
	if got := h.refs.Load(); got != 1 {
		t.Fatalf("%d references left, want r2's", got)
	}
	r2.Close()
	if got := h.refs.Load(); got != 0 {
		t.Fatalf("%d references left, want none", got)
	}
}
