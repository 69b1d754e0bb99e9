package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/provider/docker"
	"github.com/specialvfx/vfx/internal/provider/local"
	"github.com/specialvfx/vfx/internal/provider/static"
)

// parseProviderFlags binds the provider flags as vfx up (lb false) or vfx
// lb does, parses args and sets the provider up.
func parseProviderFlags(t *testing.T, lb bool, args []string) (providerSetup, error) {
	t.Helper()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var pf providerFlags
	if lb {
		pf.bind(fs, static.Name, []string{static.Name, local.Name, docker.Name}, true)
	} else {
		pf.bind(fs, local.Name, []string{local.Name, docker.Name}, false)
	}
	if err := fs.Parse(args); err != nil {
		return providerSetup{}, err
	}
	return pf.setup(providerEnv{stateDir: "/state", store: "sqlite:/state/metrics.db"})
}

func TestProviderFlags(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		lb     bool
		args   []string
		check  func(s providerSetup) bool
		errHas []string
	}{
		{name: "up: local by default", check: func(s providerSetup) bool {
			c, ok := s.config.(local.Config)
			return ok && s.name == local.Name && s.maxWorkers == 64 && c.Binary == exe && c.StateDir == "/state" &&
				c.Store == "sqlite:/state/metrics.db" && !c.Detach && c.StopTimeout == 0
		}},
		{name: "up: local settings", args: []string{"--detach-workers", "--worker-start-timeout", "2s", "--worker-stop-timeout=1m",
			"--max-workers", "8", "--worker-arg=--threads=2", "--worker-arg", "--max-inflight=3"}, check: func(s providerSetup) bool {
			c := s.config.(local.Config)
			return c.Detach && c.StartTimeout == 2*time.Second && c.StopTimeout == time.Minute && c.MaxWorkers == 8 && s.maxWorkers == 8 &&
				slices.Equal(c.Args, []string{"--threads=2", "--max-inflight=3"})
		}},
		{name: "up: docker settings", args: []string{"--provider", "docker", "--deployment", "prod", "--worker-cpus", "0.5", "--worker-memory", "1GiB",
			"--docker-image", "vfx-worker:abc", "--worker-stop-timeout", "20s"}, check: func(s providerSetup) bool {
			c, ok := s.config.(docker.Config)
			return ok && s.name == docker.Name && s.maxWorkers == 32 && c.Deployment == "prod" && c.CPUs == 0.5 && c.Memory == 1<<30 &&
				c.Image == "vfx-worker:abc" && c.StopTimeout == 20*time.Second && c.Binary == exe
		}},
		{name: "up: docker's default deployment", args: []string{"--provider=docker"}, check: func(s providerSetup) bool {
			return s.config.(docker.Config).Deployment == "vfx"
		}},
		{name: "up: static is vfx lb's", args: []string{"--provider", "static"}, errHas: []string{"--provider: static cannot be used by this command (valid: local, docker)"}},
		{name: "up: unknown provider", args: []string{"--provider", "ec2"}, errHas: []string{`--provider: unknown provider "ec2" (valid: local, docker)`}},
		{name: "a docker flag with local", args: []string{"--docker-image", "x", "--worker-cpus", "1"},
			errHas: []string{"--docker-image: --provider local does not use it (only docker)", "--worker-cpus: --provider local does not use it (only docker)"}},
		{name: "the deployment is docker's", args: []string{"--deployment", "vfx"}, errHas: []string{"--deployment: --provider local does not use it (only docker)"}},
		{name: "a local flag with docker", args: []string{"--provider", "docker", "--detach-workers"}, errHas: []string{"--detach-workers: --provider docker does not use it (only local)"}},
		{name: "negative timeouts", args: []string{"--worker-start-timeout", "-1s", "--worker-stop-timeout", "-2s"},
			errHas: []string{"--worker-start-timeout: -1s is negative", "--worker-stop-timeout: -2s is negative"}},
		{name: "local limit", args: []string{"--max-workers", "5000"}, errHas: []string{"--max-workers: 5000 is not in 1-4096"}},
		{name: "docker limit", args: []string{"--provider", "docker", "--max-workers", "2000"}, errHas: []string{"--max-workers: 2000 is not in 1-1024"}},
		{name: "a flag the provider sets", args: []string{"--worker-arg=--listen=:1"}, errHas: []string{"--worker-arg: --listen is set by the provider"}},
		{name: "the lease is the provider's", args: []string{"--worker-arg=--lease-timeout=1h"}, errHas: []string{"--worker-arg: --lease-timeout is set by the provider"}},
		{name: "lease timeout", args: []string{"--provider", "docker", "--worker-lease-timeout", "45s"}, check: func(s providerSetup) bool {
			return s.config.(docker.Config).LeaseTimeout == 45*time.Second
		}},
		{name: "lease timeout too short", args: []string{"--worker-lease-timeout", "500ms"}, errHas: []string{"--worker-lease-timeout: 500ms is less than 1s"}},
		{name: "detached workers hold no lease", args: []string{"--detach-workers", "--worker-lease-timeout", "1m"},
			errHas: []string{"--worker-lease-timeout: detached workers hold no lease (--detach-workers)"}},
		{name: "not a worker flag", args: []string{"--worker-arg=--nope"}, errHas: []string{"--worker-arg: unknown flag: --nope"}},
		{name: "a bad worker flag value", args: []string{"--worker-arg=--threads=many"}, errHas: []string{`--worker-arg: invalid argument "many" for "--threads"`}},
		{name: "not a flag", args: []string{"--worker-arg", "stray"}, errHas: []string{`--worker-arg: ["stray"]: vfx worker takes flags only`}},
		{name: "docker values", args: []string{"--provider", "docker", "--deployment", "Prod", "--worker-cpus", "2000", "--worker-memory", "1m", "--docker-image="},
			errHas: []string{"--deployment: \"Prod\" is not", "--worker-cpus: 2000 is not in 0.01-1024", "--worker-memory: 1MiB is less than 16MiB", "--docker-image: empty image name"}},
		{name: "every problem at once", args: []string{"--docker-image", "x", "--worker-stop-timeout", "-1s", "--max-workers", "-3"},
			errHas: []string{"--docker-image:", "--worker-stop-timeout:", "--max-workers:"}},

		{name: "lb: static list", lb: true, args: []string{"--workers", "127.0.0.1:8001,http://127.0.0.1:8002"}, check: func(s providerSetup) bool {
			_, ok := s.config.(*static.Provider)
			return ok && s.name == static.Name && s.maxWorkers == 0
		}},
		{name: "lb: static needs addresses", lb: true, errHas: []string{"--workers: give the worker URLs for --provider static"}},
		{name: "lb: bad address", lb: true, args: []string{"--workers", "a:1,ftp://b:1"}, errHas: []string{`--workers: worker 2: address "ftp://b:1"`}},
		{name: "lb: static launches nothing", lb: true, args: []string{"--workers", "a:1", "--launch", "2", "--max-workers", "3"},
			errHas: []string{"--launch: --provider static does not use it (only local and docker)", "--max-workers: --provider static does not use it (only local and docker)"}},
		{name: "lb: addresses are static's", lb: true, args: []string{"--provider", "local", "--workers", "a:1"}, errHas: []string{"--workers: --provider local does not use it (only static)"}},
		{name: "lb: local launch", lb: true, args: []string{"--provider", "local", "--launch", "3"}, check: func(s providerSetup) bool { return s.launch == 3 }},
		{name: "lb: negative launch", lb: true, args: []string{"--provider", "local", "--launch", "-1"}, errHas: []string{"--launch: must not be negative, got -1"}},
		{name: "lb: launch beyond the limit", lb: true, args: []string{"--provider", "docker", "--launch", "5", "--max-workers", "4"},
			errHas: []string{"--launch: 5 workers is more than --max-workers 4"}},
		{name: "lb: unknown provider", lb: true, args: []string{"--provider", "ec2"}, errHas: []string{`unknown provider "ec2" (valid: static, local, docker)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseProviderFlags(t, tt.lb, tt.args)
			if len(tt.errHas) > 0 {
				if err == nil {
					t.Fatalf("no error; want %q", tt.errHas)
				}
				for _, want := range tt.errHas {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				if n := strings.Count(err.Error(), "\n") + 1; n != len(tt.errHas) {
					t.Errorf("%d problems reported (%q); want %d", n, err, len(tt.errHas))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Errorf("setup %+v (config %+v)", s, s.config)
			}
		})
	}
}

func TestCheckPool(t *testing.T) {
	s, err := parseProviderFlags(t, false, []string{"--max-workers", "6"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.checkPool(6); err != nil {
		t.Errorf("a pool of 6: %v", err)
	}
	if err := s.checkPool(7); err == nil || !strings.Contains(err.Error(), "a pool of up to 7 workers is more than the local provider runs: raise --max-workers (6)") {
		t.Errorf("a pool of 7: %v", err)
	}
	fixed, err := parseProviderFlags(t, true, []string{"--workers", "a:1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fixed.checkPool(100); err != nil {
		t.Errorf("a static pool has no limit: %v", err)
	}
}

// TestProviderFlagsCheckedBeforeStart runs vfx up and vfx lb with bad
// provider flags: they fail, naming every flag, before anything starts
// (no state directory, no listener).
func TestProviderFlagsCheckedBeforeStart(t *testing.T) {
	for _, tt := range []struct {
		name   string
		args   []string
		errHas []string
	}{
		{name: "up", args: []string{"up", "--provider", "local", "--docker-image", "x", "--worker-stop-timeout", "-1s"},
			errHas: []string{"--docker-image: --provider local does not use it", "--worker-stop-timeout: -1s is negative"}},
		{name: "up beyond the provider's limit", args: []string{"up", "--max", "10", "--max-workers", "5"},
			errHas: []string{"a pool of up to 10 workers is more than the local provider runs: raise --max-workers (5)"}},
		{name: "up with a fixed pool beyond it", args: []string{"up", "--workers", "70"},
			errHas: []string{"a pool of up to 70 workers is more than the local provider runs: raise --max-workers (64)"}},
		{name: "lb", args: []string{"lb", "--provider", "docker", "--detach-workers", "--workers", "a:1"},
			errHas: []string{"--detach-workers: --provider docker does not use it (only local)", "--workers: --provider docker does not use it (only static)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stateDir := filepath.Join(t.TempDir(), "state")
			root := newRootCmd()
			root.SetArgs(append(tt.args, "--state-dir", stateDir, "--listen", "127.0.0.1:0", "--store", "none"))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := root.ExecuteContext(ctx)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.errHas {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if _, err := os.Stat(stateDir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("state directory after a refused start: %v", err)
			}
		})
	}
}
