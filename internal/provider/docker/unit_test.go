package docker

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/providertest"
)

func TestStoreArgs(t *testing.T) {
	tests := []struct {
		name, store string
		wantArg     string
		wantBinds   []string
		errHas      string
	}{
		{name: "empty means none", store: "", wantArg: "none"},
		{name: "none", store: "none", wantArg: "none"},
		{name: "sqlite under state dir", store: "sqlite:/state/metrics.db", wantArg: "sqlite:/data/metrics.db", wantBinds: []string{"/state:/data"}},
		{name: "sqlite double slash", store: "sqlite:///state/sub/m.db", wantArg: "sqlite:/data/sub/m.db", wantBinds: []string{"/state:/data"}},
		{name: "query kept", store: "sqlite:/state/m.db?busy_timeout=10s", wantArg: "sqlite:/data/m.db?busy_timeout=10s", wantBinds: []string{"/state:/data"}},
		{name: "sqlite elsewhere", store: "sqlite:/var/lib/vfx/m.db", wantArg: "sqlite:/store/m.db", wantBinds: []string{"/var/lib/vfx:/store"}},
		{name: "sibling with common prefix is elsewhere", store: "sqlite:/state2/m.db", wantArg: "sqlite:/store/m.db", wantBinds: []string{"/state2:/store"}},
		{name: "other scheme unchanged", store: "dynamodb://vfx-metrics", wantArg: "dynamodb://vfx-metrics"},
		{name: "empty sqlite path", store: "sqlite:", errHas: "empty sqlite path"},
		{name: "colon in path", store: "sqlite:/state/a:b.db", errHas: "must not contain ':'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arg, binds, err := storeArgs(tt.store, "/state")
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("storeArgs(%q) = %q, %v, %v; want error with %q", tt.store, arg, binds, err, tt.errHas)
				}
				return
			}
			if err != nil || arg != tt.wantArg || strings.Join(binds, ",") != strings.Join(tt.wantBinds, ",") {
				t.Fatalf("storeArgs(%q) = %q, %q, %v; want %q, %q", tt.store, arg, binds, err, tt.wantArg, tt.wantBinds)
			}
		})
	}
}

func TestReadProgress(t *testing.T) {
	tests := []struct {
		name, in, errHas string
	}{
		{name: "success", in: `{"stream":"Step 1/4 : FROM scratch\n"}` + "\n" + `{"stream":"Successfully built abc\n"}`},
		{name: "error detail", in: `{"stream":"Step 2/4 : COPY vfx /vfx\n"}{"errorDetail":{"message":"COPY failed: no source files"},"error":"COPY failed"}`, errHas: "COPY failed: no source files (after: Step 2/4"},
		{name: "plain error", in: `{"error":"boom"}`, errHas: "boom"},
		{name: "garbage", in: `{"stream":`, errHas: "read build output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := readProgress(strings.NewReader(tt.in), slog.New(slog.DiscardHandler))
			if tt.errHas == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err = %v; want %q", err, tt.errHas)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	good, err := Config{Deployment: "prod-1", Workers: provider.Workers{StateDir: "/s"}}.complete()
	if err != nil {
		t.Fatal(err)
	}
	providertest.CheckConfigs(t, good, []providertest.ConfigCase[Config]{
		{Name: "defaults", Mutate: func(*Config) {}},
		{Name: "zero values stand for defaults", Mutate: func(c *Config) { c.Workers = provider.Workers{StateDir: "/s"}; c.CPUs, c.Memory = 0, 0 }},
		{Name: "half a cpu", Mutate: func(c *Config) { c.CPUs = 0.5 }},
		{Name: "no deployment", Mutate: func(c *Config) { c.Deployment = "" }, ErrHas: []string{"deployment: required"}},
		{Name: "upper-case deployment", Mutate: func(c *Config) { c.Deployment = "Prod" }, ErrHas: []string{"deployment:"}},
		{Name: "deployment with slash", Mutate: func(c *Config) { c.Deployment = "a/b" }, ErrHas: []string{"deployment:"}},
		{Name: "long deployment", Mutate: func(c *Config) { c.Deployment = strings.Repeat("a", 41) }, ErrHas: []string{"deployment:"}},
		{Name: "tiny memory", Mutate: func(c *Config) { c.Memory = 1 << 20 }, ErrHas: []string{"worker memory: 1MiB is less than 16MiB"}},
		{Name: "negative cpus", Mutate: func(c *Config) { c.CPUs = -1 }, ErrHas: []string{"worker cpus: -1 is not in 0.01-1024"}},
		{Name: "too many workers", Mutate: func(c *Config) { c.MaxWorkers = MaxWorkersLimit + 1 }, ErrHas: []string{"max workers: 1025 is not in 1-1024"}},
		{Name: "reserved arg", Mutate: func(c *Config) { c.Args = []string{"--store", "x"} }, ErrHas: []string{"args: --store"}},
		{Name: "store path with a colon", Mutate: func(c *Config) { c.Store = "sqlite:/s/a:b.db" }, ErrHas: []string{`store: "sqlite:/s/a:b.db": a sqlite path`}},
		{Name: "all reported", Mutate: func(c *Config) { c.StateDir = ""; c.StopTimeout = -time.Second }, ErrHas: []string{"state dir", "stop timeout"}},
	})
	if n := nanoCPUs(0.5); n != 500_000_000 {
		t.Errorf("nanoCPUs(0.5) = %d", n)
	}
}

func TestHostAddressAndNames(t *testing.T) {
	ports := []container.Port{
		{IP: "::1", PrivatePort: 8000, PublicPort: 1111, Type: "tcp"},
		{IP: "127.0.0.1", PrivatePort: 9000, PublicPort: 2222, Type: "tcp"},
		{IP: "127.0.0.1", PrivatePort: 8000, PublicPort: 3333, Type: "tcp"},
	}
	if got := hostAddress(ports); got != "http://127.0.0.1:3333" {
		t.Errorf("hostAddress = %q", got)
	}
	if got := hostAddress(nil); got != "" {
		t.Errorf("hostAddress(nil) = %q", got)
	}
	in := []provider.Instance{{ID: "vfx-d-10"}, {ID: "vfx-d-2"}, {ID: "vfx-d-1"}}
	sortInstances(in)
	if in[0].ID != "vfx-d-1" || in[1].ID != "vfx-d-2" || in[2].ID != "vfx-d-10" {
		t.Errorf("sorted %v", in)
	}
}

func TestEngineUnreachable(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	_, err := New(context.Background(), Config{Deployment: "x", Workers: provider.Workers{StateDir: t.TempDir()}})
	if err == nil || !strings.Contains(err.Error(), "docker engine not reachable at unix:///nonexistent/docker.sock") {
		t.Fatalf("New with no engine: %v", err)
	}
}

func FuzzStoreArgs(f *testing.F) {
	for _, s := range []string{"", "none", "sqlite:/state/m.db", "sqlite:///state/a/../b.db?busy_timeout=1s", "sqlite:rel.db", "dynamodb://t", "sqlite:", "sqlite:/x:y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, store string) {
		arg, binds, err := storeArgs(store, "/state")
		if err != nil {
			return
		}
		if arg == "" {
			t.Fatalf("storeArgs(%q): empty argument", store)
		}
		for _, b := range binds {
			// host:container, both absolute, exactly one separator.
			parts := strings.Split(b, ":")
			if len(parts) != 2 || !filepath.IsAbs(parts[0]) || (parts[1] != dataMount && parts[1] != storeMount) {
				t.Fatalf("storeArgs(%q) bind %q", store, b)
			}
		}
		if strings.HasPrefix(strings.ToLower(store), "sqlite:") && len(binds) != 1 {
			t.Fatalf("storeArgs(%q) = %q with binds %q; a sqlite store needs one mount", store, arg, binds)
		}
	})
}

func FuzzReadProgress(f *testing.F) {
	f.Add([]byte(`{"stream":"Step 1/4 : FROM scratch\n"}{"errorDetail":{"message":"x"}}`))
	f.Add([]byte(`{"error":"boom"}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = readProgress(bytes.NewReader(b), slog.New(slog.DiscardHandler)) // must not panic or hang
	})
}
