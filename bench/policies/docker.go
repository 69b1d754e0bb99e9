package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// dockerImage imports an image holding only the static vfx binary, tagged
// by the binary's hash, unless it exists.
func dockerImage(ctx context.Context, vfx string) (string, error) {
	b, err := os.ReadFile(vfx)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	tag := "vfx-policies-bench:" + hex.EncodeToString(sum[:8])
	if exec.CommandContext(ctx, "docker", "image", "inspect", tag).Run() == nil {
		return tag, nil
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "vfx", Mode: 0o755, Size: int64(len(b)), ModTime: time.Unix(0, 0)}); err != nil {
		return "", err
	}
	if _, err := tw.Write(b); err != nil {
		return "", err
	}
	for _, d := range []string{"tmp/"} {
		if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o1777, ModTime: time.Unix(0, 0)}); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "docker", "import", "-c", `ENTRYPOINT ["/vfx"]`, "-", tag)
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("docker import: %v: %s", err, out)
	}
	return tag, nil
}

// container is a worker in a Docker container on the host's network.
type container struct {
	name, addr string
}

// startContainer starts worker i limited to cpus CPUs and waits for its
// /health.
func startContainer(ctx context.Context, image, cpus string, i int) (*container, error) {
	c := &container{name: fmt.Sprintf("vfx-policies-%d-w%d", os.Getpid(), i), addr: freeAddr()}
	out, err := exec.CommandContext(ctx, "docker", "run", "-d", "--rm", "--name", c.name, "--network", "host",
		"--cpus", cpus, "-e", "GOMAXPROCS=1", image,
		"worker", "--listen", c.addr, "--store", "none", "--id", fmt.Sprintf("w%d", i), "--threads", "1",
		"--max-inflight", "32", "--log-level", "warn").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("docker run: %v: %s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := http.Get("http://" + c.addr + "/health")
		if err == nil {
			resp.Body.Close()
			return c, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	logs, _ := exec.Command("docker", "logs", c.name).CombinedOutput()
	c.stop()
	return nil, errors.New("container " + c.name + " does not answer /health: " + strings.TrimSpace(string(logs)))
}

func (c *container) stop() {
	exec.Command("docker", "rm", "-f", c.name).Run()
}
