package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/docker/rootfs"
	"github.com/specialvfx/vfx/internal/provider/owner"
	"github.com/specialvfx/vfx/internal/provider/providertest"
	"github.com/specialvfx/vfx/internal/testutil"
)

// testDeployment returns a deployment name unique to this run, and makes
// sure that its containers and network are gone when the test ends, even
// if it fails.
func testDeployment(t *testing.T, cli *client.Client) string {
	t.Helper()
	dep := "test-" + randomHex()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelDeployment+"="+dep))})
		if err != nil {
			t.Errorf("cleanup: list containers: %v", err)
		}
		for _, c := range cs {
			if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil && !errdefs.IsNotFound(err) {
				t.Errorf("cleanup: remove %s: %v", c.ID, err)
			}
		}
		if err := cli.NetworkRemove(ctx, "vfx-"+dep); err != nil && !errdefs.IsNotFound(err) {
			t.Errorf("cleanup: remove network: %v", err)
		}
	})
	return dep
}

func randomHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func testClient(t *testing.T) *client.Client {
	t.Helper()
	requireEngine(t)
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, d, 50*time.Millisecond, what, cond)
}

// testImageDeployment labels the images that the tests build for the vfx
// binaries outside a provider; pruneTestImages removes the old ones.
const testImageDeployment = "test-images"

var (
	keptMu sync.Mutex
	// keptTags are the images of this run's binaries: pruneTestImages
	// keeps them for the next run.
	keptTags = map[string]bool{}
	// specs and images are the specs and built images of binaries, by
	// binary: funcs of sync.OnceValues.
	specs, images sync.Map
)

// keepImage marks tag as an image of this run's binaries.
func keepImage(tag string) {
	keptMu.Lock()
	defer keptMu.Unlock()
	keptTags[tag] = true
}

// testSpec returns the image spec of binary, made once per process.
func testSpec(t *testing.T, binary string) imageSpec {
	t.Helper()
	once, _ := specs.LoadOrStore(binary, sync.OnceValues(func() (imageSpec, error) {
		search, err := rootfs.HostSearch()
		if err != nil {
			return imageSpec{}, err
		}
		return newImageSpec(binary, search)
	}))
	spec, err := once.(func() (imageSpec, error))()
	if err != nil {
		t.Fatalf("image spec of %s: %v", binary, err)
	}
	return spec
}

// testImage returns the tag of binary's worker image, built once per
// process (and not at all if an image with that tag exists), for the
// tests that need an image but do not test its building.
func testImage(t *testing.T, cli *client.Client, binary string) string {
	t.Helper()
	spec := testSpec(t, binary)
	once, _ := images.LoadOrStore(binary, sync.OnceValue(func() error {
		labels := map[string]string{LabelRole: roleImage, LabelDeployment: testImageDeployment}
		_, err := ensureImage(context.Background(), cli, spec, labels, testutil.Logger(t))
		return err
	}))
	if err := once.(func() error)(); err != nil {
		t.Fatalf("worker image of %s: %v", binary, err)
	}
	keepImage(spec.tag)
	return spec.tag
}

// pruneTestImages removes the worker images that earlier runs of these
// tests built (deployments test-*) for binaries other than this run's,
// when no container uses them and they are more than an hour old (a run
// in another checkout may be using a newer one).
func pruneTestImages() error {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	keptMu.Lock()
	defer keptMu.Unlock()
	_, err = removeWorkerImages(ctx, cli, filters.NewArgs(), func(img image.Summary) bool {
		if !strings.HasPrefix(img.Labels[LabelDeployment], "test-") || time.Since(time.Unix(img.Created, 0)) < time.Hour {
			return false
		}
		for _, tag := range img.RepoTags {
			if keptTags[tag] {
				return false
			}
		}
		return true
	}, slog.New(slog.DiscardHandler))
	return err
}

// TestContainers runs the whole life of a deployment against the real
// engine: build, launch with limits, health through the published port,
// adoption by a second provider, termination, and Close removing it all.
//
// The binary is the vfx that `go build` makes here: dynamically linked, so
// the image holds its interpreter and libraries too.
func TestContainers(t *testing.T) {
	t.Parallel()
	cli := testClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	search, err := rootfs.HostSearch()
	if err != nil {
		t.Fatal(err)
	}
	dynamicDeps(t, vfxBinary, search)
	tag := testImage(t, cli, vfxBinary)
	dep := testDeployment(t, cli)
	stateDir := t.TempDir()
	cfg := Config{
		Deployment: dep,
		Workers: provider.Workers{
			Binary:   vfxBinary,
			StateDir: stateDir,
			Store:    "sqlite:" + filepath.Join(stateDir, "metrics.db"),
			Logger:   testutil.Logger(t),
		},
		CPUs:   0.5,
		Memory: 256 << 20,
	}
	p1, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = p1.Close(context.Background()) })

	insts, err := p1.Launch(ctx, 2)
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	if len(insts) != 2 {
		t.Fatalf("Launch(2) = %+v", insts)
	}
	waitFor(t, 30*time.Second, "both containers ready", func() bool {
		l := providertest.ListByID(t, p1)
		return l[insts[0].ID].State == lifecycle.Ready && l[insts[1].ID].State == lifecycle.Ready
	})

	// The image is tagged by content and not rebuilt.
	spec := testSpec(t, vfxBinary)
	if built, err := ensureImage(ctx, cli, spec, nil, testutil.Logger(t)); err != nil || built || spec.tag != tag {
		t.Errorf("ensureImage again = %q, built %v, %v; want %s, not built", spec.tag, built, err, tag)
	}

	netName := "vfx-" + dep
	nw, err := cli.NetworkInspect(ctx, netName, network.InspectOptions{})
	if err != nil {
		t.Fatalf("network %s: %v", netName, err)
	}
	if nw.Driver != "bridge" || nw.Labels[LabelDeployment] != dep {
		t.Errorf("network %s: driver %s, labels %v", netName, nw.Driver, nw.Labels)
	}
	for _, in := range insts {
		if !strings.HasPrefix(in.Address, "http://127.0.0.1:") || in.Adopted || in.LaunchedAt.IsZero() {
			t.Errorf("instance %+v: want a fresh worker on a 127.0.0.1 port", in)
		}
		if code, body := testutil.Get(t, in.Address+"/health", 3*time.Second); code != http.StatusOK || !strings.Contains(body, `"ready"`) {
			t.Errorf("%s /health = %d %q", in.ID, code, body)
		}
		c, err := cli.ContainerInspect(ctx, in.ID)
		if err != nil {
			t.Fatalf("inspect %s: %v", in.ID, err)
		}
		if c.Config.Image != tag {
			t.Errorf("%s runs image %s; want %s", in.ID, c.Config.Image, tag)
		}
		if c.HostConfig.NanoCPUs != 500_000_000 || c.HostConfig.Memory != 256<<20 {
			t.Errorf("%s limits: NanoCpus %d, Memory %d; want 5e8 and 256 MiB", in.ID, c.HostConfig.NanoCPUs, c.HostConfig.Memory)
		}
		if c.Config.Labels[LabelDeployment] != dep || c.Config.Labels[LabelRole] != "worker" {
			t.Errorf("%s labels %v", in.ID, c.Config.Labels)
		}
		if string(c.HostConfig.NetworkMode) != netName || c.NetworkSettings.Networks[netName] == nil {
			t.Errorf("%s network mode %s, networks %v; want %s", in.ID, c.HostConfig.NetworkMode, keys(c.NetworkSettings.Networks), netName)
		}
		if _, ok := nw.Containers[c.ID]; !ok {
			// NetworkInspect above may predate the second container; ask again.
			nw2, _ := cli.NetworkInspect(ctx, netName, network.InspectOptions{})
			if _, ok := nw2.Containers[c.ID]; !ok {
				t.Errorf("%s not attached to %s", in.ID, netName)
			}
		}
		for _, b := range c.HostConfig.PortBindings["8000/tcp"] {
			if b.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes 8000 on %q; want 127.0.0.1 only", in.ID, b.HostIP)
			}
		}
		if !slices.Contains(c.HostConfig.Binds, stateDir+":/data") {
			t.Errorf("%s binds %v; want %s:/data", in.ID, c.HostConfig.Binds, stateDir)
		}
		if !slices.Equal(c.Config.Cmd[4:6], []string{"--store", "sqlite:/data/metrics.db"}) || !slices.Contains(c.Config.Cmd, in.ID) {
			t.Errorf("%s command %q; want --id %s --store sqlite:/data/metrics.db", in.ID, c.Config.Cmd, in.ID)
		}
	}
	if _, err := os.Stat(filepath.Join(stateDir, "metrics.db")); err != nil {
		t.Errorf("the workers did not open the shared store: %v", err)
	}

	// The workers hold a lease and carry their owner's label.
	for _, in := range insts {
		c, err := cli.ContainerInspect(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(c.Config.Cmd, "--lease-timeout") || c.Config.Labels[LabelOwner] != p1.cfg.Owner.Holder() {
			t.Errorf("%s: command %q, owner label %q; want a lease and %q", in.ID, c.Config.Cmd, c.Config.Labels[LabelOwner], p1.cfg.Owner.Holder())
		}
	}

	// A second provider of the deployment is refused while the first
	// owns it; once the owner is gone (its claim is that of a process
	// that exited), one takes the deployment over and adopts both.
	if p, err := New(ctx, cfg); !errors.Is(err, owner.ErrOwned) || !strings.Contains(err.Error(), "deployment "+dep+" is owned by a running vfx (pid ") {
		if err == nil {
			p.Close(ctx)
		}
		t.Fatalf("second New while the first owns the deployment: %v; want ErrOwned", err)
	}
	forgeClaim(t, p1, tag, deadOwner(t))
	p2, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("second New: %v", err)
	}
	t.Cleanup(func() { _ = p2.Close(context.Background()) })
	l2 := providertest.ListByID(t, p2)
	if len(l2) != 2 {
		t.Fatalf("second provider lists %+v", l2)
	}
	for _, in := range insts {
		got := l2[in.ID]
		if !got.Adopted || got.State != lifecycle.Ready || got.Address != in.Address {
			t.Errorf("adopted %+v; want ready, adopted, %s", got, in.Address)
		}
	}

	// Terminate one from the second provider.
	gone := insts[0]
	if err := p2.Terminate(ctx, gone.ID); err != nil {
		t.Fatalf("Terminate: %v", err)
	}
	if _, err := cli.ContainerInspect(ctx, gone.ID); !errdefs.IsNotFound(err) {
		t.Errorf("container %s after Terminate: %v; want not found", gone.ID, err)
	}
	if l := providertest.ListByID(t, p1); len(l) != 1 || l[insts[1].ID].ID == "" {
		t.Errorf("after Terminate List = %+v", l)
	}
	for _, id := range []string{gone.ID, "vfx-no-such-worker"} {
		if err := p2.Terminate(ctx, id); !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("Terminate(%s): %v; want ErrNotFound", id, err)
		}
	}

	// A container that dies is reported Terminated and not replaced.
	dead := insts[1]
	if err := cli.ContainerKill(ctx, dead.ID, "SIGKILL"); err != nil {
		t.Fatalf("kill %s: %v", dead.ID, err)
	}
	waitFor(t, 20*time.Second, dead.ID+" reported terminated", func() bool {
		return providertest.ListByID(t, p1)[dead.ID].State == lifecycle.Terminated
	})
	if l := providertest.ListByID(t, p1); len(l) != 1 {
		t.Errorf("after a container died List = %+v; want only the dead one", l)
	}

	// Close removes every worker container of the deployment and its
	// network; the claim goes with the provider that holds it.
	if err := p1.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelDeployment+"="+dep))})
	if err != nil || len(cs) != 1 || cs[0].Labels[LabelRole] != roleOwner {
		t.Errorf("containers after Close: %d, %v; want the second provider's claim only", len(cs), err)
	}
	if _, err := cli.NetworkInspect(ctx, netName, network.InspectOptions{}); !errdefs.IsNotFound(err) {
		t.Errorf("network after Close: %v; want not found", err)
	}
	if _, err := p1.Launch(ctx, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Launch after Close: %v; want ErrClosed", err)
	}
	if err := p2.Close(ctx); err != nil {
		t.Errorf("Close of the second provider: %v", err)
	}
	cs, err = cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelDeployment+"="+dep))})
	if err != nil || len(cs) != 0 {
		t.Errorf("containers after the second Close: %d, %v", len(cs), err)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCloseWithEndedContext checks that Close leaves nothing behind even
// when its context has already ended.
func TestCloseWithEndedContext(t *testing.T) {
	t.Parallel()
	cli := testClient(t)
	tag := testImage(t, cli, vfxBinary)
	dep := testDeployment(t, cli)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := New(ctx, Config{Deployment: dep, Image: tag, Memory: 64 << 20,
		Workers: provider.Workers{StateDir: t.TempDir(), Store: "none", Logger: testutil.Logger(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Launch(ctx, 1); err != nil {
		t.Fatal(err)
	}
	ended, stop := context.WithCancel(ctx)
	stop()
	if err := p.Close(ended); err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("Close(ended) = %v; want an error saying the grace period was cut", err)
	}
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelDeployment+"="+dep))})
	if err != nil || len(cs) != 0 {
		t.Errorf("containers after Close: %d, %v", len(cs), err)
	}
	if _, err := cli.NetworkInspect(ctx, "vfx-"+dep, network.InspectOptions{}); !errdefs.IsNotFound(err) {
		t.Errorf("network after Close: %v; want not found", err)
	}
}
