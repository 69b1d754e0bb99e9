package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/dataurl"
)

// Client sends requests to one base URL (a worker or the load balancer).
// It is safe for concurrent use.
type Client struct {
	base string
	hc   *http.Client
	// Header holds extra headers sent with every request (for example
	// X-Request-Id or X-Predicted-Units). Set it before use.
	Header http.Header
	// MaxResponseBytes bounds a response body; a larger one is an error.
	// New sets it to DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

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
// multi flag.
type RaytraceParams struct {
	SCols, SRows int
	WCols, WRows int
	COff, ROff   int
	AA, Multi    bool
}

// Query is the query string of p, in the original's parameter order.
func (p RaytraceParams) Query() string {
	return fmt.Sprintf("scols=%d&srows=%d&wcols=%d&wrows=%d&coff=%d&roff=%d&aa=%t&multi=%t",
		p.SCols, p.SRows, p.WCols, p.WRows, p.COff, p.ROff, p.AA, p.Multi)
}

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
	body, err := RaytraceBody(scene, texmap)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, "/raytracer?"+p.Query(), "application/json", body, "bmp")
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
	format = strings.ToLower(strings.TrimSpace(format))
	if format == "" || strings.ContainsAny(format, ";,/ ") {
		return nil, fmt.Errorf("image format %q: want a name such as jpg, png, bmp or gif", format)
	}
	return c.do(ctx, path, "text/plain", []byte(dataurl.String(format, image)), format)
}

// RaytraceBody builds the original's JSON body of /raytracer: the scene as
// a string and the texmap, if any, as an array of byte values.
func RaytraceBody(scene, texmap []byte) ([]byte, error) {
	s, err := json.Marshal(string(scene))
	if err != nil {
		return nil, fmt.Errorf("encode scene: %w", err)
	}
	b := make([]byte, 0, len(s)+4*len(texmap)+32)
	b = append(b, `{"scene":`...)
	b = append(b, s...)
	if texmap != nil {
		b = append(b, `,"texmap":[`...)
		for i, v := range texmap {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(v), 10)
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
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
	req.Header.Set("Accept", "image/*, text/plain;q=0.5")
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
		RequestID: resp.Header.Get("X-Request-Id"),
		WorkerID:  resp.Header.Get("X-Worker-Id"),
		Units:     parseInt(resp.Header.Get("X-Work-Units")),
		CPU:       parseMs(resp.Header.Get("X-CPU-Ms")),
		Wall:      parseMs(resp.Header.Get("X-Wall-Ms")),
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if strings.HasPrefix(mt, "image/") {
		res.Image, res.Format = data, formatOf(mt, format)
		return res, nil
	}
	f, img, err := dataurl.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("neither an image nor a data URL: %w", err)
	}
	res.Image, res.Format = img, f
	return res, nil
}

// formatOf names the format of a raw response of media type mt; asked is
// the format the request named, kept when it is the same format (jpg for
// image/jpeg).
func formatOf(mt, asked string) string {
	if codec.ContentType(asked) == mt {
		return asked
	}
	if f, ok := strings.CutPrefix(mt, "image/"); ok {
		if f == "x-ms-bmp" {
			return "bmp"
		}
		return f
	}
	return asked
}

// maxErrorBody bounds what is read of an error response.
const maxErrorBody = 64 << 10

func responseError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg := strings.TrimSpace(string(b))
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	e := &Error{
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Message:    msg,
		RequestID:  resp.Header.Get("X-Request-Id"),
		WorkerID:   resp.Header.Get("X-Worker-Id"),
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

func parseMs(s string) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f != f || f > 1e12 {
		return 0
	}
	return time.Duration(f * float64(time.Millisecond))
}
