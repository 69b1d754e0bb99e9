package statefile

import (
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// encode writes an XML declaration and doc indented by two spaces.
func encode(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// cpuLoad writes a CPU load in percent as the original did: Java's
// Double.toString, and -1.0 for an unknown load (negative, NaN or
// infinite).
func cpuLoad(v float64) string {
	if !(v >= 0) || math.IsInf(v, 1) {
		v = -1
	}
	return javaDouble(v)
}

// javaDouble formats a finite v like Java's Double.toString: the shortest
// digits that read back exactly, in plain decimal notation with at least
// one digit after the point when 10⁻³ ≤ |v| < 10⁷ (and for zero), else as
// d.dddE±n ("5.0E-4", "1.2345E7").
func javaDouble(v float64) string {
	if a := math.Abs(v); a == 0 || a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// number formats a quantity in plain decimal notation (exponent notation
// from 1e21 up); values that are negative or not numbers are written as 0.
func number(v float64) string {
	switch {
	case !(v >= 0):
		return "0"
	case v >= 1e21:
		return strconv.FormatFloat(v, 'e', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
