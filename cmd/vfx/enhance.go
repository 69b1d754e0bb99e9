package main

import (
	"context"
	"image"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/imageproc"
)

func init() {
	addCommand(func() *cobra.Command {
		return newImageCommand("enhance",
			"Enhance an image like the original /enhanceimage (local histogram equalisation)",
			`Enhance converts the image to grey ((r+g+b)/3) and applies the original
system's local histogram equalisation over a 101x101 window, shifted to stay
inside the image. The output is a grey image. One work unit is one histogram
bin touched.`,
			func(ctx context.Context, img image.Image, o imageproc.Options) (image.Image, imageproc.Stats, error) {
				return imageproc.Enhance(ctx, img, o)
			})
	})
}
