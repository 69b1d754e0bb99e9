package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/client"
	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/console"
)

func init() { addCommand(newRequestCmd) }

// requestOpts are the flags every request subcommand shares.
type requestOpts struct {
	url     string
	out     string
	timeout time.Duration
}

func newRequestCmd() *cobra.Command {
	var o requestOpts
	cmd := &cobra.Command{
		Use:   "request",
		Short: "Send a ray-trace, blur or enhance request to a worker or the load balancer",
		Long: `Send one request to the HTTP API (a worker or the load balancer) and write
the resulting image. The output format follows OUT's extension (.bmp, .png,
.jpg/.jpeg, .gif). For a lossless OUT (.png, .bmp) the server is asked for
that format, so the pixels are exactly those "vfx blur", "vfx enhance" and
"vfx raytrace" write; otherwise the image comes in the workload's own format
(the input's for blur and enhance, BMP for the ray tracer) and is converted
locally if need be. A one-line summary (size, worker, work units, time) goes
to stderr; on a terminal, a spinner shows while a request takes longer than
a second.`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.url, "url", envOr("VFX_URL", "http://127.0.0.1:8000"), "base URL of the worker or load balancer (env VFX_URL)")
	bindOutput(pf, &o.out)
	pf.DurationVar(&o.timeout, "timeout", 0, "give up after this long (0 = wait as long as the server works)")
	cmd.AddCommand(newRequestImageCmd(&o, "blur"), newRequestImageCmd(&o, "enhance"), newRequestRaytraceCmd(&o))
	return cmd
}

func newRequestImageCmd(o *requestOpts, name string) *cobra.Command {
	what := "Blur an image (Gaussian, radius 32)"
	if name == "enhance" {
		what = "Enhance an image (local histogram equalisation; grey output)"
	}
	return &cobra.Command{
		Use:   name + " IMAGE -o OUT",
		Short: what,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			outFormat, err := o.outFormat()
			if err != nil {
				return err
			}
			img, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			inFormat, err := codec.FormatFromPath(args[0])
			if err != nil {
				_, sniffed, serr := codec.DecodeConfig(img, codec.DefaultLimits())
				if serr != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				inFormat = sniffed
			}
			c := o.newRequestClient(outFormat)
			return o.send(cmd.Context(), outFormat, func(ctx context.Context) (*client.Result, error) {
				if name == "blur" {
					return c.Blur(ctx, inFormat, img)
				}
				return c.Enhance(ctx, inFormat, img)
			})
		},
	}
}

func newRequestRaytraceCmd(o *requestOpts) *cobra.Command {
	var (
		p      client.RaytraceParams // Multi from its flag, the rest from win
		win    windowFlags
		texmap string
	)
	cmd := &cobra.Command{
		Use:   "raytrace SCENE.txt -o OUT",
		Short: "Ray-trace a scene file (the original's text format)",
		Long: `Ray-trace a scene file. --wcols and --wrows default to the scene size;
--roff has the HTTP API's meaning (not negated as in the original's command
line).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			outFormat, err := o.outFormat()
			if err != nil {
				return err
			}
			scene, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var tm []byte
			if texmap != "" {
				if tm, err = os.ReadFile(texmap); err != nil {
					return fmt.Errorf("--texmap: %w", err)
				}
			}
			p.SCols, p.SRows, p.COff, p.ROff, p.AA = win.scols, win.srows, win.coff, win.roff, win.aa
			p.WCols, p.WRows = win.window()
			c := o.newRequestClient(outFormat)
			return o.send(cmd.Context(), outFormat, func(ctx context.Context) (*client.Result, error) {
				return c.Raytrace(ctx, scene, tm, p)
			})
		},
	}
	f := cmd.Flags()
	win.bind(f)
	f.BoolVar(&p.Multi, "multi", false, "the original's multi flag (accepted and recorded; output unchanged)")
	pathVar(f, &texmap, "texmap", "texture image file for scenes with a texmap pigment")
	return cmd
}

// outFormat is the format of the -o file.
func (o *requestOpts) outFormat() (string, error) {
	if err := requireOutput(o.out); err != nil {
		return "", err
	}
	f, err := codec.FormatFromPath(o.out)
	if err != nil {
		return "", usageError(fmt.Errorf("-o %s: %w", o.out, err))
	}
	return f, nil
}

// send runs the request, with a spinner on a terminal while it takes
// longer than a second, writes the output in outFormat and prints the
// summary. The spinner is removed before the summary is printed, through
// the same console, so nothing of it stays on the screen.
func (o *requestOpts) send(ctx context.Context, outFormat string, do func(context.Context) (*client.Result, error)) error {
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	con := console.ForFile(os.Stderr, console.Options{LiveAfter: time.Second})
	start := time.Now()
	step := con.Start("waiting for " + o.url)
	res, err := do(ctx)
	step.Clear()
	if err != nil {
		return err
	}
	rtt := time.Since(start)
	data := res.Image
	if !reqSameFormat(res.Format, outFormat) {
		img, _, err := codec.Decode(data, codec.DefaultLimits())
		if err != nil {
			return fmt.Errorf("decoding the server's %s answer: %w", res.Format, err)
		}
		var buf bytes.Buffer
		if err := codec.Encode(&buf, img, outFormat); err != nil {
			return fmt.Errorf("converting to %s: %w", outFormat, err)
		}
		data = buf.Bytes()
	}
	if err := os.WriteFile(o.out, data, 0o644); err != nil {
		return err
	}
	size := "?x?"
	if cfg, _, err := codec.DecodeConfig(data, codec.DefaultLimits()); err == nil {
		size = fmt.Sprintf("%dx%d", cfg.Width, cfg.Height)
	}
	con.Printf("wrote %s (%s %s, %d bytes) from worker %s in %s: %d units, worker cpu %s, worker wall %s, request %s",
		o.out, size, outFormat, len(data), reqOr(res.WorkerID, "?"), rtt.Round(time.Millisecond),
		res.Units, res.CPU.Round(time.Millisecond), res.Wall.Round(time.Millisecond), reqOr(res.RequestID, "?"))
	return nil
}

// losslessFormats are the output formats that keep every pixel.
var losslessFormats = map[string]bool{"png": true, "bmp": true}

// newRequestClient is a client of o.url that asks for the answer in
// outFormat when that format is lossless, so that the pixels written are
// the workload's own and not those of a JPEG answer converted afterwards.
// (A server that ignores Accept, such as the original, still answers in
// its own format, which is then converted.)
func (o *requestOpts) newRequestClient(outFormat string) *client.Client {
	c := client.New(o.url, nil)
	if losslessFormats[outFormat] {
		// Only that type: a worker answers image/* in the workload's own
		// format, whatever comes before it.
		c.Header.Set("Accept", codec.ContentType(outFormat)+", text/plain;q=0.5")
	}
	return c
}

func reqSameFormat(a, b string) bool {
	return codec.ContentType(a) == codec.ContentType(b) && codec.ContentType(a) != "application/octet-stream"
}

func reqOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
