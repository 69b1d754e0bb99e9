package docker

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/client"
)

// imageRepo is the repository of the worker images; the tag is a content
// hash of the Dockerfile and the binary.
const imageRepo = "vfx-worker"

// containerPort is the port the worker listens on inside its container.
const containerPort = "8000"

// dockerfile is the whole image: the static binary and nothing else.
const dockerfile = `FROM scratch
COPY vfx /vfx
EXPOSE ` + containerPort + `
ENTRYPOINT ["/vfx", "worker"]
CMD ["--listen", ":` + containerPort + `"]
`

// maxBinary bounds the size of the binary put into the build context.
const maxBinary = 512 << 20

// imageTag returns vfx-worker:<hash> for a binary's content.
func imageTag(binary []byte) string {
	h := sha256.New()
	h.Write([]byte(dockerfile))
	h.Write(binary)
	return imageRepo + ":" + hex.EncodeToString(h.Sum(nil))[:16]
}

// buildContext returns the tar archive the engine builds the image from.
func buildContext(binary []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mod := time.Unix(0, 0)
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{
		{"Dockerfile", 0o644, []byte(dockerfile)},
		{"vfx", 0o755, binary},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ensureImage returns the tag of the worker image for binary, building it
// unless an image with that tag exists. built tells whether it built one.
func ensureImage(ctx context.Context, cli *client.Client, binary string, labels map[string]string) (tag string, built bool, err error) {
	st, err := os.Stat(binary)
	if err != nil {
		return "", false, err
	}
	if st.Size() > maxBinary {
		return "", false, fmt.Errorf("%s is %d bytes, limit %d", binary, st.Size(), maxBinary)
	}
	bin, err := os.ReadFile(binary)
	if err != nil {
		return "", false, err
	}
	tag = imageTag(bin)
	if _, err := cli.ImageInspect(ctx, tag); err == nil {
		return tag, false, nil
	} else if !errdefs.IsNotFound(err) {
		return "", false, fmt.Errorf("inspect image %s: %w", tag, err)
	}
	tarball, err := buildContext(bin)
	if err != nil {
		return "", false, fmt.Errorf("build context: %w", err)
	}
	resp, err := cli.ImageBuild(ctx, bytes.NewReader(tarball), build.ImageBuildOptions{
		Tags:        []string{tag},
		Dockerfile:  "Dockerfile",
		Remove:      true,
		ForceRemove: true,
		PullParent:  false,
		Labels:      labels,
		Version:     build.BuilderV1,
	})
	if err != nil {
		return "", false, fmt.Errorf("build image %s: %w", tag, err)
	}
	defer resp.Body.Close()
	if err := readBuildStream(resp.Body); err != nil {
		return "", false, fmt.Errorf("build image %s: %w", tag, err)
	}
	if _, err := cli.ImageInspect(ctx, tag); err != nil {
		return "", false, fmt.Errorf("build image %s: image missing after build: %w", tag, err)
	}
	return tag, true, nil
}

// buildMessage is one line of the engine's build progress stream.
type buildMessage struct {
	Stream      string `json:"stream"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// readBuildStream consumes the build output and returns the build's error,
// if any, with the last lines of output for context.
func readBuildStream(r io.Reader) error {
	dec := json.NewDecoder(bufio.NewReader(io.LimitReader(r, 64<<20)))
	var tail []string
	for {
		var m buildMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("read build output: %w", err)
		}
		if s := strings.TrimSpace(m.Stream); s != "" {
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
