package testutil

import "strings"

// Screen renders what a program wrote to a terminal of the given width as
// the rows a user would see at the end: printable characters at the cursor
// (wrapping at the last column as terminals do), carriage return, line
// feed, backspace, tab, and the erase sequences ESC [ K (to the end of the
// line, also 0K), ESC [ 1K and ESC [ 2K. Other escape sequences are
// skipped. Rows are returned without trailing spaces, trailing empty rows
// dropped. It lets a test check what stays on a screen after a line was
// redrawn in place.
func Screen(out []byte, width int) []string {
	if width <= 0 {
		width = 80
	}
	var rows [][]rune
	row, col := 0, 0
	at := func(r int) []rune {
		for len(rows) <= r {
			rows = append(rows, nil)
		}
		return rows[r]
	}
	put := func(c rune) {
		if col >= width { // pending wrap
			row, col = row+1, 0
		}
		line := at(row)
		for len(line) <= col {
			line = append(line, ' ')
		}
		line[col] = c
		rows[row] = line
		col++
	}
	next := 0 // the byte after an escape sequence
	for i, r := range string(out) {
		if i < next {
			continue
		}
		switch {
		case r == '\r':
			col = 0
		case r == '\n':
			row++
			at(row)
			if col >= width {
				col = 0
			}
		case r == '\b':
			if col > 0 {
				col--
			}
		case r == '\t':
			for put(' '); col%8 != 0 && col < width; {
				put(' ')
			}
		case r == 0x1b:
			next = i + escape(out[i:], func(final byte, param string) {
				if final != 'K' {
					return
				}
				line := at(row)
				switch param {
				case "", "0": // from the cursor to the end
					rows[row] = line[:min(col, len(line))]
				case "1": // from the start to the cursor, included
					for j := 0; j <= col && j < len(line); j++ {
						line[j] = ' '
					}
				case "2": // the whole line
					rows[row] = nil
				}
			})
		case r < 0x20 || r == 0x7f:
		default:
			put(r)
		}
	}
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = strings.TrimRight(string(r), " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// escape reads the escape sequence at the start of b (b[0] is ESC), calls
// csi with the final byte and parameters of a control sequence (ESC [), and
// returns the sequence's length.
func escape(b []byte, csi func(final byte, param string)) int {
	if len(b) < 2 || b[1] != '[' {
		return min(2, len(b))
	}
	for j := 2; j < len(b); j++ {
		if b[j] >= 0x40 && b[j] <= 0x7e {
			csi(b[j], string(b[2:j]))
			return j + 1
		}
	}
	return len(b)
}
