package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// allCommands lists the root command and every command below it.
func allCommands(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for _, c := range root.Commands() {
		out = append(out, allCommands(c)...)
	}
	return out
}

// runRoot runs the root command with args and returns its output and the
// process exit code main would use.
func runRoot(t *testing.T, args ...string) (string, int, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	code := 0
	if err != nil {
		code = 1
		var ec *exitCodeError
		if errors.As(err, &ec) {
			code = ec.code
		}
	}
	return out.String(), code, err
}

// TestOneDefaultPerFlag: every flag's help line states its default at
// most once.
func TestOneDefaultPerFlag(t *testing.T) {
	for _, c := range allCommands(newRootCmd()) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			fs := pflag.NewFlagSet("one", pflag.ContinueOnError)
			fs.AddFlag(f)
			line := fs.FlagUsages()
			if n := strings.Count(strings.ToLower(line), "default"); n > 1 {
				t.Errorf("%s --%s states %d defaults: %s", c.CommandPath(), f.Name, n, strings.TrimSpace(line))
			}
		})
	}
}

// TestSizesEverywhere: every flag that holds a size in bytes takes the
// same size syntax (64MiB, 1GiB, plain bytes) and shows its default in it.
func TestSizesEverywhere(t *testing.T) {
	sizes := 0
	for _, c := range allCommands(newRootCmd()) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			name := f.Name
			isSize := strings.Contains(name, "body") || strings.Contains(name, "buffer") || strings.Contains(name, "bytes") || strings.Contains(name, "memory")
			if !isSize || strings.Contains(name, "timeout") {
				return
			}
			sizes++
			if f.Value.Type() != "size" {
				t.Errorf("%s --%s is a %s flag, want size", c.CommandPath(), name, f.Value.Type())
				return
			}
			for in, want := range map[string]string{"64MiB": "64MiB", "1GiB": "1GiB", "1048576": "1MiB", "1000": "1000"} {
				if err := f.Value.Set(in); err != nil || f.Value.String() != want {
					t.Errorf("%s --%s %s: %v, reads back %q", c.CommandPath(), name, in, err, f.Value.String())
				}
			}
		})
	}
	// worker --max-body --max-memory, lb and up --max-body --max-buffered
	// --response-buffer --worker-memory, blur and enhance --max-bytes.
	if sizes != 12 {
		t.Errorf("%d size flags, want 12", sizes)
	}
}

// TestMissingOutput: every command that writes an image says the same
// thing, with the same exit code, when -o is missing.
func TestMissingOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.png")
	writeTestPNG(t, in, 4, 4)
	for _, args := range [][]string{
		{"raytrace", in},
		{"blur", in},
		{"enhance", in},
		{"request", "raytrace", in, "--url", "http://127.0.0.1:1"},
		{"request", "blur", in, "--url", "http://127.0.0.1:1"},
		{"request", "enhance", in, "--url", "http://127.0.0.1:1"},
	} {
		t.Run(strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
			_, code, err := runRoot(t, args...)
			if code != 2 || !errors.Is(err, errMissingOutput) {
				t.Errorf("exit %d, error %v; want 2 and %q", code, err, errMissingOutput)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	out, code, err := runRoot(t, "--version")
	if err != nil || code != 0 {
		t.Fatalf("--version: %v", err)
	}
	if !strings.HasPrefix(out, "vfx ") || !strings.Contains(out, runtime.Version()) || !strings.Contains(out, runtime.GOOS+"/"+runtime.GOARCH) {
		t.Errorf("--version printed %q: want vfx, the Go version and the platform", out)
	}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "2131258abcdef0123456789"}, {Key: "vcs.time", Value: "2025-05-01T12:00:00Z"}, {Key: "vcs.modified", Value: "false"},
		}}, "v1.2.0 (revision 2131258abcde, 2025-05-01T12:00:00Z) go1.26.8 linux/amd64"},
		{"work tree with changes", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"},
		}}, "(devel) (revision abc, modified) go1.26.8 linux/amd64"},
		{"no VCS", &debug.BuildInfo{GoVersion: "go1.26.8"}, "(devel) go1.26.8 linux/amd64"},
		{"no build information", nil, "unknown (no build information) " + runtime.Version() + " linux/amd64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatVersion(tc.bi, "linux/amd64"); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestServersListenOnLoopback: every server listens on 127.0.0.1:8000
// unless --listen says otherwise.
func TestServersListenOnLoopback(t *testing.T) {
	root := newRootCmd()
	for _, name := range []string{"worker", "lb", "up"} {
		c, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		if f := c.Flags().Lookup("listen"); f == nil || f.DefValue != "127.0.0.1:8000" {
			t.Errorf("vfx %s --listen default %v, want 127.0.0.1:8000", name, f)
		}
	}
}

// TestBeyondLoopbackNeedsAdminToken: vfx lb and vfx up refuse to listen
// beyond this machine without an admin token, with one line saying how to
// set it, before they start anything.
func TestBeyondLoopbackNeedsAdminToken(t *testing.T) {
	t.Setenv(envAdminToken, "")
	os.Unsetenv(envAdminToken)
	for _, args := range [][]string{
		{"up", "--listen", "0.0.0.0:0"},
		{"up", "--listen", ":8000", "--workers", "2"},
		{"lb", "--listen", "192.0.2.1:8000", "--workers", "http://127.0.0.1:1"},
		{"lb", "--listen", "[::]:0", "--provider", "local"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			_, code, err := runRoot(t, append(args, "--state-dir", dir)...)
			if code != 2 || err == nil {
				t.Fatalf("exit %d, error %v; want a refusal with 2", code, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, "--admin-token-file") || !strings.Contains(msg, envAdminToken) {
				t.Errorf("message %q: want one line naming --admin-token-file and $%s", msg, envAdminToken)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the refused command left %d files in its state directory", len(entries))
			}
		})
	}
	for _, tc := range []struct {
		listen string
		token  string
		ok     bool
	}{
		{"127.0.0.1:8000", "", true},
		{"localhost:0", "", true},
		{"[::1]:8000", "", true},
		{"0.0.0.0:8000", "admin-token-0123456789", true},
		{"0.0.0.0:8000", "", false},
		{"not an address", "", false},
	} {
		f := lbFlags{listen: tc.listen, admin: adminTokenFlag(), worker: workerTokenFlag()}
		f.admin.value = tc.token
		if _, err := f.tokens(); (err == nil) != tc.ok {
			t.Errorf("listen %q token %q: error %v, want ok %v", tc.listen, tc.token, err, tc.ok)
		}
	}
}

func TestTokenFlag(t *testing.T) {
	const token = "token-from-somewhere-0123456789"
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, []byte("other-token-0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("tiny-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("x"), maxTokenFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		env       string // "-": unset
		want      string // the token, "" for none
		err       string
		forbidden string // must not appear in the error
	}{
		{"none", nil, "-", "", "", ""},
		{"flag", []string{"--admin-token", token}, "-", token, "", ""},
		{"file", []string{"--admin-token-file", file}, "-", token, "", ""},
		{"environment", nil, token, token, "", ""},
		{"flag before the environment", []string{"--admin-token", token}, "env-token-0123456789abcdef", token, "", ""},
		{"file before the environment", []string{"--admin-token-file", other}, token, "other-token-0123456789abcdef", "", ""},
		{"flag and file", []string{"--admin-token", token, "--admin-token-file", file}, "-", "", "give one of them", token},
		{"short in a file", []string{"--admin-token-file", short}, "-", "", "--admin-token-file " + short + ": unusable token: 11 characters", "tiny-secret"},
		{"short in the environment", nil, "tiny-secret", "", "$VFX_ADMIN_TOKEN: unusable token", "tiny-secret"},
		{"short flag", []string{"--admin-token", "tiny-secret"}, "-", "", "--admin-token: unusable token", "tiny-secret"},
		{"missing file", []string{"--admin-token-file", filepath.Join(dir, "nope")}, "-", "", "no such file", ""},
		{"huge file", []string{"--admin-token-file", huge}, "-", "", "larger than 65536 bytes", "xxxx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env == "-" {
				t.Setenv(envAdminToken, "")
				os.Unsetenv(envAdminToken)
			} else {
				t.Setenv(envAdminToken, tc.env)
			}
			tf := adminTokenFlag()
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			tf.bind(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			s, err := tf.secret()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				if tc.forbidden != "" && strings.Contains(err.Error(), tc.forbidden) {
					t.Errorf("error %q shows the token", err)
				}
				return
			}
			if err != nil || s.Reveal() != tc.want {
				t.Fatalf("token %q, %v; want %q", s.Reveal(), err, tc.want)
			}
		})
	}
	// The environment's token is not the flag's default: --help never
	// shows it.
	t.Setenv(envAdminToken, token)
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	adminTokenFlag().bind(fs)
	if strings.Contains(fs.FlagUsages(), token) {
		t.Error("the help shows the token of the environment")
	}
}

// TestStateDirFromConfigFile: vfx up and vfx lb keep everything in one
// state directory: --state-dir when given, else the configuration file's
// state_dir, else vfx-data.
func TestStateDirFromConfigFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	cwd := t.TempDir()
	t.Chdir(cwd)
	file := filepath.Join(cwd, "as.yaml")
	if err := os.WriteFile(file, []byte("state_dir: ~/from-file\nmax: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"default", nil, filepath.Join(cwd, "vfx-data")},
		{"flag", []string{"--state-dir", "mine"}, filepath.Join(cwd, "mine")},
		{"file", []string{"--autoscale-config", file}, filepath.Join(home, "from-file")},
		{"flag over the file", []string{"--autoscale-config", file, "--state-dir", "mine"}, filepath.Join(cwd, "mine")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f lbFlags
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			f.bind(fs)
			as := addAutoscaleFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			acfg, err := as.config("")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.useStateDir(fs, &acfg); err != nil {
				t.Fatal(err)
			}
			if f.stateDir != tc.want || acfg.Loop.StateDir != tc.want {
				t.Errorf("state dir %q, autoscaler's %q; want both %q", f.stateDir, acfg.Loop.StateDir, tc.want)
			}
			u, err := f.storeURL()
			if err != nil || u != "sqlite:"+filepath.Join(tc.want, "metrics.db") {
				t.Errorf("store %q, %v", u, err)
			}
		})
	}
}
