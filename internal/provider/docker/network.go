package docker

import (
	"context"
	"fmt"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"
)

// ensureNetwork creates the deployment's bridge network unless it exists.
// A network of that name that does not carry the deployment's label is
// someone else's: that is an error, not something to reuse.
func (p *Provider) ensureNetwork(ctx context.Context) error {
	for range 2 {
		n, err := p.cli.NetworkInspect(ctx, p.netName, network.InspectOptions{})
		if err == nil {
			if n.Labels[LabelDeployment] != p.cfg.Deployment {
				return fmt.Errorf("network %s exists but is not labelled %s=%s", p.netName, LabelDeployment, p.cfg.Deployment)
			}
			return nil
		}
		if !errdefs.IsNotFound(err) {
			return fmt.Errorf("inspect network %s: %w", p.netName, err)
		}
		_, err = p.cli.NetworkCreate(ctx, p.netName, network.CreateOptions{
			Driver: "bridge",
			Labels: map[string]string{LabelDeployment: p.cfg.Deployment, LabelRole: roleNetwork},
		})
		if err == nil {
			p.log.Info("network created", "network", p.netName)
			return nil
		}
		if !errdefs.IsConflict(err) {
			return fmt.Errorf("create network %s: %w", p.netName, err)
		}
		// Created concurrently by another provider: inspect it again.
	}
	return fmt.Errorf("create network %s: conflicting concurrent creation", p.netName)
}

// removeNetwork removes the deployment's network if it exists.
func (p *Provider) removeNetwork(ctx context.Context) error {
	n, err := p.cli.NetworkInspect(ctx, p.netName, network.InspectOptions{})
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inspect network %s: %w", p.netName, err)
	}
	if n.Labels[LabelDeployment] != p.cfg.Deployment {
		return nil // not ours
	}
	if err := p.cli.NetworkRemove(ctx, n.ID); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove network %s: %w", p.netName, err)
	}
	p.log.Info("network removed", "network", p.netName)
	return nil
}
