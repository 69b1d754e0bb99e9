package docstest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

// docDir is where the pages' reader works: the repository's clone in their
// home directory. The outputs the pages show use this path; the test's own
// working directory stands for it.
const docDir = "/home/me/vfx"

// page is the state of one page's run: its working directory, the
// environment of its commands and the servers its commands started, by the
// port the page gives them.
type page struct {
	t       *testing.T
	dir     string // the working directory: a repository root
	env     []string
	ports   map[string]string // the page's port → the real one
	servers map[string]*server
}

// server is a vfx up, lb or worker a page started.
type server struct {
	proc    *testutil.Proc
	kind    string
	docPort string
	text    string // the command as run
}

// newPage prepares a page's run: a directory laid out as a clone of the
// repository, with the seed data at ../shared/seed-data, and vfx (bin) on
// the PATH.
func newPage(t *testing.T, bin string) *page {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "repo")
	binDir := filepath.Join(base, "bin")
	seed, err := testutil.SeedDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, binDir, filepath.Join(base, "shared")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(seed, filepath.Join(base, "shared", "seed-data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(binDir, "vfx")); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "VFX_LOG_LEVEL", "VFX_STORE", "VFX_URL", "PATH":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return &page{t: t, dir: dir, env: env, ports: map[string]string{}, servers: map[string]*server{}}
}

// alias is the command as the test runs it: `go run ./cmd/vfx` is the vfx
// on the PATH.
func (p *page) alias(text string) string {
	return strings.ReplaceAll(text, "go run ./cmd/vfx ", "vfx ")
}

var (
	serverRE = regexp.MustCompile(`^vfx (up|lb|worker)\b`)
	listenRE = regexp.MustCompile(`--listen[ =](\S*):(\d+)`)
	addrRE   = regexp.MustCompile(`(127\.0\.0\.1|localhost):(\d+)`)
	// readyRE is what each kind of server prints once it serves.
	readyRE = map[string]*regexp.Regexp{
		"up":     regexp.MustCompile(`(?m)^Press Ctrl-C to stop\.$`),
		"lb":     regexp.MustCompile(`(?m)^load balancer on http`),
		"worker": regexp.MustCompile(`msg="worker listening"`),
	}
)

// isServer reports whether a command starts a vfx that keeps running.
func isServer(text string) bool { return serverRE.MatchString(strings.TrimSpace(text)) }

// startServer starts a server command of the page on a free port, after
// stopping the server the page had on the same port. It runs on the page's
// goroutine.
func (p *page) startServer(c Command) *server {
	t := p.t
	text := strings.TrimSuffix(strings.TrimSpace(p.alias(c.Text)), "&")
	kind := serverRE.FindStringSubmatch(text)[1]
	docPort := "8000"
	if m := listenRE.FindStringSubmatch(text); m != nil {
		docPort = m[2]
	}
	if old := p.servers[docPort]; old != nil {
		p.stop(old)
	}
	port, err := testutil.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p.ports[docPort] = strconv.Itoa(port)
	text, err = p.rewritePorts(text)
	if err != nil {
		t.Fatalf("line %d: %v", c.Line, err)
	}
	real := "127.0.0.1:" + p.ports[docPort]
	if listenRE.MatchString(text) {
		text = listenRE.ReplaceAllString(text, "--listen "+real)
	} else {
		text = serverRE.ReplaceAllString(text, "vfx $1 --listen "+real)
	}
	cmd := exec.Command("bash", "-c", "exec "+text)
	cmd.Dir, cmd.Env = p.dir, p.env
	s := &server{proc: testutil.StartProc(t, cmd, 30*time.Second), kind: kind, docPort: docPort, text: text}
	p.servers[docPort] = s
	return s
}

// checkServer waits until the server serves and has printed what the page
// shows.
func (p *page) checkServer(t *testing.T, s *server, c Command) {
	s.proc.WaitOutput(t, readyRE[s.kind], 2*time.Minute)
	if len(c.Output) == 0 {
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := p.normalize(s.proc.Output())
		if contains(got, c.Output) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("line %d: %s\nprinted:\n%s\nthe page shows:\n%s", c.Line, s.text, got, strings.Join(c.Output, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends a server the way a reader does (Ctrl-C) and checks that it
// exits cleanly.
func (p *page) stop(s *server) {
	p.t.Helper()
	delete(p.servers, s.docPort)
	if err := s.proc.Cmd.Process.Signal(syscall.SIGINT); err != nil {
		p.t.Errorf("interrupt %s: %v", s.text, err)
		return
	}
	select {
	case <-s.proc.Exited():
		if err := s.proc.Err(); err != nil {
			p.t.Errorf("%s exited with %v after Ctrl-C:\n%s", s.text, err, s.proc.Output())
		}
	case <-time.After(90 * time.Second):
		p.t.Errorf("%s still running 90 s after Ctrl-C", s.text)
	}
}

// stopAll stops the page's servers.
func (p *page) stopAll() {
	for _, s := range p.servers {
		p.stop(s)
	}
}

// runCommand runs a command that ends, and checks its exit status (a
// failure when the page shows vfx's error line) and its output.
func (p *page) runCommand(t *testing.T, c Command) {
	text, err := p.rewritePorts(p.alias(c.Text))
	if err != nil {
		t.Fatalf("line %d: %v", c.Line, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", text)
	cmd.Dir, cmd.Env = p.dir, p.env
	if real, ok := p.ports["8000"]; ok {
		cmd.Env = append(cmd.Env, "VFX_URL=http://127.0.0.1:"+real)
	}
	out, err := cmd.CombinedOutput()
	got := p.normalize(string(out))
	switch fail := expectsFailure(c); {
	case fail && err == nil:
		t.Errorf("line %d: %s\nsucceeded, but the page shows it failing; it printed:\n%s", c.Line, text, got)
	case !fail && err != nil:
		t.Errorf("line %d: %s\nfailed: %v; it printed:\n%s", c.Line, text, err, got)
	}
	if !contains(got, c.Output) {
		t.Errorf("line %d: %s\nprinted:\n%s\nthe page shows:\n%s", c.Line, text, got, strings.Join(c.Output, "\n"))
	}
}

// rewritePorts points the page's addresses at the servers of this run. An
// address no server of the page listens on is an error.
func (p *page) rewritePorts(text string) (string, error) {
	var bad error
	text = addrRE.ReplaceAllStringFunc(text, func(a string) string {
		m := addrRE.FindStringSubmatch(a)
		real, ok := p.ports[m[2]]
		if !ok {
			bad = fmt.Errorf("%s: no server of this page listens there (start one in a block above)", a)
			return a
		}
		return m[1] + ":" + real
	})
	return text, bad
}

// normalize is a command's output as the page would show it: the run's
// ports are the page's, and its working directory is docDir.
func (p *page) normalize(out string) string {
	for doc, real := range p.ports {
		out = strings.ReplaceAll(out, "127.0.0.1:"+real, "127.0.0.1:"+doc)
	}
	return strings.ReplaceAll(out, p.dir, docDir)
}
