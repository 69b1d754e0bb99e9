// Command lbimage re-encodes an image file (BMP, PNG, JPEG or GIF) as a
// JPEG of a given quality, for bench/lb.sh: land3_640x480.bmp of the seed
// data at quality 98 is a 493 KB JPEG, whose blur request body is a data
// URL of 657 KiB.
//
//	go run ./bench/lbimage -quality 98 IN OUT.jpg
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image/jpeg"
	"os"

	"github.com/specialvfx/vfx/internal/codec"
)

func main() {
	quality := flag.Int("quality", 98, "JPEG quality, 1 to 100")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: lbimage [-quality Q] IN OUT.jpg")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *quality); err != nil {
		fmt.Fprintln(os.Stderr, "lbimage:", err)
		os.Exit(1)
	}
}

func run(in, out string, quality int) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	img, _, err := codec.Decode(data, codec.DefaultLimits())
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
