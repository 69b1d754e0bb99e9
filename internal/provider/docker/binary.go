package docker

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// checkStatic returns nil if path is a statically linked ELF executable:
// no program interpreter and no shared libraries, so it runs FROM scratch.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("%s: not an executable (%v)", path, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			interp, _ := readInterp(p)
			return fmt.Errorf("%s is dynamically linked (interpreter %s)", path, interp)
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
		return fmt.Errorf("%s needs shared libraries %s", path, strings.Join(libs, ", "))
	}
	return nil
}

func readInterp(p *elf.Prog) (string, error) {
	b := make([]byte, min(p.Filesz, 4096))
	if _, err := p.ReadAt(b, 0); err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\x00"), nil
}

// resolveBinary returns a static vfx binary for the image: cfg.Binary (or
// this executable) when it is static, else one built with CGO_ENABLED=0
// from the module source into stateDir/docker/vfx.
func resolveBinary(ctx context.Context, cfg Config) (string, error) {
	candidate := cfg.Binary
	if candidate == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find own executable: %w", err)
		}
		candidate = exe
	}
	staticErr := checkStatic(candidate)
	if staticErr == nil {
		return filepath.Abs(candidate)
	}
	src := cfg.Source
	if src == "" {
		var err error
		if src, err = moduleRoot(); err != nil {
			return "", fmt.Errorf("%w; and no source to build a static one: %w (set the %q option, or pass a binary built with CGO_ENABLED=0 go build ./cmd/vfx)", staticErr, err, ExtraSource)
		}
	}
	out := filepath.Join(cfg.StateDir, "docker", "vfx")
	if err := buildStatic(ctx, src, out); err != nil {
		return "", fmt.Errorf("%w; building a static one: %w", staticErr, err)
	}
	return out, nil
}

// buildStatic runs CGO_ENABLED=0 go build -o out ./cmd/vfx in dir.
func buildStatic(ctx context.Context, dir, out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "./cmd/vfx")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/vfx in %s: %w: %s", dir, err, strings.TrimSpace(string(b)))
	}
	return checkStatic(out)
}

// moduleRoot finds the vfx module around the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/specialvfx/vfx\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("the vfx module is not around the working directory")
		}
		dir = parent
	}
}
