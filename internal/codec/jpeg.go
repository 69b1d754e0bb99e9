package codec

import (
	"errors"
	"fmt"
	"image"
)

// errJPEGUnsupported marks JPEG variants that decodeIJG leaves to Go's own
// decoder: arithmetic coding, lossless and hierarchical modes, 12-bit
// samples, and colour spaces other than grey and YCbCr.
var errJPEGUnsupported = errors.New("jpeg variant not handled by the IJG-compatible decoder")

// natural[i] is the position, in row-major order, of the i-th coefficient in
// zig-zag order.
var natural = [64 + 16]int{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
	// Extra entries so that corrupt data running past 63 lands on 63.
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
}

type jpegComponent struct {
	id     uint8
	h, v   int // sampling factors
	tq     int // quantization table selector
	q      *[64]uint16
	bw, bh int // blocks per line and per column, padded to whole MCUs
	coef   [][64]int16
	dcPred int32
	td, ta int // Huffman table selectors of the current scan
}

type jpegDecoder struct {
	d          []byte
	pos        int
	width      int
	height     int
	progress   bool
	comps      []jpegComponent
	maxH, maxV int
	mcusX      int
	mcusY      int
	qt         [4]*[64]uint16
	dc, ac     [4]*huffTable
	restart    int
	adobe      bool
	transform  int
	jfif       bool
	eobrun     int
	bits       bitReader
	lim        Limits
}

// decodeIJG decodes a JPEG the way the IJG library does (see jpegidct.go).
// It returns errJPEGUnsupported for variants it does not handle.
func decodeIJG(data []byte, lim Limits) (image.Image, error) {
	d := &jpegDecoder{d: data, lim: lim.orDefault()}
	if err := d.parse(); err != nil {
		return nil, err
	}
	return d.output()
}

func (d *jpegDecoder) u16(i int) int { return int(d.d[i])<<8 | int(d.d[i+1]) }

// parse reads the markers and the entropy-coded scans into coefficients.
func (d *jpegDecoder) parse() error {
	if len(d.d) < 4 || d.d[0] != 0xff || d.d[1] != 0xd8 {
		return errors.New("missing SOI marker")
	}
	d.pos = 2
	scans := 0
	for {
		m, err := d.nextMarker()
		if err != nil {
			if d.comps != nil && scans > 0 {
				return nil // truncated after some scans: keep what we have, as IJG does
			}
			return err
		}
		if m == 0xd9 { // EOI
			if scans == 0 {
				return errors.New("no scans before EOI")
			}
			return nil
		}
		if m >= 0xd0 && m <= 0xd7 || m == 0x01 {
			continue // stray RST or TEM: no length
		}
		if d.pos+2 > len(d.d) {
			return errors.New("truncated marker segment")
		}
		n := d.u16(d.pos)
		if n < 2 || d.pos+n > len(d.d) {
			return fmt.Errorf("marker %#x: bad length %d", m, n)
		}
		seg := d.d[d.pos+2 : d.pos+n]
		d.pos += n
		switch {
		case m == 0xc0 || m == 0xc1 || m == 0xc2:
			if d.comps != nil {
				return errors.New("more than one frame")
			}
			d.progress = m == 0xc2
			if err := d.parseSOF(seg); err != nil {
				return err
			}
		case m >= 0xc3 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			return fmt.Errorf("%w: SOF%d", errJPEGUnsupported, m-0xc0)
		case m == 0xc4:
			if err := d.parseDHT(seg); err != nil {
				return err
			}
		case m == 0xcc:
			return fmt.Errorf("%w: arithmetic coding", errJPEGUnsupported)
		case m == 0xdb:
			if err := d.parseDQT(seg); err != nil {
				return err
			}
		case m == 0xdd:
			if len(seg) < 2 {
				return errors.New("bad DRI")
			}
			d.restart = int(seg[0])<<8 | int(seg[1])
		case m == 0xda:
			if d.comps == nil {
				return errors.New("scan before frame")
			}
			scans++
			if scans > maxJPEGScans {
				return fmt.Errorf("more than %d scans", maxJPEGScans)
			}
			if err := d.parseSOS(seg); err != nil {
				return err
			}
		case m == 0xe0:
			if len(seg) >= 5 && string(seg[:5]) == "JFIF\x00" {
				d.jfif = true
			}
		case m == 0xee:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe = true
				d.transform = int(seg[11])
			}
		}
	}
}

// nextMarker skips to the next marker, as IJG does (it tolerates and skips
// garbage bytes before a marker), and returns its code.
func (d *jpegDecoder) nextMarker() (byte, error) {
	for {
		for d.pos < len(d.d) && d.d[d.pos] != 0xff {
			d.pos++
		}
		for d.pos < len(d.d) && d.d[d.pos] == 0xff {
			d.pos++
		}
		if d.pos >= len(d.d) {
			return 0, errors.New("unexpected end of data")
		}
		m := d.d[d.pos]
		d.pos++
		if m != 0 {
			return m, nil
		}
	}
}

func (d *jpegDecoder) parseSOF(s []byte) error {
	if len(s) < 6 {
		return errors.New("short SOF")
	}
	if s[0] != 8 {
		return fmt.Errorf("%w: %d-bit samples", errJPEGUnsupported, s[0])
	}
	d.height, d.width = int(s[1])<<8|int(s[2]), int(s[3])<<8|int(s[4])
	nc := int(s[5])
	if d.width == 0 || d.height == 0 {
		return errors.New("zero image size")
	}
	if int64(d.width)*int64(d.height) > d.lim.MaxPixels {
		return fmt.Errorf("%w: %dx%d", ErrTooLarge, d.width, d.height)
	}
	if nc != 1 && nc != 3 {
		return fmt.Errorf("%w: %d components", errJPEGUnsupported, nc)
	}
	if len(s) < 6+3*nc {
		return errors.New("short SOF")
	}
	d.comps = make([]jpegComponent, nc)
	for i := range d.comps {
		c := &d.comps[i]
		c.id = s[6+3*i]
		c.h, c.v = int(s[7+3*i]>>4), int(s[7+3*i]&15)
		c.tq = int(s[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return errors.New("bad component parameters")
		}
		d.maxH, d.maxV = max(d.maxH, c.h), max(d.maxV, c.v)
	}
	if nc == 1 {
		// A single component is never subsampled: its MCU is one block.
		d.comps[0].h, d.comps[0].v, d.maxH, d.maxV = 1, 1, 1, 1
	}
	for _, c := range d.comps {
		if d.maxH%c.h != 0 || d.maxV%c.v != 0 {
			return fmt.Errorf("%w: fractional sampling factors", errJPEGUnsupported)
		}
	}
	d.mcusX = ceilDiv(d.width, 8*d.maxH)
	d.mcusY = ceilDiv(d.height, 8*d.maxV)
	for i := range d.comps {
		c := &d.comps[i]
		c.bw, c.bh = d.mcusX*c.h, d.mcusY*c.v
		c.coef = make([][64]int16, c.bw*c.bh)
	}
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func (d *jpegDecoder) parseDQT(s []byte) error {
	for len(s) > 0 {
		pq, tq := s[0]>>4, int(s[0]&15)
		if tq > 3 || pq > 1 {
			return errors.New("bad DQT")
		}
		n := 64 * (1 + int(pq))
		if len(s) < 1+n {
			return errors.New("short DQT")
		}
		t := new([64]uint16)
		for i := 0; i < 64; i++ {
			if pq == 0 {
				t[natural[i]] = uint16(s[1+i])
			} else {
				t[natural[i]] = uint16(s[1+2*i])<<8 | uint16(s[2+2*i])
			}
		}
		d.qt[tq] = t
		s = s[1+n:]
	}
	return nil
}

func (d *jpegDecoder) parseSOS(s []byte) error {
	if len(s) < 1 {
		return errors.New("short SOS")
	}
	ns := int(s[0])
	if ns < 1 || ns > len(d.comps) || len(s) < 1+2*ns+3 {
		return errors.New("bad SOS")
	}
	scomps := make([]*jpegComponent, ns)
	for i := 0; i < ns; i++ {
		id := s[1+2*i]
		var c *jpegComponent
		for j := range d.comps {
			if d.comps[j].id == id {
				c = &d.comps[j]
			}
		}
		if c == nil {
			return fmt.Errorf("scan names unknown component %d", id)
		}
		c.td, c.ta = int(s[2+2*i]>>4), int(s[2+2*i]&15)
		if c.td > 3 || c.ta > 3 {
			return errors.New("bad Huffman table selector")
		}
		if c.q == nil { // latch the quantization table at the first scan
			if d.qt[c.tq] == nil {
				return errors.New("missing quantization table")
			}
			c.q = d.qt[c.tq]
		}
		scomps[i] = c
	}
	ss, se := int(s[1+2*ns]), int(s[2+2*ns])
	ah, al := int(s[3+2*ns]>>4), int(s[3+2*ns]&15)
	if d.progress {
		if ss > se || se > 63 || ss == 0 && se != 0 || ss > 0 && ns != 1 || al > 13 {
			return errors.New("bad progressive scan parameters")
		}
	} else {
		ss, se, ah, al = 0, 63, 0, 0
	}
	d.bits = bitReader{d: d.d, pos: d.pos}
	err := d.decodeScan(scomps, ss, se, ah, al)
	d.pos = d.bits.pos
	return err
}

// decodeScan decodes the entropy-coded data of one scan.
func (d *jpegDecoder) decodeScan(sc []*jpegComponent, ss, se, ah, al int) error {
	for _, c := range sc {
		c.dcPred = 0
		if ss == 0 && ah == 0 && d.dc[c.td] == nil || se > 0 && d.ac[c.ta] == nil && (ss > 0 || !d.progress) {
			return errors.New("missing Huffman table")
		}
	}
	d.eobrun = 0
	// The blocks the scan visits, in order.
	var units int
	var mcuW int
	single := len(sc) == 1
	if single {
		c := sc[0]
		mcuW = ceilDiv(ceilDiv(d.width*c.h, d.maxH), 8)
		units = mcuW * ceilDiv(ceilDiv(d.height*c.v, d.maxV), 8)
	} else {
		units = d.mcusX * d.mcusY
	}
	left := d.restart
	for u := 0; u < units; u++ {
		if d.restart > 0 {
			if left == 0 {
				d.bits.restart()
				for _, c := range sc {
					c.dcPred = 0
				}
				d.eobrun = 0
				left = d.restart
			}
			left--
		}
		if single {
			c := sc[0]
			bx, by := u%mcuW, u/mcuW
			d.decodeBlock(c, &c.coef[by*c.bw+bx], ss, se, ah, al)
			continue
		}
		mx, my := u%d.mcusX, u/d.mcusX
		for _, c := range sc {
			for v := 0; v < c.v; v++ {
				for h := 0; h < c.h; h++ {
					b := (my*c.v+v)*c.bw + mx*c.h + h
					d.decodeBlock(c, &c.coef[b], ss, se, ah, al)
				}
			}
		}
	}
	d.bits.skipToMarker()
	return nil
}

// decodeBlock decodes one block's part of a scan. Corrupt data never fails:
// like IJG, missing bits read as zeros.
func (d *jpegDecoder) decodeBlock(c *jpegComponent, blk *[64]int16, ss, se, ah, al int) {
	br := &d.bits
	if !d.progress {
		t := d.dc[c.td]
		s := int(t.decode(br))
		if s > 0 {
			c.dcPred += extend(br.bitsN(s), s)
		}
		blk[0] = int16(c.dcPred)
		at := d.ac[c.ta]
		for k := 1; k < 64; k++ {
			rs := at.decode(br)
			r, s := int(rs>>4), int(rs&15)
			if s == 0 {
				if r != 15 {
					break
				}
				k += 15
				continue
			}
			k += r
			blk[natural[k]] = int16(extend(br.bitsN(s), s))
		}
		return
	}
	switch {
	case ss == 0 && ah == 0: // DC first
		s := int(d.dc[c.td].decode(br))
		if s > 0 {
			c.dcPred += extend(br.bitsN(s), s)
		}
		blk[0] = int16(c.dcPred << al)
	case ss == 0: // DC refinement
		if br.bit() {
			blk[0] |= int16(1 << al)
		}
	case ah == 0: // AC first
		if d.eobrun > 0 {
			d.eobrun--
			return
		}
		at := d.ac[c.ta]
		for k := ss; k <= se; k++ {
			rs := at.decode(br)
			r, s := int(rs>>4), int(rs&15)
			if s == 0 {
				if r == 15 {
					k += 15
					continue
				}
				d.eobrun = 1 << r
				if r > 0 {
					d.eobrun += int(br.bitsN(r))
				}
				d.eobrun--
				break
			}
			k += r
			blk[natural[k]] = int16(extend(br.bitsN(s), s) << al)
		}
	default: // AC refinement
		d.refineAC(c, blk, ss, se, al)
	}
}

// refineAC is the successive-approximation refinement of AC coefficients
// (jdphuff.c decode_mcu_AC_refine).
func (d *jpegDecoder) refineAC(c *jpegComponent, blk *[64]int16, ss, se, al int) {
	br := &d.bits
	p1 := int16(1) << al
	m1 := int16(-1) << al
	refine := func(k int) {
		z := &blk[natural[k]]
		if *z != 0 && br.bit() && *z&p1 == 0 {
			if *z >= 0 {
				*z += p1
			} else {
				*z += m1
			}
		}
	}
	k := ss
	if d.eobrun == 0 {
		at := d.ac[c.ta]
		for ; k <= se; k++ {
			rs := at.decode(br)
			r, s := int(rs>>4), int(rs&15)
			var val int16
			if s != 0 {
				// s must be 1; anything else is corrupt and treated as 1.
				if br.bit() {
					val = p1
				} else {
					val = m1
				}
			} else if r != 15 {
				d.eobrun = 1 << r
				if r > 0 {
					d.eobrun += int(br.bitsN(r))
				}
				break
			}
			// Skip r zero coefficients, refining the non-zero ones passed.
			for ; k <= se; k++ {
				if blk[natural[k]] != 0 {
					refine(k)
					continue
				}
				if r == 0 {
					break
				}
				r--
			}
			if val != 0 {
				// k <= se+1 <= 64; like IJG, a corrupt run that overshoots
				// the band still places the coefficient (natural[64] is 63).
				blk[natural[k]] = val
			}
		}
	}
	if d.eobrun > 0 {
		for ; k <= se; k++ {
			refine(k)
		}
		d.eobrun--
	}
}

// extend turns the s-bit value v into a signed coefficient difference.
func extend(v uint32, s int) int32 {
	if s == 0 {
		return 0
	}
	if v < 1<<(s-1) {
		return int32(v) - (1 << s) + 1
	}
	return int32(v)
}
