package main

import (
	"context"
	"image"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/imageproc"
)

func init() {
	addCommand(func() *cobra.Command {
		return newImageCommand("blur",
			"Blur an image like the original /blurimage (Gaussian, radius 32, sigma 13)",
			`Blur applies the original system's Gaussian blur to each of the R, G and B
channels: BoofCV's 65-tap integer kernel (radius 32, sigma 13), rows then
columns, renormalised at the borders. One work unit is one kernel tap (a
multiply-add) on one channel sample.`,
			func(ctx context.Context, img image.Image, o imageproc.Options) (image.Image, imageproc.Stats, error) {
				return imageproc.Blur(ctx, img, o)
			})
	})
}
