package loadgen

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/specialvfx/vfx/internal/wire"
)

// result is what happened to one request.
type result struct {
	seq   int
	item  *mixItem
	input *Input
	// at is the scheduled time, sent when it left, end when its answer was
	// read in full, all from the start of the run.
	at, sent, end time.Duration
	status        int    // the HTTP status, 0 for none
	fail          string // why there is no answer: a failure class, "" if answered
	msg           string // the server's message of an error answer, or the failure
	worker        string
	requestID     string
	units         int64
	cpu, wall     time.Duration
}

// The failures of a request that got no complete answer, as the summary
// counts them.
const (
	failTimeout  = "timeout"   // no answer within the request timeout
	failNoAnswer = "no answer" // the connection failed (refused, reset, …)
	failStopped  = "stopped"   // the run was cancelled and its drain ended first
	failCut      = "cut"       // the answer's body ended early
)

// maxErrorBody is what is read of an error answer for its message.
const maxErrorBody = 4 << 10

// send sends p and passes its result to the collector.
func (r *runner) send(p planned) {
	in := p.input
	res := result{seq: p.seq, item: p.item, input: in, at: p.at}
	ctx, cancel := context.WithTimeout(r.flight, r.cfg.Timeout)
	defer cancel()
	u := r.base
	u.Path = r.base.Path + in.Path
	u.RawQuery = in.Query
	body, _ := in.body()
	req := (&http.Request{
		Method:        http.MethodPost,
		URL:           &u,
		Host:          u.Host,
		Header:        http.Header{"Content-Type": in.ctype},
		Body:          body,
		GetBody:       in.body,
		ContentLength: int64(len(in.Body)),
	}).WithContext(ctx)

	res.sent = time.Since(r.start)
	r.sent.Add(1)
	resp, err := r.hc.Do(req)
	if err != nil {
		res.fail, res.msg = r.failure(ctx, err)
	} else {
		r.read(ctx, resp, &res)
	}
	res.end = time.Since(r.start)
	r.results <- res
}

// read reads an answer: its cost headers, then its body (discarded, or
// the message of an error answer).
func (r *runner) read(ctx context.Context, resp *http.Response, res *result) {
	defer resp.Body.Close()
	h := resp.Header
	res.status = resp.StatusCode
	res.worker = h.Get(wire.HeaderWorkerID)
	if res.requestID = h.Get(wire.HeaderServerRequestID); res.requestID == "" {
		res.requestID = h.Get(wire.HeaderRequestID)
	}
	if n, err := strconv.ParseInt(h.Get(wire.HeaderWorkUnits), 10, 64); err == nil && n > 0 {
		res.units = n
	}
	res.cpu = wire.ParseMs(h.Get(wire.HeaderCPUMs))
	res.wall = wire.ParseMs(h.Get(wire.HeaderWallMs))
	if res.status >= 200 && res.status < 300 {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			res.fail, res.msg = r.failure(ctx, err)
			if res.fail == failNoAnswer {
				res.fail = failCut
			}
			res.status = 0
		}
		return
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	res.msg = wire.ErrorMessage(b)
}

// failure classifies the error of a request without a complete answer.
func (r *runner) failure(ctx context.Context, err error) (class, msg string) {
	switch {
	case r.flight.Err() != nil:
		return failStopped, "the run was stopped before the answer"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return failTimeout, "no answer within " + r.cfg.Timeout.String()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return failNoAnswer, err.Error()
}
