package docker

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/owner"
	"github.com/specialvfx/vfx/internal/testutil"
)

// forgeClaim replaces the deployment's claim with one of o.
func forgeClaim(t *testing.T, p *Provider, image string, o owner.Owner) {
	t.Helper()
	ctx := context.Background()
	if err := p.cli.ContainerRemove(ctx, p.claimName(), container.RemoveOptions{Force: true}); err != nil && !errdefs.IsNotFound(err) {
		t.Fatal(err)
	}
	if err := p.createClaim(ctx, image, o); err != nil {
		t.Fatal(err)
	}
}

// deadOwner is an owner whose process has exited.
func deadOwner(t *testing.T) owner.Owner {
	t.Helper()
	o := owner.Self("http://127.0.0.1:1", time.Now())
	o.PID, o.Start = testutil.DeadPID(t), 0
	return o
}

// TestDeploymentOwnership: a deployment has one owner; a second one is
// refused with the first one's name and touches nothing, another
// deployment runs beside it, and the claim of an owner that is gone is
// taken over.
func TestDeploymentOwnership(t *testing.T) {
	t.Parallel()
	cli := testClient(t)
	tag := testImage(t, cli, vfxBinary)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	newCfg := func(dep string) Config {
		return Config{Deployment: dep, Image: tag, Memory: 64 << 20,
			Workers: provider.Workers{StateDir: t.TempDir(), Store: "none", Logger: testutil.Logger(t)}}
	}
	dep, other := testDeployment(t, cli), testDeployment(t, cli)
	first := newCfg(dep)
	first.Owner = owner.Self("http://127.0.0.1:8123", time.Now())
	p1, err := New(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p1.Close(context.Background()) })
	insts, err := p1.Launch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}

	_, err = New(ctx, newCfg(dep))
	var he *owner.HeldError
	if !errors.As(err, &he) || !errors.Is(err, owner.ErrOwned) || !he.Owner.Same(first.Owner) {
		t.Fatalf("second New of %s: %v; want a HeldError naming the first owner", dep, err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "deployment "+dep+" is owned by a running vfx") || !strings.Contains(msg, "load balancer http://127.0.0.1:8123") {
		t.Errorf("refusal %q: want one line naming the deployment and its owner", msg)
	}
	if l, err := p1.List(ctx); err != nil || len(l) != 1 || l[0].ID != insts[0].ID {
		t.Errorf("the first owner's workers after the refusal: %+v, %v", l, err)
	}

	// Another deployment coexists.
	p3, err := New(ctx, newCfg(other))
	if err != nil {
		t.Fatalf("New of another deployment: %v", err)
	}
	if _, err := p3.Launch(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if l, err := p1.List(ctx); err != nil || len(l) != 1 {
		t.Errorf("the first deployment lists %+v, %v; want its one worker", l, err)
	}
	if err := p3.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// The claim of an owner that exited is taken over.
	forgeClaim(t, p1, tag, deadOwner(t))
	p2, err := New(ctx, newCfg(dep))
	if err != nil {
		t.Fatalf("New over a dead owner's claim: %v", err)
	}
	t.Cleanup(func() { _ = p2.Close(context.Background()) })
	if l, err := p2.List(ctx); err != nil || len(l) != 1 || !l[0].Adopted {
		t.Errorf("the new owner lists %+v, %v; want the worker adopted", l, err)
	}
}
