package main

import (
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// byteSize is the flag type of every size in bytes: a number with an
// optional unit, KB, MB, GB (powers of 1000), KiB, MiB, GiB or, as Docker
// writes them, k, m, g (powers of 1024), e.g. 1048576, 64MiB, 100MB or
// 512m. Units are case-insensitive; negative sizes are refused (whether
// 0 is allowed is the flag's config's to say).
type byteSize int64

// sizeVar registers a size flag on fs that sets *p, with *p as its
// default.
func sizeVar(fs *pflag.FlagSet, p *int64, name, usage string) {
	fs.Var((*byteSize)(p), name, usage)
}

// sizeUnits are the units String writes, largest first.
var sizeUnits = []struct {
	name string
	size int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}

// sizeMultipliers are the units Set reads, in lower case.
var sizeMultipliers = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1000,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1000 * 1000,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1000 * 1000 * 1000,
}

// String writes the size in the largest binary unit that divides it,
// e.g. 64MiB, or in bytes.
func (b *byteSize) String() string {
	n := int64(*b)
	for _, u := range sizeUnits {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// Set implements pflag.Value.
func (b *byteSize) Set(s string) error {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 && (s[i-1] < '0' || s[i-1] > '9') {
		i--
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	mult := sizeMultipliers[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 || n < 0 || n > (1<<62)/mult {
		return errors.New("want a size in bytes such as 1048576, 64MiB, 100MB or 1GiB")
	}
	*b = byteSize(n * mult)
	return nil
}

// Type implements pflag.Value: the help shows "--max-body size".
func (b *byteSize) Type() string { return "size" }
