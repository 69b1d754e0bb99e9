package main

import (
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/raytracer"
)

func init() { addCommand(newRaytraceCmd) }

type raytraceOpts struct {
	out    string
	texmap string
	win    windowFlags
	p      raytracer.Params // Threads from its flag, the rest from win
}

func newRaytraceCmd() *cobra.Command {
	var o raytraceOpts
	cmd := &cobra.Command{
		Use:   "raytrace SCENE.txt -o OUT",
		Short: "Ray-trace a scene file locally",
		Long: `Render a scene in the original's text format on every core and write the
image to OUT, in the format of OUT's extension: .bmp (24-bit, as the original
service answers), .png or .jpg/.jpeg (quality 90).

The camera spans the whole scene of scols x srows pixels; the output is the
window of wcols x wrows pixels (default: the whole scene). Window pixel
(c, r), r counted from the top, shows scene column c+coff and scene row
wrows-1-(r+roff), scene row 0 being the bottom. --roff therefore has the
original HTTP API's meaning, used as given: with a window smaller than the
scene, roff 0 shows the bottom rows, a positive roff moves further down and a
negative one moves up. (The original's command line negated roff; this one
does not.)

One line goes to stderr: size, rays traced, work units, wall and CPU time.`,
		Example: `  vfx raytrace test01.txt -o test01.bmp --scols 400 --srows 300
  vfx raytrace test-texmap.txt --texmap test-texmap.bmp -o out.png --aa
  vfx raytrace test04.txt -o quadrant.jpg --scols 800 --srows 450 --wcols 400 --wrows 225 --roff -225`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRaytrace(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	bindOutput(f, &o.out)
	o.win.bind(f)
	pathVar(f, &o.texmap, "texmap", "texture image (BMP, PNG, JPEG or GIF) for texmap pigments")
	f.IntVar(&o.p.Threads, "threads", 0, "goroutines to render with (0 = all cores)")
	return cmd
}

func runRaytrace(cmd *cobra.Command, scenePath string, o raytraceOpts) error {
	if err := requireOutput(o.out); err != nil {
		return err
	}
	encode, err := imageEncoder(o.out)
	if err != nil {
		return usageError(err)
	}
	w := o.win
	o.p.SCols, o.p.SRows, o.p.COff, o.p.ROff, o.p.AA = w.scols, w.srows, w.coff, w.roff, w.aa
	o.p.WCols, o.p.WRows = w.window()
	lim := raytracer.DefaultLimits()
	if err := o.p.Validate(lim); err != nil {
		return usageError(fmt.Errorf("invalid parameters:\n%w", err))
	}
	src, err := os.ReadFile(scenePath)
	if err != nil {
		return err
	}
	var texmap []byte
	if o.texmap != "" {
		if texmap, err = os.ReadFile(o.texmap); err != nil {
			return err
		}
	}
	scene, err := raytracer.ParseScene(src, texmap, lim)
	if err != nil {
		return fmt.Errorf("%s: %w", scenePath, err)
	}

	start := time.Now()
	img, st, err := raytracer.Render(cmd.Context(), scene, o.p)
	wall := time.Since(start)
	if err != nil {
		return err
	}
	if err := writeImage(o.out, img, encode); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "raytrace: %s %dx%d (scene %dx%d, aa %v): %d rays, %d work units, wall %v, cpu %v\n",
		o.out, o.p.WCols, o.p.WRows, o.p.SCols, o.p.SRows, o.p.AA, st.Rays, st.Units(),
		wall.Round(time.Millisecond), st.CPU.Round(time.Millisecond))
	return nil
}

// imageEncoder picks the encoder for path's extension.
func imageEncoder(path string) (func(io.Writer, image.Image) error, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".bmp":
		return codec.EncodeBMP, nil
	case ".png":
		return png.Encode, nil
	case ".jpg", ".jpeg":
		return func(w io.Writer, img image.Image) error {
			return jpeg.Encode(w, img, &jpeg.Options{Quality: 90})
		}, nil
	case "":
		return nil, fmt.Errorf("output %q has no extension: use .bmp, .png, .jpg or .jpeg", path)
	default:
		return nil, fmt.Errorf("output %q: unknown image extension %q: use .bmp, .png, .jpg or .jpeg", path, ext)
	}
}

// writeImage encodes img to path, removing the file if that fails.
func writeImage(path string, img image.Image, encode func(io.Writer, image.Image) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = encode(f, img)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("writing %s: %w", path, err), os.Remove(path))
	}
	return nil
}
