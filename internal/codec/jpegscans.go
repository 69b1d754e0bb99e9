package codec

import "bytes"

// jpegScans counts the SOS markers of a JPEG stream written to it in
// pieces of any size: it skips marker segments by their lengths and
// entropy-coded data by its markers, from the third byte on, and stops at
// EOI. A marker in the last three bytes of the stream is not counted.
type jpegScans struct {
	n       int
	skip    int64   // bytes still to skip: the SOI, then segment payloads
	carry   [3]byte // the last bytes of the previous piece, not yet scanned
	ncarry  int
	started bool
	done    bool // EOI seen
}

// Write scans p; it never fails.
func (s *jpegScans) Write(p []byte) (int, error) {
	n := len(p)
	if !s.started {
		s.started, s.skip = true, 2
	}
	for len(p) > 0 && !s.done {
		if s.skip > 0 {
			k := min(s.skip, int64(len(p)))
			p, s.skip = p[k:], s.skip-k
			continue
		}
		if s.ncarry == 0 {
			s.rest(p, s.scan(p))
			break
		}
		// The carried bytes and the start of p, scanned together until the
		// scan moves past the carried ones.
		var buf [12]byte
		c := s.ncarry
		m := c + copy(buf[c:], p)
		copy(buf[:c], s.carry[:c])
		s.ncarry = 0
		i := s.scan(buf[:m])
		if i < c { // p was too short to move on: all of it is carried
			s.rest(buf[:m], i)
			break
		}
		if i-c > len(p) {
			s.skip = int64(i - c - len(p))
			break
		}
		p = p[i-c:]
	}
	return n, nil
}

// rest keeps what a scan of d that stopped at i left: bytes to skip, or
// up to three bytes to scan with the next piece.
func (s *jpegScans) rest(d []byte, i int) {
	if i > len(d) {
		s.skip = int64(i - len(d))
		return
	}
	s.ncarry = copy(s.carry[:], d[i:])
}

// scan scans d from its start and returns where it stopped: at a position
// with fewer than four bytes of d left, or beyond d's end (a segment to
// skip). It sets done at EOI.
func (s *jpegScans) scan(d []byte) int {
	i := 0
	for i+3 < len(d) {
		if d[i] != 0xff {
			// Entropy-coded data, or junk between segments: on to the
			// next 0xff that can start a marker.
			k := bytes.IndexByte(d[i+1:len(d)-3], 0xff)
			if k < 0 {
				return len(d) - 3
			}
			i += 1 + k
			continue
		}
		switch m := d[i+1]; {
		case m == 0xff:
			i++
		case m == 0x00 || m >= 0xd0 && m <= 0xd7 || m == 0x01:
			i += 2
		case m == 0xd9:
			s.done = true
			return len(d)
		default:
			if m == 0xda {
				s.n++
			}
			i += 2 + (int(d[i+2])<<8 | int(d[i+3]))
		}
	}
	return i
}
