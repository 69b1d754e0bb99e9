package worker

import (
	"context"
	"fmt"
	"image"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/imageproc"
	"github.com/specialvfx/vfx/internal/instrument"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/workload"
)

// runFunc runs a decoded request's workload and returns the output image
// and what it cost (Units, CPU; Wall is left to the caller).
type runFunc func(ctx context.Context, req *Request, threads int, lim Limits) (image.Image, instrument.Cost, error)

// runWorkload runs the real workloads. For blur and enhance it decodes the
// image first and counts the decoding's CPU time.
func runWorkload(ctx context.Context, req *Request, threads int, lim Limits) (image.Image, instrument.Cost, error) {
	var cost instrument.Cost
	switch req.Kind {
	case workload.Raytracer:
		p := req.Params
		p.Threads = threads
		img, st, err := raytracer.Render(ctx, req.Scene, p)
		cost.CPU, cost.Units = st.CPU, st.Units()
		if err != nil {
			return nil, cost, fmt.Errorf("render: %w", err)
		}
		return img, cost, nil
	case workload.Blur, workload.Enhance:
		var (
			src image.Image
			err error
		)
		cost.CPU = instrument.Measure(func() { src, _, err = codec.Decode(req.Image, lim.Image) })
		if err != nil {
			return nil, cost, imageError(err, "decoding the image: ")
		}
		o := imageproc.Options{Threads: threads}
		var (
			out image.Image
			st  imageproc.Stats
		)
		if req.Kind == workload.Blur {
			var rgba *image.RGBA
			rgba, st, err = imageproc.Blur(ctx, src, o)
			out = rgba
		} else {
			var gray *image.Gray
			gray, st, err = imageproc.Enhance(ctx, src, o)
			out = gray
		}
		cost.CPU += st.CPU
		cost.Units = st.Units
		if err != nil {
			return nil, cost, fmt.Errorf("%s: %w", req.Kind, err)
		}
		return out, cost, nil
	}
	return nil, cost, fmt.Errorf("unknown workload %q", req.Kind)
}
