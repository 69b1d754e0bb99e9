package docker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/docker/go-units"
)

// How a build that takes a while is reported.
const (
	buildQuiet    = 2 * time.Second  // a build shorter than this says nothing until it is done
	buildProgress = 10 * time.Second // then a line this often
)

// ensureImage makes the image of spec unless an image with its tag
// exists, and reports whether it made one. It is imported, as one layer,
// with labels added to its configuration; a build that lasts more than
// buildQuiet is logged as it goes.
func ensureImage(ctx context.Context, cli *client.Client, spec imageSpec, labels map[string]string, log *slog.Logger) (built bool, err error) {
	if _, err := cli.ImageInspect(ctx, spec.tag); err == nil {
		return false, nil
	} else if !errdefs.IsNotFound(err) {
		return false, fmt.Errorf("inspect image %s: %w", spec.tag, err)
	}
	start := time.Now()
	linked := "statically"
	if !spec.deps.Static() {
		linked = "dynamically"
	}
	stop := watchBuild(log.With("image", spec.tag), buildQuiet, buildProgress, "binary", spec.binary,
		"size", units.HumanSize(float64(spec.size)), "linked", linked, "libraries", len(spec.deps.Libraries))
	defer stop()
	changes := slices.Clone(spec.changes)
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		changes = append(changes, fmt.Sprintf("LABEL %s=%q", k, labels[k]))
	}
	root := spec.rootFS()
	defer root.Close()
	resp, err := cli.ImageImport(ctx, image.ImportSource{Source: root, SourceName: "-"}, spec.tag, image.ImportOptions{Changes: changes})
	if err != nil {
		return false, fmt.Errorf("build image %s: %w", spec.tag, err)
	}
	defer resp.Close()
	if err := readProgress(resp, log); err != nil {
		return false, fmt.Errorf("build image %s: %w", spec.tag, err)
	}
	if _, err := cli.ImageInspect(ctx, spec.tag); err != nil {
		return false, fmt.Errorf("build image %s: image missing after build: %w", spec.tag, err)
	}
	stop()
	log.Info("worker image built", "image", spec.tag, "took", time.Since(start).Round(100*time.Millisecond))
	return true, nil
}

// watchBuild logs, once quiet has passed, that a build is in progress
// (with attrs), then every interval how long it has taken so far, until
// stop is called. stop may be called more than once.
func watchBuild(log *slog.Logger, quiet, interval time.Duration, attrs ...any) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTimer(quiet)
		defer t.Stop()
		select {
		case <-done:
			return
		case <-t.C:
		}
		log.Info("building worker image", attrs...)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				log.Info("still building worker image", "elapsed", time.Since(start).Round(time.Second))
			}
		}
	}()
	return sync.OnceFunc(func() {
		close(done)
		<-finished
	})
}

// progressMessage is one line of the engine's progress stream (of an
// import, or a build).
type progressMessage struct {
	Stream      string `json:"stream"`
	Status      string `json:"status"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// readProgress consumes the engine's progress output, logs it at debug
// level and returns the error it ends with, if any, with the last lines of
// output for context.
func readProgress(r io.Reader, log *slog.Logger) error {
	dec := json.NewDecoder(bufio.NewReader(io.LimitReader(r, 64<<20)))
	var tail []string
	for {
		var m progressMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("read build output: %w", err)
		}
		if s := strings.TrimSpace(m.Stream + m.Status); s != "" {
			log.Debug("worker image build", "output", s)
			tail = append(tail, s)
			if len(tail) > 5 {
				tail = tail[1:]
			}
		}
		msg := m.Error
		if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
			msg = m.ErrorDetail.Message
		}
		if msg != "" {
			return fmt.Errorf("%s (after: %s)", msg, strings.Join(tail, " | "))
		}
	}
}
