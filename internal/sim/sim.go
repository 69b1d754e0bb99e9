package sim

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// epoch is the wall-clock time of the start of every run, for the policies
// that take a time.Time.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Progress is how far a run is.
type Progress struct {
	Sim      time.Duration // simulated time
	Resolved int           // requests answered, refused or failed
	Total    int
}

// progressEvery is how many events pass between two progress reports.
const progressEvery = 1 << 16

// run is the state of one simulation.
type run struct {
	cfg  Config
	reqs []Request
	now  float64

	pred     []float64 // predicted ray-tracer equivalent units, set on arrival
	weights  UnitCosts
	quota    *quota
	attempts []uint8

	ev   eventQueue
	next int // next request to arrive

	workers []*worker // every worker ever, by index
	byID    map[string]*worker
	live    []*worker // not terminated (compacted at ticks)
	readyW  []*worker // the ready workers, in the order of snap
	snap    []balancer.WorkerState
	elig    int // ready workers below their concurrency limit

	queue waitQueue // the load balancer's queue

	policy balancer.Policy
	scaler autoscaler.Policy
	rng    *rand.Rand
	est    *estimator.Model
	obs    autoscaler.Observation

	arrived  float64 // predicted units arrived since the last tick
	resolved int
	desired  int
	lat      []float64 // latencies of completed requests
	window   []float64 // latencies completed since the last sample
	res      Result
	// finished, if not nil, is told each completed request's latency.
	finished func(i int32, latency float64)
}

// Run simulates reqs (in arrival order, as FromTrace returns them) under
// cfg. progress, if not nil, is called now and then from Run's goroutine.
func Run(cfg Config, reqs []Request, progress func(Progress)) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("simulation: %w", err)
	}
	if !slices.IsSortedFunc(reqs, func(a, b Request) int { return cmp.Compare(a.At, b.At) }) {
		return nil, errors.New("simulation: requests are not in arrival order")
	}
	r := newRun(cfg, reqs)
	r.loop(progress)
	return &r.res, nil
}

func newRun(cfg Config, reqs []Request) *run {
	r := &run{
		cfg:      cfg,
		reqs:     reqs,
		pred:     make([]float64, len(reqs)),
		attempts: make([]uint8, len(reqs)),
		queue:    newWaitQueue(len(reqs)),
		byID:     make(map[string]*worker, cfg.Workers),
		rng:      rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		est:      estimator.New(cfg.Estimator),
		lat:      make([]float64, 0, len(reqs)),
		desired:  cfg.Workers,
	}
	if cfg.CPUs > 0 {
		r.quota = &quota{perCore: cfg.Speed, cores: float64(cfg.Cores), budget: cfg.CPUs * cfg.CPUPeriod.Seconds(), period: cfg.CPUPeriod.Seconds()}
	}
	r.weights = cfg.UnitCosts
	if r.weights == nil {
		r.weights = DefaultUnitCosts()
	}
	r.policy, _ = balancer.New(cfg.Routing)
	if cfg.Scaling != NoScaling {
		r.scaler, _ = autoscaler.New(cfg.Scaling, cfg.scalerConfig())
	}
	r.res = Result{Routing: cfg.Routing, Scaling: cfg.Scaling, Requests: len(reqs), SLO: cfg.SLO}
	for range cfg.Workers {
		w := r.launch()
		r.setReady(w)
	}
	if len(reqs) > 0 {
		r.ev.push(event{t: reqs[0].At.Seconds(), kind: evArrival, req: 0})
	}
	for _, f := range cfg.Failures {
		r.ev.push(event{t: f.At.Seconds(), kind: evFail, worker: -1})
	}
	r.ev.push(event{t: 0, kind: evTick})
	return r
}

// loop runs events until every request is resolved.
func (r *run) loop(progress func(Progress)) {
	failures := slices.Clone(r.cfg.Failures)
	slices.SortStableFunc(failures, func(a, b Failure) int { return cmp.Compare(a.At, b.At) })
	for r.ev.len() > 0 && r.resolved < len(r.reqs) {
		e := r.ev.pop()
		r.now = e.t
		r.res.Events++
		switch e.kind {
		case evArrival:
			i := int(e.req)
			if i == r.next {
				r.next++
				if r.next < len(r.reqs) {
					r.ev.push(event{t: r.reqs[r.next].At.Seconds(), kind: evArrival, req: int32(r.next)})
				}
				f := r.reqs[i].Features
				r.pred[i] = r.est.Estimate(f).Units * r.weights.Weight(f.Kind)
				r.arrived += r.pred[i]
			}
			r.arrive(e.req)
		case evFinish:
			w := r.workers[e.worker]
			if e.version != w.version || w.n() == 0 {
				break
			}
			switch w.nextKind {
			case wFinish:
				r.finish(w)
			case wThrottle:
				w.advance(r.now)
				w.throttled = true
				r.schedule(w)
			case wPeriod:
				w.advance(r.now)
				w.rollPeriod(r.now)
				r.schedule(w)
			}
		case evReady:
			if w := r.workers[e.worker]; w.state == lifecycle.Booting {
				r.setReady(w)
				r.dispatch()
			}
		case evFail:
			r.fail(failures[0].Worker)
			failures = failures[1:]
		case evTick:
			r.tick()
			if r.resolved < len(r.reqs) {
				r.ev.push(event{t: r.now + r.cfg.Autoscaler.Interval.Seconds(), kind: evTick})
			}
		}
		if progress != nil && r.res.Events%progressEvery == 0 {
			progress(Progress{Sim: secs(r.now), Resolved: r.resolved, Total: len(r.reqs)})
		}
	}
	r.end()
	if progress != nil {
		progress(Progress{Sim: secs(r.now), Resolved: r.resolved, Total: len(r.reqs)})
	}
}

// arrive is request i (or its retry) reaching the load balancer: it goes
// to a worker at once if the queue is empty and a worker can take it, else
// it waits in the queue, or is refused when the queue is full.
func (r *run) arrive(i int32) {
	if r.qlen() == 0 && r.place(i) {
		return
	}
	r.expire()
	if r.qlen() >= r.cfg.QueueLen {
		r.res.Rejected++
		r.resolved++
		return
	}
	r.queue.push(i, r.now, r.pred[i])
	r.res.QueuePeak = max(r.res.QueuePeak, r.qlen())
}

func (r *run) qlen() int { return r.queue.len() }

// expire drops the requests that waited QueueTimeout, oldest first.
func (r *run) expire() {
	limit := r.cfg.QueueTimeout.Seconds()
	for r.qlen() > 0 {
		e := r.queue.oldest()
		if r.now-e.at < limit {
			break
		}
		r.queue.remove(e.req)
		r.res.TimedOut++
		r.resolved++
	}
}

// dispatch hands queued requests, in the queue's order (Config.QueueOrder,
// the load balancer's), to workers that can take them, until none can.
func (r *run) dispatch() {
	r.expire()
	for r.qlen() > 0 {
		e := r.queue.first(r.cfg.QueueOrder, r.cfg.QueueAging, r.now)
		if !r.place(e.req) {
			break
		}
		r.queue.remove(e.req)
	}
}

// place asks the routing policy for a worker for request i and starts it
// there; false if no worker can take it.
func (r *run) place(i int32) bool {
	if r.elig == 0 {
		return false
	}
	floor := r.cfg.ProgressFloor
	for k, w := range r.readyW {
		r.snap[k].PredictedLeft = w.predictedLeft(r.now, floor)
	}
	req := balancer.Request{Kind: r.reqs[i].Features.Kind, Units: r.pred[i]}
	k, err := r.policy.Pick(req, r.snap, r.rng)
	if err != nil || k < 0 || k >= len(r.snap) || !balancer.Eligible(r.snap[k]) {
		return false
	}
	w := r.readyW[k]
	w.advance(r.now)
	w.add(r.now, i, r.reqs[i].Units*r.weights.Weight(r.reqs[i].Features.Kind), r.pred[i])
	r.snap[k].InFlight = w.n()
	if w.n() == r.cfg.MaxInFlight {
		r.elig--
	}
	r.schedule(w)
	return true
}

// schedule replaces the worker's next event: its earliest completion, or
// under a CPU quota the end of its quota or of the period.
func (r *run) schedule(w *worker) {
	w.version++
	if w.n() > 0 {
		t, kind := w.next()
		w.nextKind = kind
		if !math.IsInf(t, 1) {
			r.ev.push(event{t: t, kind: evFinish, worker: w.idx, version: w.version})
		}
	}
}

// finish completes the worker's earliest request.
func (r *run) finish(w *worker) {
	w.advance(r.now)
	full := w.n() == r.cfg.MaxInFlight
	f := w.popFirst(r.now)
	w.served++
	req := &r.reqs[f.req]
	l := r.now - req.At.Seconds() + r.cfg.Overhead.Seconds()
	r.lat = append(r.lat, l)
	r.window = append(r.window, l)
	if r.finished != nil {
		r.finished(f.req, l)
	}
	r.res.Completed++
	r.resolved++
	r.est.Observe(epoch.Add(secs(r.now)), req.Features, req.Units)
	r.schedule(w)
	switch w.state {
	case lifecycle.Ready:
		r.snap[w.slot].InFlight = w.n()
		if full {
			r.elig++
		}
		r.dispatch()
	case lifecycle.Draining:
		if w.n() == 0 {
			r.terminate(w)
			r.res.Drained++
		}
	}
}

// launch adds a booting worker.
func (r *run) launch() *worker {
	w := &worker{
		id: "w" + strconv.Itoa(len(r.workers)+1), idx: int32(len(r.workers)),
		state: lifecycle.Booting, speed: r.cfg.Speed, launched: r.now, last: r.now, slot: -1, cpu: -1,
		q: r.quota, pStart: r.now,
	}
	if r.quota != nil {
		// What the load balancer learns: the long-run speed.
		w.speed = r.quota.perCore * min(r.cfg.CPUs, r.quota.cores)
	}
	r.workers = append(r.workers, w)
	r.live = append(r.live, w)
	r.byID[w.id] = w
	return w
}

// snapCores is the cores a worker's snapshot tells the policy its requests
// share: without a CPU quota a worker gets through Speed units/s however
// many requests it runs (one core's worth, shared); with one, each request
// runs at Speed on a core of its own and the quota allows CPUs cores' worth
// over a period, at most Cores at once.
func (r *run) snapCores() float64 {
	if r.quota == nil {
		return 1
	}
	return min(r.quota.cores, r.cfg.CPUs)
}

// setReady puts a worker into rotation.
func (r *run) setReady(w *worker) {
	w.state = lifecycle.Ready
	w.slot = len(r.readyW)
	r.readyW = append(r.readyW, w)
	r.snap = append(r.snap, balancer.WorkerState{
		ID: w.id, Ready: true, InFlight: w.n(), MaxInFlight: r.cfg.MaxInFlight,
		Speed: w.speed, Cores: r.snapCores(), CPUPercent: max(w.cpu, 0),
	})
	if r.cfg.MaxInFlight <= 0 || w.n() < r.cfg.MaxInFlight {
		r.elig++
	}
}

// unready takes a worker out of rotation.
func (r *run) unready(w *worker) {
	k := w.slot
	if k < 0 {
		return
	}
	if r.cfg.MaxInFlight <= 0 || w.n() < r.cfg.MaxInFlight {
		r.elig--
	}
	last := len(r.readyW) - 1
	r.readyW[k], r.snap[k] = r.readyW[last], r.snap[last]
	r.readyW[k].slot = k
	r.readyW, r.snap = r.readyW[:last], r.snap[:last]
	w.slot = -1
}

// terminate ends a worker.
func (r *run) terminate(w *worker) {
	r.unready(w)
	w.state = lifecycle.Terminated
	w.ended = r.now
}

// fail kills the worker id (a random ready one when id is empty): it
// becomes unhealthy and its requests are retried elsewhere after a
// backoff.
func (r *run) fail(id string) {
	var w *worker
	if id == "" {
		if len(r.readyW) == 0 {
			return
		}
		w = r.readyW[r.rng.IntN(len(r.readyW))]
	} else if w = r.byID[id]; w == nil {
		return
	}
	switch w.state {
	case lifecycle.Terminated, lifecycle.Unhealthy:
		return
	}
	r.res.Died++
	draining := w.state == lifecycle.Draining
	r.unready(w)
	w.advance(r.now)
	for _, f := range w.fl {
		r.retry(f.req)
	}
	if len(w.fl) > 0 {
		w.busy += r.now - w.busySince
	}
	w.fl, w.sumPred, w.sumV0, w.v = w.fl[:0], 0, 0, 0
	w.version++
	w.state, w.sick = lifecycle.Unhealthy, r.now
	if draining || r.scaler == nil {
		// Nobody replaces it: a draining worker was leaving anyway, and
		// without an autoscaler a dead worker is simply gone.
		r.terminate(w)
	}
}

// retry sends request i back to the load balancer after a backoff, or
// fails it once it ran out of retries.
func (r *run) retry(i int32) {
	r.attempts[i]++
	a := int(r.attempts[i])
	if a > r.cfg.MaxRetries {
		r.res.Failed++
		r.resolved++
		return
	}
	r.res.Retries++
	d := r.cfg.RetryBackoff.Seconds() * math.Pow(2, float64(a-1))
	d = min(d, time.Second.Seconds())
	r.ev.push(event{t: r.now + d, kind: evArrival, req: i})
}
