package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/docker/rootfs"
	"github.com/specialvfx/vfx/internal/testutil"
)

// TestStaticBinary builds, through the provider, the image of a statically
// linked vfx (CGO_ENABLED=0), which holds the binary alone, and checks a
// worker of it answers.
func TestStaticBinary(t *testing.T) {
	t.Parallel()
	cli := testClient(t)
	static, err := testutil.StaticVFX()
	if err != nil {
		t.Fatal(err)
	}
	if deps, err := rootfs.Resolve(static, rootfs.Search{}); err != nil || !deps.Static() {
		t.Fatalf("the CGO_ENABLED=0 build: %+v, %v; want a static executable", deps, err)
	}
	spec, err := newImageSpec(static, rootfs.Search{})
	if err != nil {
		t.Fatal(err)
	}
	if names, _ := readSpec(t, spec); strings.Join(names, " ") != "vfx" {
		t.Errorf("the image of a static binary holds %q; want the binary alone", names)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := New(ctx, Config{Deployment: testDeployment(t, cli),
		Workers: provider.Workers{Binary: static, StateDir: t.TempDir(), Store: "none", Logger: testutil.Logger(t)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	insts, err := p.Launch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	keepImage(spec.tag)
	if insts[0].State != lifecycle.Ready {
		t.Errorf("instance %+v; want ready", insts[0])
	}
	if code, body := testutil.Get(t, insts[0].Address+"/health", 3*time.Second); code != http.StatusOK || !strings.Contains(body, `"ready"`) {
		t.Errorf("/health = %d %q", code, body)
	}
	c, err := cli.ContainerInspect(ctx, insts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Config.Image != spec.tag {
		t.Errorf("container runs %s; want %s", c.Config.Image, spec.tag)
	}
	img, err := cli.ImageInspect(ctx, spec.tag)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range img.Config.Env {
		if strings.HasPrefix(e, "LD_LIBRARY_PATH=") {
			t.Errorf("the image of a static binary sets %s", e)
		}
	}
}

// buildLabelledImages makes, in parallel, images with no files tagged
// as the keys of deployments, with the worker image labels of the values
// (none for "", as earlier versions built them); they are removed when
// the test ends.
func buildLabelledImages(t *testing.T, cli *client.Client, deployments map[string]string) {
	t.Helper()
	errs := make(chan error, len(deployments))
	for tag, dep := range deployments {
		t.Cleanup(func() { removeTestImage(t, cli, tag) })
		go func() { errs <- buildLabelledImage(cli, tag, dep) }()
	}
	for range deployments {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func buildLabelledImage(cli *client.Client, tag, deployment string) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.Close(); err != nil { // an empty root file system
		return err
	}
	changes := []string{"LABEL " + LabelRole + "=" + roleImage, "LABEL io.specialvfx.test=" + strings.ReplaceAll(tag, ":", "-")}
	if deployment != "" {
		changes = append(changes, "LABEL "+LabelDeployment+"="+deployment)
	}
	resp, err := cli.ImageImport(context.Background(), image.ImportSource{Source: &buf, SourceName: "-"}, tag, image.ImportOptions{Changes: changes})
	if err != nil {
		return fmt.Errorf("import %s: %w", tag, err)
	}
	defer resp.Close()
	if err := readProgress(resp, slog.New(slog.DiscardHandler)); err != nil {
		return fmt.Errorf("import %s: %w", tag, err)
	}
	return nil
}

func removeTestImage(t *testing.T, cli *client.Client, tag string) {
	_, err := cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true, PruneChildren: true})
	if err != nil && !errdefs.IsNotFound(err) {
		t.Errorf("cleanup: remove image %s: %v", tag, err)
	}
}

func imageExists(t *testing.T, cli *client.Client, tag string) bool {
	t.Helper()
	_, err := cli.ImageInspect(context.Background(), tag)
	if err != nil && !errdefs.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// TestStaleImagesRemoved checks that a provider that builds a new worker
// image removes its deployment's older ones, and only those no container
// uses.
func TestStaleImagesRemoved(t *testing.T) {
	t.Parallel()
	cli := testClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dep := testDeployment(t, cli)
	other := testDeployment(t, cli)
	suffix := randomHex()
	stale, inUse, othersImage, legacy := imageRepo+":stale-"+suffix, imageRepo+":used-"+suffix, imageRepo+":other-"+suffix, imageRepo+":legacy-"+suffix
	buildLabelledImages(t, cli, map[string]string{stale: dep, inUse: dep, othersImage: other, legacy: ""})
	// A container that never ran still uses its image.
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: inUse, Cmd: []string{"/none"}}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true}) })

	// A binary of its own, so that the provider builds a new image: a
	// small dynamically linked executable with a few bytes of this test
	// after it.
	bin := filepath.Join(t.TempDir(), "vfx")
	b, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, append(b, suffix...), 0o755); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{msgs: make(chan string, 100)}
	p, err := New(ctx, Config{Deployment: dep, Workers: provider.Workers{Binary: bin, StateDir: t.TempDir(), Store: "none", Logger: slog.New(rec)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	tag, err := p.workerImage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeTestImage(t, cli, tag) })

	for _, tt := range []struct {
		tag  string
		want bool
	}{{tag, true}, {stale, false}, {legacy, false}, {inUse, true}, {othersImage, true}} {
		if got := imageExists(t, cli, tt.tag); got != tt.want {
			t.Errorf("image %s exists: %v; want %v", tt.tag, got, tt.want)
		}
	}
	img, err := cli.ImageInspect(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	if img.Config.Labels[LabelDeployment] != dep || img.Config.Labels[LabelRole] != roleImage {
		t.Errorf("new image labels %v", img.Config.Labels)
	}
	var logged []string
	for len(rec.msgs) > 0 {
		logged = append(logged, <-rec.msgs)
	}
	if !slices.ContainsFunc(logged, func(m string) bool { return strings.HasPrefix(m, "worker image built image="+tag) }) ||
		!slices.ContainsFunc(logged, func(m string) bool { return strings.HasPrefix(m, "stale worker image removed image="+stale) }) {
		t.Errorf("log %q; want the build and the removal", logged)
	}

	// The next provider of the deployment finds the image: no build, so
	// nothing is removed, even an image that has become stale.
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	stale2 := imageRepo + ":stale2-" + suffix
	buildLabelledImages(t, cli, map[string]string{stale2: dep})
	p2, err := New(ctx, Config{Deployment: dep, Workers: provider.Workers{Binary: bin, StateDir: t.TempDir(), Store: "none", Logger: testutil.Logger(t)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p2.Close(context.Background()) })
	if tag2, err := p2.workerImage(ctx); err != nil || tag2 != tag {
		t.Errorf("second provider's image %s, %v; want %s", tag2, err, tag)
	}
	if !imageExists(t, cli, stale2) {
		t.Errorf("image %s removed without a build", stale2)
	}
	if _, err := p2.removeStaleImages(ctx, tag); err != nil || imageExists(t, cli, stale2) {
		t.Errorf("removeStaleImages: %v; %s still exists", err, stale2)
	}
}
