package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/docker/go-connections/nat"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/docker/rootfs"
)

const (
	// startPoll is how often Launch probes a starting container.
	startPoll = 50 * time.Millisecond
	// maxNameTries bounds the search for a free container name.
	maxNameTries = 1000
)

// Launch starts n worker containers in parallel (building the image first
// if needed) and returns them, Ready if /health answered within the start
// timeout, else Booting. If some fail, it returns the ones that started
// together with an error.
func (p *Provider) Launch(ctx context.Context, n int) ([]provider.Instance, error) {
	if n < 1 {
		return nil, fmt.Errorf("launch %d workers: need at least 1", n)
	}
	done, err := p.shut.Begin()
	if err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	defer done()
	cs, err := p.containers(ctx, true)
	if err != nil {
		return nil, err
	}
	live, highest := 0, 0
	for _, c := range cs {
		if c.State != container.StateExited && c.State != container.StateDead {
			live++
		}
		highest = max(highest, nameNumber(containerName(c)))
	}
	release, err := p.launches.Reserve(live, n, p.cfg.MaxWorkers)
	if err != nil {
		return nil, err
	}
	defer release()

	image, err := p.workerImage(ctx)
	if err != nil {
		return nil, err
	}
	return provider.LaunchEach(n, func(i int) (provider.Instance, error) { return p.launchOne(ctx, image, highest+1+i) })
}

// workerImage returns the image to run: Config.Image if set (it must
// exist; nothing is pulled), else the image of Config.Binary, built once;
// when it builds one, it removes this deployment's stale worker images.
func (p *Provider) workerImage(ctx context.Context) (string, error) {
	p.imageMu.Lock()
	defer p.imageMu.Unlock()
	if p.image != "" {
		return p.image, nil
	}
	if p.cfg.Image != "" {
		if _, err := p.cli.ImageInspect(ctx, p.cfg.Image); err != nil {
			return "", fmt.Errorf("image %s (no registry is used; build it first): %w", p.cfg.Image, err)
		}
		p.image = p.cfg.Image
		return p.image, nil
	}
	search, err := rootfs.HostSearch()
	if err != nil {
		p.log.Warn("shared libraries are looked for in the loader's default directories only", "err", err)
	}
	spec, err := newImageSpec(p.cfg.Binary, search)
	if err != nil {
		return "", fmt.Errorf("worker image of %s: %w", p.cfg.Binary, err)
	}
	built, err := ensureImage(ctx, p.cli, spec, map[string]string{LabelRole: roleImage, LabelDeployment: p.cfg.Deployment}, p.log)
	if err != nil {
		return "", err
	}
	if built {
		if _, err := p.removeStaleImages(ctx, spec.tag); err != nil {
			p.log.Warn("cannot remove stale worker images", "err", err)
		}
	}
	p.image = spec.tag
	return p.image, nil
}

// launchOne creates and starts one container named vfx-<deployment>-N,
// taking the first free N from first on.
func (p *Provider) launchOne(ctx context.Context, image string, first int) (provider.Instance, error) {
	id, name, err := p.create(ctx, image, first)
	if err != nil {
		return provider.Instance{}, err
	}
	p.mu.Lock()
	p.launched[name] = true
	p.mu.Unlock()
	if err := p.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		rmErr := p.remove(context.WithoutCancel(ctx), id, name)
		return provider.Instance{}, fmt.Errorf("start container %s: %w", name, errors.Join(err, rmErr))
	}
	inst, err := p.waitStart(ctx, id, name)
	if err != nil {
		logs := p.logsTail(context.WithoutCancel(ctx), id)
		rmErr := p.remove(context.WithoutCancel(ctx), id, name)
		return provider.Instance{}, fmt.Errorf("container %s: %w; output: %s", name, errors.Join(err, rmErr), logs)
	}
	p.log.Info("worker launched", "id", name, "container", shortID(id), "address", inst.Address, "state", inst.State)
	return inst, nil
}

// create creates the container, trying the next name on a name conflict.
func (p *Provider) create(ctx context.Context, image string, first int) (id, name string, err error) {
	port := nat.Port(containerPort + "/tcp")
	stopSecs := int(p.cfg.StopTimeout.Round(time.Second) / time.Second)
	for n := max(first, 1); n < max(first, 1)+maxNameTries; n++ {
		name = "vfx-" + p.cfg.Deployment + "-" + strconv.Itoa(n)
		cmd := []string{"--listen", ":" + containerPort, "--id", name, "--store", p.storeArg, "--lease-timeout", p.cfg.LeaseTimeout.String()}
		cmd = append(cmd, p.cfg.Args...)
		cfg := &container.Config{
			Image:        image,
			Cmd:          cmd,
			Env:          p.cfg.Env,
			User:         strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid()),
			ExposedPorts: nat.PortSet{port: struct{}{}},
			Labels: map[string]string{
				LabelDeployment: p.cfg.Deployment,
				LabelRole:       roleWorker,
				LabelOwner:      p.cfg.Owner.Holder(),
			},
			StopSignal:  "SIGTERM",
			StopTimeout: &stopSecs,
		}
		host := &container.HostConfig{
			NetworkMode:   container.NetworkMode(p.netName),
			PortBindings:  nat.PortMap{port: []nat.PortBinding{{HostIP: "127.0.0.1", HostPort: ""}}},
			RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
			Binds:         p.binds,
			Tmpfs:         map[string]string{"/tmp": "rw,size=64m"},
			Resources: container.Resources{
				NanoCPUs:   nanoCPUs(p.cfg.CPUs),
				Memory:     p.cfg.Memory,
				MemorySwap: p.cfg.Memory, // no swap beyond the limit
			},
		}
		netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{p.netName: {}}}
		resp, err := p.cli.ContainerCreate(ctx, cfg, host, netCfg, nil, name)
		if errdefs.IsConflict(err) {
			continue // the name is taken: a concurrent launch or an old container
		}
		if err != nil {
			return "", "", fmt.Errorf("create container %s: %w", name, err)
		}
		return resp.ID, name, nil
	}
	return "", "", fmt.Errorf("create container: no free name after %d tries", maxNameTries)
}

// waitStart waits for the published port and a 200 from /health, until
// the start timeout, ctx or Close; it fails if the container exits.
func (p *Provider) waitStart(ctx context.Context, id, name string) (provider.Instance, error) {
	deadline := time.NewTimer(p.cfg.StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(startPoll)
	defer tick.Stop()
	inst := provider.Instance{ID: name, State: lifecycle.Booting}
	for {
		c, err := p.cli.ContainerInspect(ctx, id)
		if err != nil {
			return inst, fmt.Errorf("inspect: %w", err)
		}
		if c.State != nil && !c.State.Running && c.State.Status != container.StateCreated {
			return inst, fmt.Errorf("exited during start-up (status %s, exit code %d)", c.State.Status, c.State.ExitCode)
		}
		if t, err := time.Parse(time.RFC3339Nano, c.Created); err == nil {
			inst.LaunchedAt = t.UTC().Truncate(time.Second)
		}
		if c.NetworkSettings != nil {
			for _, b := range c.NetworkSettings.Ports[nat.Port(containerPort+"/tcp")] {
				if b.HostPort != "" {
					inst.Address = "http://127.0.0.1:" + b.HostPort
				}
			}
		}
		if inst.Address != "" && p.probe.Probe(ctx, inst.Address, name) == lifecycle.Ready {
			p.mu.Lock()
			p.ready[name] = true
			p.mu.Unlock()
			inst.State = lifecycle.Ready
			return inst, nil
		}
		select {
		case <-deadline.C:
			return inst, nil
		case <-ctx.Done():
			return inst, nil
		case <-p.shut.Stopping():
			return inst, nil
		case <-tick.C:
		}
	}
}

// logsTail returns the last lines a container printed, for errors.
func (p *Provider) logsTail(ctx context.Context, id string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rc, err := p.cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "5"})
	if err != nil {
		return "(no logs: " + err.Error() + ")"
	}
	defer rc.Close()
	var buf bytes.Buffer
	_, _ = stdcopy.StdCopy(&buf, &buf, io.LimitReader(rc, 16<<10))
	return strings.TrimSpace(buf.String())
}
