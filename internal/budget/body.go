package budget

import (
	"fmt"
	"io"
)

// firstChunk is the capacity a body is first read into; each further
// chunk doubles what is read so far.
const firstChunk = 64 << 10

// ReadBody reads r to its end into memory, reserving on h the capacity of
// the buffer before it grows: the buffer starts at 64 KiB and doubles, so a
// body holds at most twice its length and a slow client only what it has
// sent. declared is the length the body announces (Content-Length; -1 when
// unknown): the buffer is never larger. limit is the longest body allowed.
//
// It fails with an error wrapping ErrTooLarge when declared or the body
// is longer than limit (without reading when declared says so), with the
// error of Reserve (ErrExhausted, ErrTooLarge) when the budget has no room
// for the next chunk, before reading it, and with r's error otherwise; with
// the error it returns the bytes read before it (a caller that reads a
// response ahead keeps them and streams the rest). What ReadBody reserved
// stays on h in every case: the caller releases h.
func ReadBody(r io.Reader, declared, limit int64, h *Hold) ([]byte, error) {
	return ReadBodyInto(r, declared, limit, h, nil)
}

// ReadBodyInto is ReadBody reading into scratch's memory as far as its
// capacity goes, instead of a new buffer for each chunk: the body is not
// copied from chunk to chunk, and a caller that reuses its buffers (a
// sync.Pool) allocates none. It reserves on h what ReadBody reserves, when
// ReadBody reserves it, whatever scratch's capacity: the budget counts
// what the body holds, not the scratch memory.
func ReadBodyInto(r io.Reader, declared, limit int64, h *Hold, scratch []byte) ([]byte, error) {
	if declared > limit {
		return nil, fmt.Errorf("%w: the body is %d bytes, the limit is %d", ErrTooLarge, declared, limit)
	}
	// A body of exactly its declared length fills the buffer; reading one
	// byte more, into probe, finds its end without growing it.
	capLimit := limit
	if declared >= 0 {
		capLimit = declared
	}
	var (
		buf   []byte
		probe [1]byte
	)
	for {
		if len(buf) == cap(buf) && int64(len(buf)) < capLimit {
			next := min(max(2*int64(cap(buf)), firstChunk), capLimit)
			if err := h.Reserve(next - int64(cap(buf))); err != nil {
				return buf, err
			}
			if next <= int64(cap(scratch)) {
				buf = scratch[:len(buf):next] // buf is scratch's start
			} else {
				grown := make([]byte, len(buf), next)
				copy(grown, buf)
				buf = grown
			}
		}
		var (
			n   int
			err error
		)
		if len(buf) < cap(buf) {
			n, err = r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
		} else {
			n, err = r.Read(probe[:])
			if n > 0 {
				return buf, fmt.Errorf("%w: the body is longer than %d bytes", ErrTooLarge, capLimit)
			}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
