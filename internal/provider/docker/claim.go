package docker

import (
	"context"
	"fmt"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"github.com/specialvfx/vfx/internal/provider/owner"
)

// Labels of the deployment's owner.
const (
	// LabelOwner names the owner that launched a worker container, or
	// that holds the deployment on its claim: its lease holder name.
	LabelOwner = "io.specialvfx.owner"
	// labelOwnerRecord is the claim's owner record (owner.Owner as JSON).
	labelOwnerRecord = "io.specialvfx.owner-record"
	roleOwner        = "owner"
)

// claimTries bounds the rounds of claiming against concurrent claims.
const claimTries = 3

// claimName is the name of the deployment's claim: a container that is
// created, never started, and whose labels record the owner. The engine
// refuses a second container of that name, so that of two providers
// claiming the deployment at once one only wins.
func (p *Provider) claimName() string { return "vfx-" + p.cfg.Deployment + "-owner" }

// claim makes this provider the deployment's owner: it creates the claim,
// or takes over one whose owner is gone, or fails with an
// *owner.HeldError naming the live owner. image is any image the engine
// has (the worker image): a container needs one even if it never runs.
func (p *Provider) claim(ctx context.Context, image string) error {
	name := p.claimName()
	for range claimTries {
		err := p.createClaim(ctx, image, p.cfg.Owner)
		if err == nil {
			return nil
		}
		if !errdefs.IsConflict(err) {
			return fmt.Errorf("claim deployment %s: %w", p.cfg.Deployment, err)
		}
		c, err := p.cli.ContainerInspect(ctx, name)
		if errdefs.IsNotFound(err) {
			continue // removed meanwhile: claim again
		}
		if err != nil {
			return fmt.Errorf("claim deployment %s: %w", p.cfg.Deployment, err)
		}
		labels := map[string]string{}
		if c.Config != nil {
			labels = c.Config.Labels
		}
		if labels[LabelDeployment] != p.cfg.Deployment || labels[LabelRole] != roleOwner {
			return fmt.Errorf("claim deployment %s: container %s exists and is not this deployment's claim", p.cfg.Deployment, name)
		}
		holder, perr := owner.Parse([]byte(labels[labelOwnerRecord]))
		if perr == nil && holder.Alive() {
			return &owner.HeldError{What: "deployment " + p.cfg.Deployment, Owner: holder}
		}
		prev := labels[LabelOwner]
		if perr == nil {
			prev = holder.String()
		}
		p.log.Info("taking over the deployment from an owner that is gone", "previous_owner", prev)
		if err := p.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("claim deployment %s: remove the claim of an owner that is gone: %w", p.cfg.Deployment, err)
		}
	}
	return fmt.Errorf("claim deployment %s: %d claims of others in a row", p.cfg.Deployment, claimTries)
}

// createClaim creates the deployment's claim for o.
func (p *Provider) createClaim(ctx context.Context, image string, o owner.Owner) error {
	_, err := p.cli.ContainerCreate(ctx, &container.Config{
		Image: image,
		Labels: map[string]string{
			LabelDeployment:  p.cfg.Deployment,
			LabelRole:        roleOwner,
			LabelOwner:       o.Holder(),
			labelOwnerRecord: string(o.Marshal()),
		},
	}, &container.HostConfig{NetworkMode: "none"}, nil, nil, p.claimName())
	return err
}

// unclaim removes the deployment's claim if it is this provider's.
func (p *Provider) unclaim(ctx context.Context) error {
	c, err := p.cli.ContainerInspect(ctx, p.claimName())
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("release deployment %s: %w", p.cfg.Deployment, err)
	}
	if c.Config == nil {
		return nil
	}
	holder, err := owner.Parse([]byte(c.Config.Labels[labelOwnerRecord]))
	if err != nil || !holder.Same(p.cfg.Owner) {
		return nil // not ours (any more)
	}
	if err := p.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("release deployment %s: %w", p.cfg.Deployment, err)
	}
	return nil
}
