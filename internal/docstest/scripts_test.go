package docstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// needTools runs need_tools (scripts/need-tools.sh, which scripts/test.sh
// and the bench/ scripts source) with args and a stand-in apt-get first on
// the PATH that records its arguments. uid ≥ 0 runs it as that user. It
// returns the output, whether it succeeded, and the apt-get calls.
func needTools(t *testing.T, uid int, args ...string) (out string, ok bool, aptCalls string) {
	t.Helper()
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil { // the other user writes its calls there
		t.Fatal(err)
	}
	calls := filepath.Join(dir, "apt-get.calls")
	fake := "#!/bin/sh\necho \"$@\" >> " + calls + "\n"
	if err := os.WriteFile(filepath.Join(dir, "apt-get"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	script := `source scripts/need-tools.sh; need_tools who "the tests need them" "$@"`
	cmd := exec.Command("bash", append([]string{"-c", script, "bash"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	if uid >= 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	b, err := cmd.CombinedOutput()
	c, _ := os.ReadFile(calls)
	return string(b), err == nil, string(c)
}

// TestNeedToolsPresent: with every tool there, nothing is installed and
// nothing printed.
func TestNeedToolsPresent(t *testing.T) {
	out, ok, apt := needTools(t, -1, "bash:bash", "/bin/sh:dash")
	if !ok || out != "" || apt != "" {
		t.Fatalf("tools present: ok %v, output %q, apt-get calls %q; want success, silence, no apt-get", ok, out, apt)
	}
}

// TestNeedToolsNotRoot: a user who is not root gets the command to run and
// exit status 1; apt-get is not run.
func TestNeedToolsNotRoot(t *testing.T) {
	uid := -1
	if os.Getuid() == 0 {
		uid = 65534 // nobody
	}
	out, ok, apt := needTools(t, uid, "bash:bash", "no-such-tool-1:pkg-a", "/no/such/file:pkg-b", "no-such-tool-2:pkg-a")
	if ok || apt != "" {
		t.Fatalf("not root: ok %v, apt-get calls %q; want exit 1 without apt-get\n%s", ok, apt, out)
	}
	for _, want := range []string{"no-such-tool-1 /no/such/file no-such-tool-2 missing: the tests need them", "sudo apt-get install -y pkg-a pkg-b\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestNeedToolsRoot: root gets the missing tools' packages installed, and
// a line saying which and why.
func TestNeedToolsRoot(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("installing is only done as root, and this test does not run as root")
	}
	out, ok, apt := needTools(t, -1, "bash:bash", "no-such-tool-1:pkg-a", "no-such-tool-2:pkg-b")
	if !ok {
		t.Fatalf("as root: failed\n%s", out)
	}
	if apt != "update -qq\ninstall -y -qq pkg-a pkg-b\n" {
		t.Errorf("apt-get calls %q, want an update and one install of pkg-a pkg-b", apt)
	}
	if !strings.Contains(out, "who: installing pkg-a pkg-b with apt-get for no-such-tool-1 no-such-tool-2 (the tests need them)") {
		t.Errorf("output does not say what is installed and why:\n%s", out)
	}
}
