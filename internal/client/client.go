package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/wire"
)

// Client sends requests to one base URL (a worker or the load balancer).
// It is safe for concurrent use.
type Client struct {
	base string
	hc   *http.Client
	// Header holds extra headers sent with every request (for example
	// X-Request-Id or X-Predicted-Units). Set it before use. An Accept
	// header set here replaces DefaultAccept: "image/png" asks a worker
	// for a PNG answer whatever the input's format.
	Header http.Header
	// MaxResponseBytes bounds a response body; a larger one is an error.
	// New sets it to DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// DefaultAccept is the Accept header of a request whose Header sets none:
// the raw image in the workload's own format (the input's for blur and
// enhance, BMP for the ray tracer), or else the original's data URL.
const DefaultAccept = "image/*, text/plain;q=0.5"

// DefaultMaxResponseBytes is the default bound of a response body.
const DefaultMaxResponseBytes = 1 << 30

// New returns a client of the API at baseURL (e.g. http://127.0.0.1:8000).
// hc nil means a plain http.Client without a timeout: bound requests with
// their context.
func New(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), hc: hc, Header: http.Header{}, MaxResponseBytes: DefaultMaxResponseBytes}
}

// BaseURL is the URL the client sends requests to.
func (c *Client) BaseURL() string { return c.base }

// RaytraceParams are the query parameters of /raytracer: the scene size,
// the window (output) size and offsets, anti-aliasing and the original's
// multi flag (wire.RaytraceParams).
type RaytraceParams = wire.RaytraceParams

// Result is a served request: the output image file and what it cost.
type Result struct {
	Image     []byte // the encoded output image
	Format    string // its format: bmp for the ray tracer, the request's format name for blur and enhance
	RequestID string
	WorkerID  string
	Units     int64         // deterministic work units (X-Work-Units)
	CPU       time.Duration // thread CPU time on the worker (X-CPU-Ms)
	Wall      time.Duration // wall time on the worker (X-Wall-Ms)
}

// Error is a request the server refused or failed: its HTTP status and
// the server's message.
type Error struct {
	StatusCode int    // e.g. 400
	Status     string // e.g. "400 Bad Request"
	Message    string // the server's one-line message, if any
	RequestID  string
	WorkerID   string
	// RetryAfter is the server's Retry-After (503), 0 if none.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "server said " + e.Status + " (no message)"
	}
	return "server said " + e.Status + ": " + e.Message
}

// Raytrace renders scene (the scene file) with texmap (the texture image
// file, nil for none). The result is a BMP.
func (c *Client) Raytrace(ctx context.Context, scene, texmap []byte, p RaytraceParams) (*Result, error) {
	return c.do(ctx, "/raytracer?"+p.Query(), "application/json", wire.RaytraceBody(scene, texmap), "bmp")
}

// Blur blurs image, an encoded image file named by format (jpg, jpeg,
// png, bmp, gif). The result is in the same format.
func (c *Client) Blur(ctx context.Context, format string, image []byte) (*Result, error) {
	return c.image(ctx, "/blurimage", format, image)
}

// Enhance enhances image (local histogram equalisation; the result is
// grey), an encoded image file named by format. The result is in the same
// format.
func (c *Client) Enhance(ctx context.Context, format string, image []byte) (*Result, error) {
	return c.image(ctx, "/enhanceimage", format, image)
}

func (c *Client) image(ctx context.Context, path, format string, image []byte) (*Result, error) {
	body, err := wire.ImageBody(format, image)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, path, "text/plain", body, format)
}

// do posts body to path and reads the result.
func (c *Client) do(ctx context.Context, path, ctype string, body []byte, format string) (*Result, error) {
	u := c.base + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", u, err)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", ctype)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", DefaultAccept)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("post %s: %w", u, err)
	}
	defer resp.Body.Close()
	res, err := c.readResult(resp, format)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, fmt.Errorf("response of %s: %w", u, err)
	}
	return res, nil
}

// readResult reads a response: a *Error unless it is a 200, else the image,
// raw or as a data URL, and the cost headers.
func (c *Client) readResult(resp *http.Response, format string) (*Result, error) {
	if resp.StatusCode != http.StatusOK {
		return nil, responseError(resp)
	}
	data, err := readAll(resp.Body, c.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	res := &Result{
		RequestID: resp.Header.Get(wire.HeaderRequestID),
		WorkerID:  resp.Header.Get(wire.HeaderWorkerID),
		Units:     parseInt(resp.Header.Get(wire.HeaderWorkUnits)),
		CPU:       wire.ParseMs(resp.Header.Get(wire.HeaderCPUMs)),
		Wall:      wire.ParseMs(resp.Header.Get(wire.HeaderWallMs)),
	}
	res.Format, res.Image, err = wire.ReadResponse(resp.Header.Get("Content-Type"), data, format)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// maxErrorBody bounds what is read of an error response.
const maxErrorBody = 64 << 10

func responseError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Message:    wire.ErrorMessage(b),
		RequestID:  resp.Header.Get(wire.HeaderRequestID),
		WorkerID:   resp.Header.Get(wire.HeaderWorkerID),
	}
	if e.Status == "" {
		e.Status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s >= 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}

func readAll(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("response larger than %d bytes", limit)
	}
	return b, nil
}

func parseInt(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}
