package docker

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// removeStaleImages removes the worker images that this deployment's
// providers built, other than keep, unless a container (of any deployment,
// running or not) uses them, and returns the tags removed. Images that
// record no deployment (built before images recorded it) count as this
// deployment's; an image built for another deployment is never touched,
// nor a tag outside vfx-worker.
func (p *Provider) removeStaleImages(ctx context.Context, keep string) ([]string, error) {
	return removeWorkerImages(ctx, p.cli, filters.NewArgs(), func(img image.Summary) bool {
		dep := img.Labels[LabelDeployment]
		return (dep == p.cfg.Deployment || dep == "") && !slices.Contains(img.RepoTags, keep)
	}, p.log)
}

// removeWorkerImages removes the vfx-worker tags of the worker images (the
// role label) that the engine lists with filter and stale selects, unless
// a container uses them (an image goes with its last tag, with the
// untagged layers below it), and returns the tags removed.
func removeWorkerImages(ctx context.Context, cli *client.Client, filter filters.Args, stale func(image.Summary) bool, log *slog.Logger) ([]string, error) {
	filter = filter.Clone()
	filter.Add("label", LabelRole+"="+roleImage)
	imgs, err := cli.ImageList(ctx, image.ListOptions{Filters: filter})
	if err != nil {
		return nil, fmt.Errorf("list worker images: %w", err)
	}
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	used := map[string]bool{}
	for _, c := range cs {
		used[c.ImageID] = true
	}
	var removed []string
	for _, img := range imgs {
		// The filter is the engine's; check the role again all the same.
		if img.Labels[LabelRole] != roleImage || used[img.ID] || !stale(img) {
			continue
		}
		for _, tag := range img.RepoTags {
			if !strings.HasPrefix(tag, imageRepo+":") {
				continue
			}
			_, err := cli.ImageRemove(ctx, tag, image.RemoveOptions{PruneChildren: true})
			switch {
			case err == nil:
				removed = append(removed, tag)
				log.Info("stale worker image removed", "image", tag, "deployment", img.Labels[LabelDeployment])
			case errdefs.IsNotFound(err), errdefs.IsConflict(err):
				// Removed meanwhile, or a container was created from it.
			default:
				return removed, fmt.Errorf("remove image %s: %w", tag, err)
			}
		}
	}
	return removed, nil
}
