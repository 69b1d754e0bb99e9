package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/specialvfx/vfx/internal/provider"
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

func TestCheckStatic(t *testing.T) {
	if err := checkStatic(vfxBinary); err != nil {
		t.Errorf("the CGO_ENABLED=0 build: %v", err)
	}
	text := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(text, []byte("#!/bin/sh\necho this is a shell script, not an ELF file\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, errHas string
	}{
		{name: "dynamic executable", path: "/bin/true", errHas: "dynamically linked"},
		{name: "not elf", path: text, errHas: "bad magic"},
		{name: "missing", path: "/nonexistent", errHas: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkStatic(tt.path); err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("checkStatic(%s) = %v; want error with %q", tt.path, err, tt.errHas)
			}
		})
	}
}

func TestBuildContextAndTag(t *testing.T) {
	bin := []byte("\x7fELF pretend binary")
	b, err := buildContext(bin)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(b))
	got := map[string]string{}
	modes := map[string]int64{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		got[h.Name] = string(data)
		modes[h.Name] = h.Mode
	}
	if len(got) != 2 || got["vfx"] != string(bin) || modes["vfx"] != 0o755 {
		t.Errorf("context holds %v (modes %v)", keys(got), modes)
	}
	df := got["Dockerfile"]
	for _, want := range []string{"FROM scratch\n", "COPY vfx /vfx", `ENTRYPOINT ["/vfx", "worker"]`} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, df)
		}
	}
	if strings.Contains(df, "RUN") {
		t.Errorf("a scratch image cannot RUN:\n%s", df)
	}
	a, a2, c := imageTag(bin), imageTag(bin), imageTag(append(bin, 0))
	if a != a2 || a == c || !strings.HasPrefix(a, "vfx-worker:") || len(a) != len("vfx-worker:")+16 {
		t.Errorf("tags %q %q %q: want stable, content-dependent vfx-worker:<16 hex>", a, a2, c)
	}
}

func TestReadBuildStream(t *testing.T) {
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
			err := readBuildStream(strings.NewReader(tt.in))
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
	good := func() Config { return Config{Deployment: "prod-1", StateDir: "/s"}.withDefaults() }
	tests := []struct {
		name   string
		mutate func(*Config)
		errHas []string
	}{
		{name: "defaults", mutate: func(*Config) {}},
		{name: "half a cpu", mutate: func(c *Config) { c.CPUs = 0.5 }},
		{name: "no deployment", mutate: func(c *Config) { c.Deployment = "" }, errHas: []string{"deployment: required"}},
		{name: "upper-case deployment", mutate: func(c *Config) { c.Deployment = "Prod" }, errHas: []string{"deployment:"}},
		{name: "deployment with slash", mutate: func(c *Config) { c.Deployment = "a/b" }, errHas: []string{"deployment:"}},
		{name: "long deployment", mutate: func(c *Config) { c.Deployment = strings.Repeat("a", 41) }, errHas: []string{"deployment:"}},
		{name: "tiny memory", mutate: func(c *Config) { c.Memory = 1 << 20 }, errHas: []string{"worker memory: 1MiB is less than 16MiB"}},
		{name: "negative cpus", mutate: func(c *Config) { c.CPUs = -1 }, errHas: []string{"worker cpus"}},
		{name: "reserved arg", mutate: func(c *Config) { c.Args = []string{"--store", "x"} }, errHas: []string{"args: --store"}},
		{name: "all reported", mutate: func(c *Config) { c.StateDir = ""; c.StopTimeout = -time.Second }, errHas: []string{"state dir", "stop timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.mutate(&c)
			err := c.Validate()
			if len(tt.errHas) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
	if n := nanoCPUs(0.5); n != 500_000_000 {
		t.Errorf("nanoCPUs(0.5) = %d", n)
	}
}

func TestConfigFromOptions(t *testing.T) {
	c, err := ConfigFromOptions(provider.Options{
		Deployment: "d", StateDir: "/s", Store: "none", WorkerCPUs: 0.5, WorkerMemory: 256 << 20, WorkerEnv: []string{"VFX_WORKER_TOKEN=t"},
		Extra: map[string]string{ExtraImage: "vfx-worker:abc", ExtraStopTimeout: "3s", ExtraMaxWorkers: "4", "detach": "true"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Deployment != "d" || c.CPUs != 0.5 || c.Memory != 256<<20 || c.Image != "vfx-worker:abc" || c.StopTimeout != 3*time.Second || c.MaxWorkers != 4 ||
		len(c.Env) != 1 || c.Env[0] != "VFX_WORKER_TOKEN=t" {
		t.Errorf("config = %+v", c)
	}
	if _, err := ConfigFromOptions(provider.Options{Extra: map[string]string{ExtraStartTimeout: "soon"}}); err == nil || !strings.Contains(err.Error(), "start-timeout") {
		t.Errorf("bad duration: %v", err)
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
	_, err := New(context.Background(), Config{Deployment: "x", StateDir: t.TempDir()})
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

func FuzzReadBuildStream(f *testing.F) {
	f.Add([]byte(`{"stream":"Step 1/4 : FROM scratch\n"}{"errorDetail":{"message":"x"}}`))
	f.Add([]byte(`{"error":"boom"}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = readBuildStream(bytes.NewReader(b)) // must not panic or hang
	})
}
