package autoscaler

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// si formats a quantity with three significant digits and a k/M/G/T
// suffix: 812345 → "812k", 4.2e7 → "42M".
func si(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Sprint(v)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	for _, u := range []struct {
		scale  float64
		suffix string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(r) >= u.scale {
			return strconv.FormatFloat(roundSig(r/u.scale), 'f', -1, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func roundSig(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return r
}

// fmtDur formats a duration for a reason: whole seconds from one second
// up, milliseconds below.
func fmtDur(d time.Duration) string {
	if d >= time.Second || d <= -time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

// pct formats a share as a percentage: 0.7 → "70%".
func pct(share float64) string {
	return strconv.FormatFloat(roundSig(share*100), 'f', -1, 64) + "%"
}
