package docker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/health"
)

// Name is the provider's name (`--provider docker`).
const Name = "docker"

// Labels on every container and network of a deployment.
const (
	LabelDeployment = "io.specialvfx.deployment"
	LabelRole       = "io.specialvfx.role"
	roleWorker      = "worker"
	roleNetwork     = "network"
	roleImage       = "worker-image"
)

// closeGrace bounds the engine calls Close makes after its context ended.
const closeGrace = 30 * time.Second

// pingTimeout bounds the start-up check that the engine answers.
const pingTimeout = 10 * time.Second

// ErrClosed is returned by Launch, List and Terminate after Close.
var ErrClosed = provider.ErrClosed

// Provider runs workers as containers of one deployment. It is safe for
// concurrent use; Close removes the deployment's containers and network.
type Provider struct {
	cfg      Config
	cli      *client.Client
	log      *slog.Logger
	probe    *health.Prober
	netName  string
	storeArg string
	binds    []string

	imageMu sync.Mutex
	image   string // the worker image, once built or checked

	// shut gates Launch, List and Terminate (they use the engine
	// connection that Close closes): Close stops the launches in progress
	// and waits for every call.
	shut provider.Shutdown

	launches provider.Launches // in progress

	// stopRenewing ends the renewal of the workers' leases; renewing is
	// done once it has.
	stopRenewing context.CancelFunc
	renewing     chan struct{}

	mu       sync.Mutex
	launched map[string]bool      // containers started by this provider
	ready    map[string]bool      // containers whose /health answered 200
	died     map[string]time.Time // when a container was first seen exited
}

var (
	_ provider.Provider = (*Provider)(nil)
	_ provider.Closer   = (*Provider)(nil)
)

// New connects to the engine (DOCKER_HOST and the other DOCKER_*
// variables apply), makes the worker image unless it exists, claims the
// deployment for cfg.Owner, creates the deployment's network if needed
// and adopts its running containers. While another provider (of this
// process or another) owns the deployment, New fails with an error
// wrapping owner.ErrOwned that names it; the claim of one that died is
// taken over.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	cfg, err := cfg.complete()
	if err != nil {
		return nil, err
	}
	storeArg, binds, err := storeArgs(cfg.Store, cfg.StateDir)
	if err != nil {
		return nil, err
	}
	for _, b := range binds {
		if err := os.MkdirAll(strings.SplitN(b, ":", 2)[0], 0o755); err != nil {
			return nil, fmt.Errorf("store directory: %w", err)
		}
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		cli.Close()
		return nil, fmt.Errorf("docker engine not reachable at %s: %w", cli.DaemonHost(), err)
	}
	p := &Provider{
		cfg:      cfg,
		cli:      cli,
		log:      cfg.Logger.With("provider", Name, "deployment", cfg.Deployment),
		probe:    health.NewProber(cfg.HealthTimeout, health.Lease{Holder: cfg.Owner.Holder(), Token: cfg.TokenValue()}),
		netName:  "vfx-" + cfg.Deployment,
		storeArg: storeArg,
		binds:    binds,
		launched: map[string]bool{},
		ready:    map[string]bool{},
		died:     map[string]time.Time{},
	}
	if storeArg == "none" {
		p.log.Info("workers keep no metrics records (no store given)")
	}
	image, err := p.workerImage(ctx)
	if err != nil {
		p.release()
		return nil, err
	}
	if err := p.claim(ctx, image); err != nil {
		p.release()
		return nil, err
	}
	if err := p.ensureNetwork(ctx); err != nil {
		p.releaseClaim(ctx)
		return nil, err
	}
	cs, err := p.containers(ctx, true)
	if err != nil {
		p.releaseClaim(ctx)
		return nil, err
	}
	for _, c := range cs {
		if c.State == container.StateRunning {
			p.log.Info("worker adopted", "id", containerName(c), "container", shortID(c.ID))
		}
	}
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stopRenewing, p.renewing = stop, make(chan struct{})
	go func() {
		defer close(p.renewing)
		p.probe.KeepRenewing(rctx, cfg.RenewInterval(), p.renewTargets, p.log)
	}()
	return p, nil
}

// releaseClaim gives the deployment up and releases the provider's
// resources, after a failed start.
func (p *Provider) releaseClaim(ctx context.Context) {
	if err := p.unclaim(context.WithoutCancel(ctx)); err != nil {
		p.log.Warn("cannot give the deployment up", "err", err)
	}
	p.release()
}

// renewTargets are the running worker containers, whose leases the
// provider renews.
func (p *Provider) renewTargets(ctx context.Context) []health.Target {
	cs, err := p.containers(ctx, true)
	if err != nil {
		p.log.Debug("lease renewal: cannot list the containers", "err", err)
		return nil
	}
	var out []health.Target
	for _, c := range cs {
		if addr := hostAddress(c.Ports); c.State == container.StateRunning && addr != "" {
			out = append(out, health.Target{ID: containerName(c), Address: addr})
		}
	}
	return out
}

func (p *Provider) release() {
	p.probe.Close()
	p.cli.Close()
}

// containers lists the deployment's worker containers (all of the
// deployment's containers when anyRole).
func (p *Provider) containers(ctx context.Context, workersOnly bool) ([]container.Summary, error) {
	f := filters.NewArgs(filters.Arg("label", LabelDeployment+"="+p.cfg.Deployment))
	if workersOnly {
		f.Add("label", LabelRole+"="+roleWorker)
	}
	cs, err := p.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	// The filter is the engine's; check the labels again all the same.
	out := cs[:0]
	for _, c := range cs {
		if c.Labels[LabelDeployment] == p.cfg.Deployment {
			out = append(out, c)
		}
	}
	return out, nil
}

// List reports the deployment's worker containers: Ready once /health has
// answered 200, Booting before, Draining when it answers 503, Terminated
// once the container has exited. An exited container is removed after the
// retention period.
func (p *Provider) List(ctx context.Context) ([]provider.Instance, error) {
	done, err := p.shut.Begin()
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	defer done()
	cs, err := p.containers(ctx, true)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]provider.Instance, 0, len(cs))
	var probe []int // indexes in out of running containers to probe
	for _, c := range cs {
		name := containerName(c)
		p.mu.Lock()
		in := provider.Instance{
			ID:         name,
			Address:    hostAddress(c.Ports),
			State:      lifecycle.Booting,
			LaunchedAt: time.Unix(c.Created, 0).UTC(),
			Adopted:    !p.launched[name],
		}
		ready := p.ready[name]
		p.mu.Unlock()
		switch c.State {
		case container.StateRunning:
			if ready {
				in.State = lifecycle.Ready
			} else if in.Address != "" {
				probe = append(probe, len(out))
			}
		case container.StateCreated, container.StateRestarting, container.StatePaused:
		default: // exited, dead, removing
			in.State = lifecycle.Terminated
			if p.expired(name, c.Status, now) {
				if err := p.remove(ctx, c.ID, name); err != nil {
					p.log.Warn("cannot remove exited container", "id", name, "err", err)
				}
				continue
			}
		}
		out = append(out, in)
	}
	var wg sync.WaitGroup
	for _, i := range probe {
		wg.Go(func() {
			st := p.probe.Probe(ctx, out[i].Address, out[i].ID)
			if st == lifecycle.Ready {
				p.mu.Lock()
				p.ready[out[i].ID] = true
				p.mu.Unlock()
			}
			out[i].State = st
		})
	}
	wg.Wait()
	sortInstances(out)
	return out, nil
}

// expired notes when an exited container was first seen and reports
// whether the retention period has passed since.
func (p *Provider) expired(name, status string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	first, seen := p.died[name]
	if !seen {
		first = now
		p.died[name] = now
		p.log.Warn("worker container exited; not restarting it", "id", name, "status", status)
	}
	return now.Sub(first) > p.cfg.Retention
}

// Terminate stops a worker container (SIGTERM, then SIGKILL after the stop
// timeout) and removes it. Containers of other deployments are not found.
func (p *Provider) Terminate(ctx context.Context, id string) error {
	done, err := p.shut.Begin()
	if err != nil {
		return fmt.Errorf("terminate %s: %w", id, err)
	}
	defer done()
	c, err := p.cli.ContainerInspect(ctx, id)
	if errdefs.IsNotFound(err) {
		return fmt.Errorf("terminate %s: %w", id, provider.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("terminate %s: %w", id, err)
	}
	if c.Config == nil || c.Config.Labels[LabelDeployment] != p.cfg.Deployment || c.Config.Labels[LabelRole] != roleWorker {
		return fmt.Errorf("terminate %s: not a worker of deployment %s: %w", id, p.cfg.Deployment, provider.ErrNotFound)
	}
	name := strings.TrimPrefix(c.Name, "/")
	if err := p.stopAndRemove(ctx, c.ID, name); err != nil {
		return fmt.Errorf("terminate %s: %w", id, err)
	}
	p.log.Info("worker terminated", "id", name, "container", shortID(c.ID))
	return nil
}

// stopAndRemove stops a container gracefully and removes it. If ctx ends
// during the grace period the container is removed by force.
func (p *Provider) stopAndRemove(ctx context.Context, id, name string) error {
	secs := int(p.cfg.StopTimeout.Round(time.Second) / time.Second)
	stopErr := p.cli.ContainerStop(ctx, id, container.StopOptions{Signal: "SIGTERM", Timeout: &secs})
	if errdefs.IsNotFound(stopErr) {
		stopErr = nil
	}
	rmCtx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		rmCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), closeGrace)
		defer cancel()
	}
	if err := p.remove(rmCtx, id, name); err != nil {
		return errors.Join(stopErr, err)
	}
	if stopErr != nil && ctx.Err() != nil {
		return fmt.Errorf("grace period cut short, removed by force: %w", ctx.Err())
	}
	return nil
}

// remove force-removes a container and forgets it.
func (p *Provider) remove(ctx context.Context, id, name string) error {
	err := p.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true})
	if err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove container %s: %w", name, err)
	}
	p.mu.Lock()
	delete(p.launched, name)
	delete(p.ready, name)
	delete(p.died, name)
	p.mu.Unlock()
	return nil
}

// Close removes every container of the deployment (gracefully, in
// parallel) and its network, and closes the engine connection. It is
// idempotent.
func (p *Provider) Close(ctx context.Context) error {
	return p.shut.Close(func() error {
		p.stopRenewing()
		<-p.renewing
		// Leave nothing behind even when ctx has ended: the engine calls
		// then get a bounded context of their own, and containers are
		// removed by force.
		cctx := ctx
		if ctx.Err() != nil {
			var cancel context.CancelFunc
			cctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), closeGrace)
			defer cancel()
		}
		var errs []error
		cs, err := p.containers(cctx, true)
		if err != nil {
			errs = append(errs, err)
		}
		errCh := make(chan error, len(cs))
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Go(func() { errCh <- p.stopAndRemove(ctx, c.ID, containerName(c)) })
		}
		wg.Wait()
		close(errCh)
		for err := range errCh {
			errs = append(errs, err)
		}
		nctx := cctx
		if cctx.Err() != nil {
			var cancel context.CancelFunc
			nctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), closeGrace)
			defer cancel()
		}
		errs = append(errs, p.removeNetwork(nctx), p.unclaim(nctx))
		p.release()
		return errors.Join(errs...)
	})
}

// containerName is a container's name without the leading slash.
func containerName(c container.Summary) string {
	if len(c.Names) == 0 {
		return shortID(c.ID)
	}
	return strings.TrimPrefix(c.Names[0], "/")
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// hostAddress is the base URL of the published worker port.
func hostAddress(ports []container.Port) string {
	for _, pt := range ports {
		if strconv.Itoa(int(pt.PrivatePort)) == containerPort && pt.Type == "tcp" && pt.PublicPort != 0 && (pt.IP == "127.0.0.1" || pt.IP == "") {
			return "http://127.0.0.1:" + strconv.Itoa(int(pt.PublicPort))
		}
	}
	return ""
}

// sortInstances orders by the number at the end of the name.
func sortInstances(in []provider.Instance) {
	sort.Slice(in, func(i, j int) bool {
		a, b := nameNumber(in[i].ID), nameNumber(in[j].ID)
		if a != b {
			return a < b
		}
		return in[i].ID < in[j].ID
	})
}

// nameNumber returns N of "vfx-<deployment>-N", or 0.
func nameNumber(name string) int {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil {
		return 0
	}
	return n
}
