package proxy

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
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
// to its pool only when the handler and every reader of it are done, and
// the pool gives out only buffers it was given back, never new ones.
func TestHeldBodyReleasedByTheLastReference(t *testing.T) {
	if scratch, h := pooledScratch(1000); scratch != nil || h != nil {
		t.Fatal("a small body is pooled")
	}
	const n = 300_000 // its class: buffers of 2^19 bytes
	bodyPools[19] = sync.Pool{}
	scratch, h := pooledScratch(n)
	if cap(scratch) != 0 || h == nil {
		t.Fatalf("scratch of capacity %d from an empty pool, want none", cap(scratch))
	}
	body := make([]byte, n, 600_000) // as budget.ReadBody leaves it
	h.read(body)
	r1, r2 := h.reader(body), h.reader(body)
	h.release() // the handler
	r1.Close()
	r1.Close() // a second Close changes nothing
	if got, _ := pooledScratch(n); cap(got) != 0 {
		t.Fatal("the buffer is in the pool while a reader still holds it")
	}
	r2.Close()
	if raceEnabled {
		return
	}
	if got, h2 := pooledScratch(n); cap(got) != 600_000 || h2 != h {
		t.Fatalf("scratch of capacity %d once released, want the body's 600,000", cap(got))
	}
}
