package codec

import "errors"

// bitReader reads the entropy-coded segment of a scan the way IJG does:
// stuffed 0xFF00 bytes are data, a marker ends the data and from then on
// zeros are supplied, and restart markers are found by skipping anything in
// between.
type bitReader struct {
	d      []byte
	pos    int    // next byte to read
	acc    uint64 // the low n bits are unread
	n      uint
	marker bool // a marker (at d[pos]) ended the data
}

func (b *bitReader) fill() {
	for b.n <= 56 {
		if b.marker || b.pos >= len(b.d) {
			b.acc <<= 8 // past the data: zeros
			b.n += 8
			continue
		}
		c := b.d[b.pos]
		if c != 0xff {
			b.acc = b.acc<<8 | uint64(c)
			b.n += 8
			b.pos++
			continue
		}
		i := b.pos + 1
		for i < len(b.d) && b.d[i] == 0xff {
			i++ // fill bytes
		}
		if i < len(b.d) && b.d[i] == 0 {
			b.acc = b.acc<<8 | 0xff
			b.n += 8
			b.pos = i + 1
			continue
		}
		b.marker = true // leave pos at the 0xFF
	}
}

func (b *bitReader) peek(k uint) uint32 {
	if b.n < k {
		b.fill()
	}
	return uint32(b.acc>>(b.n-k)) & (1<<k - 1)
}

func (b *bitReader) skip(k uint) { b.n -= k }

func (b *bitReader) bit() bool {
	v := b.peek(1)
	b.n--
	return v != 0
}

func (b *bitReader) bitsN(s int) uint32 {
	if s == 0 {
		return 0
	}
	v := b.peek(uint(s))
	b.n -= uint(s)
	return v
}

// restart drops the buffered bits and moves past the next RSTn marker,
// skipping any bytes before it. Another marker is left in place, and the
// following data then reads as zeros.
func (b *bitReader) restart() {
	b.acc, b.n = 0, 0
	i := b.pos
	for i < len(b.d) && b.d[i] != 0xff {
		i++
	}
	for {
		for i < len(b.d) && b.d[i] == 0xff {
			i++
		}
		if i >= len(b.d) {
			b.pos, b.marker = len(b.d), true
			return
		}
		if b.d[i] != 0 {
			break
		}
		// A stuffed zero outside data: keep looking for a marker.
		for i < len(b.d) && b.d[i] != 0xff {
			i++
		}
	}
	if m := b.d[i]; m >= 0xd0 && m <= 0xd7 {
		b.pos, b.marker = i+1, false
		return
	}
	b.pos, b.marker = i-1, true
}

// skipToMarker drops the buffered bits at the end of a scan.
func (b *bitReader) skipToMarker() { b.acc, b.n = 0, 0 }

// huffTable is a decoding table for one Huffman table (DHT).
type huffTable struct {
	lookup  [256]uint16 // codes of up to 8 bits: length<<8 | symbol, 0 if longer
	maxcode [18]int32   // largest code of each length, -1 if none
	valptr  [17]int32   // index in vals of the first code of each length
	mincode [17]int32
	vals    []uint8
}

func (d *jpegDecoder) parseDHT(s []byte) error {
	for len(s) > 0 {
		if len(s) < 17 {
			return errors.New("short DHT")
		}
		tc, th := s[0]>>4, int(s[0]&15)
		if tc > 1 || th > 3 {
			return errors.New("bad DHT class or id")
		}
		var counts [17]int
		total := 0
		for l := 1; l <= 16; l++ {
			counts[l] = int(s[l])
			total += counts[l]
		}
		if total > 256 || len(s) < 17+total {
			return errors.New("bad DHT counts")
		}
		t := &huffTable{vals: append([]uint8(nil), s[17:17+total]...)}
		if tc == 0 {
			for _, v := range t.vals {
				if v > 15 {
					return errors.New("bad DC Huffman symbol")
				}
			}
		}
		code, k := int32(0), int32(0)
		for l := 1; l <= 16; l++ {
			t.valptr[l] = k
			t.mincode[l] = code
			code += int32(counts[l])
			k += int32(counts[l])
			if counts[l] > 0 {
				t.maxcode[l] = code - 1
			} else {
				t.maxcode[l] = -1
			}
			if code > 1<<l {
				return errors.New("bad Huffman table: code overflow")
			}
			if l <= 8 {
				for c := t.mincode[l]; c < code; c++ {
					sym := t.vals[t.valptr[l]+c-t.mincode[l]]
					shift := uint(8 - l)
					for j := int32(0); j < 1<<shift; j++ {
						t.lookup[c<<shift|j] = uint16(l)<<8 | uint16(sym)
					}
				}
			}
			code <<= 1
		}
		t.maxcode[17] = 1 << 30 // sentinel: ends the search
		if tc == 0 {
			d.dc[th] = t
		} else {
			d.ac[th] = t
		}
		s = s[17+total:]
	}
	return nil
}

// decode reads one symbol. An invalid code yields symbol 0 after 17 bits,
// as in IJG.
func (t *huffTable) decode(br *bitReader) uint8 {
	if e := t.lookup[br.peek(8)]; e != 0 {
		br.skip(uint(e >> 8))
		return uint8(e)
	}
	code := int32(br.peek(8))
	br.skip(8)
	l := 9
	for ; l <= 16; l++ {
		code = code<<1 | int32(br.peek(1))
		br.skip(1)
		if code <= t.maxcode[l] {
			return t.vals[t.valptr[l]+code-t.mincode[l]]
		}
	}
	br.bit() // the 17th bit
	return 0
}
