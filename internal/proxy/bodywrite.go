package proxy

import (
	"context"
	"io"
	"net"
)

// A forwarded request's body is written to the worker's connection
// straight from the buffer the load balancer holds it in, with one Write:
// net/http copies a body of known length through an io.LimitReader, which
// the connection's ReadFrom would otherwise copy 32 KiB at a time, one
// write each.

// bodyReader is a request body held in memory: the body of an attempt.
type bodyReader struct {
	b   []byte
	off int
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

func (r *bodyReader) Close() error { return nil }

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
