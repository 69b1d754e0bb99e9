package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/imageproc"
)

// imageFilter is one of the image workloads (blur, enhance).
type imageFilter func(ctx context.Context, img image.Image, o imageproc.Options) (image.Image, imageproc.Stats, error)

// newImageCommand builds the command of an image workload: read IN (JPEG,
// PNG, BMP or GIF), apply the filter, write OUT in the format its extension
// names, and report the cost in one line on stderr.
func newImageCommand(name, short, long string, filter imageFilter) *cobra.Command {
	var (
		out     string
		threads int
		lim     = codec.DefaultLimits()
	)
	cmd := &cobra.Command{
		Use:   name + " IN -o OUT",
		Short: short,
		Long: long + `

IN may be a JPEG, PNG, BMP or GIF file (the first frame of a GIF). The format
of OUT is taken from its extension: .jpg/.jpeg (quality 75), .png, .bmp or
.gif. One line on stderr reports the image size, the work units and the wall
and CPU time of the filter. Exit status: 0 on success, 2 for a usage error
(bad flags, an unsupported output extension), 1 for any other failure.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(fmt.Errorf("%s takes one input file, got %d arguments", name, len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireOutput(out); err != nil {
				return err
			}
			return runImageCommand(cmd.Context(), cmd.ErrOrStderr(), name, args[0], out, threads, lim, filter)
		},
	}
	f := cmd.Flags()
	bindOutput(f, &out)
	f.IntVar(&threads, "threads", 0, "threads to use; 0 = one per CPU")
	f.Int64Var(&lim.MaxPixels, "max-pixels", lim.MaxPixels, "reject input images with more pixels than this")
	sizeVar(f, &lim.MaxBytes, "max-bytes", "reject input files larger than this, e.g. 32MiB")
	return cmd
}

func runImageCommand(ctx context.Context, stderr io.Writer, name, in, out string, threads int, lim codec.Limits, filter imageFilter) error {
	if threads < 0 {
		return usageError(fmt.Errorf("--threads must be >= 0, got %d", threads))
	}
	if lim.MaxPixels <= 0 || lim.MaxBytes <= 0 {
		return usageError(errors.New("--max-pixels and --max-bytes must be positive"))
	}
	outFormat, err := codec.FormatFromPath(out)
	if err != nil {
		return usageError(fmt.Errorf("output: %w", err))
	}
	start := time.Now()
	data, err := readLimited(in, lim.MaxBytes)
	if err != nil {
		return err
	}
	img, inFormat, err := codec.Decode(data, lim)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	filterStart := time.Now()
	res, st, err := filter(ctx, img, imageproc.Options{Threads: threads})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	filterWall := time.Since(filterStart)
	var buf bytes.Buffer
	if err := codec.Encode(&buf, res, outFormat); err != nil {
		return err
	}
	if err := writeFileAtomic(out, buf.Bytes()); err != nil {
		return err
	}
	b := img.Bounds()
	fmt.Fprintf(stderr, "%s: %s (%s %dx%d) -> %s (%s, %d bytes): %d units, filter wall %v cpu %v, total wall %v\n",
		name, in, inFormat, b.Dx(), b.Dy(), out, outFormat, buf.Len(), st.Units,
		filterWall.Round(time.Microsecond), st.CPU.Round(time.Microsecond), time.Since(start).Round(time.Microsecond))
	return nil
}

// readLimited reads a whole file, refusing files larger than max bytes.
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", path, codec.ErrTooLarge, max)
	}
	return data, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// into place, so a failed run never leaves a partial output.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
