package local

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/specialvfx/vfx/internal/provider/owner"
)

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	st, ok := owner.ReadStat(pid)
	return ok && st.Running()
}

// exiting reports whether pid is a process on its way out: it runs no
// more of its program (and its command line reads empty) but is not a
// zombie yet.
func exiting(pid int) bool {
	st, ok := owner.ReadStat(pid)
	return ok && st.Exiting()
}

// isWorker reports whether pid runs `BINARY worker ... --id ID ...
// --listen HOST:PORT`, as recorded: this guards against a recycled pid.
func isWorker(pid int, r record) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	return matchCmdline(b, r)
}

// matchCmdline checks a NUL-separated /proc/<pid>/cmdline against r.
func matchCmdline(cmdline []byte, r record) bool {
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	if len(args) < 2 || filepath.Clean(args[0]) != filepath.Clean(r.Binary) || args[1] != "worker" {
		return false
	}
	listen := strings.TrimPrefix(r.Address, "http://")
	return flagValue(args[2:], "--id") == r.ID && flagValue(args[2:], "--listen") == listen
}

// flagValue returns the value of --name in args ("--name v" or "--name=v").
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// signalWorker sends sig to a worker that this process did not start,
// after checking that pid still is that worker. It reports whether the
// worker was there to signal.
func signalWorker(pid int, r record, sig syscall.Signal) (bool, error) {
	if !alive(pid) || !isWorker(pid, r) {
		return false, nil
	}
	if err := syscall.Kill(pid, sig); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return false, nil
		}
		return true, err
	}
	return true, nil
}
