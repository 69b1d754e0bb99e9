package owner

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// helperEnv makes the test binary take a lock and hold it until killed
// (see TestMain).
const helperEnv = "VFX_OWNER_TEST_LOCK"

// held keeps the helper's lock referenced: a collected *os.File would be
// closed, and the lock released with it.
var held *Lock

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		var err error
		if held, err = Acquire(path, "test directory", Self("http://127.0.0.1:1", time.Now())); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println("locked")
		time.Sleep(time.Hour)
	}
	os.Exit(m.Run())
}

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "owner.lock")
	if _, held := Peek(path); held {
		t.Fatal("Peek of a missing file: held")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Peek created the file: %v", err)
	}
	first := Self("http://127.0.0.1:8000", time.Now())
	l, err := Acquire(path, "state directory /x", first)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Previous(); ok {
		t.Error("a new lock file has a previous owner")
	}
	if o, held := Peek(path); !held || !o.Same(first) || o.Address != first.Address {
		t.Errorf("Peek = %+v, %v; want the first owner", o, held)
	}

	// A second owner, even in this process, is refused with the first
	// one's name.
	_, err = Acquire(path, "state directory /x", Self("http://127.0.0.1:8001", time.Now()))
	var he *HeldError
	if !errors.Is(err, ErrOwned) || !errors.As(err, &he) || !he.Owner.Same(first) {
		t.Fatalf("second Acquire = %v; want a HeldError naming the first owner", err)
	}
	if !strings.HasPrefix(err.Error(), "state directory /x is owned by a running vfx (pid ") || !strings.Contains(err.Error(), "load balancer http://127.0.0.1:8000") {
		t.Errorf("refusal %q", err)
	}

	// Released, it is free and records nobody.
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	if _, held := Peek(path); held {
		t.Error("Peek after Release: held")
	}
	l2, err := Acquire(path, "state directory /x", Self("", time.Now()))
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	defer l2.Release()
	if _, ok := l2.Previous(); ok {
		t.Error("a released lock left a previous owner")
	}
}

// TestLockOfKilledOwner: the lock of an owner that is killed is taken over
// at once, and its record is reported as the previous owner.
func TestLockOfKilledOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "owner.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line := make(chan string, 1)
	go func() { s, _ := bufio.NewReader(out).ReadString('\n'); line <- s }()
	select {
	case s := <-line:
		if s != "locked\n" {
			t.Fatalf("helper said %q", s)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the helper did not take the lock within 20s")
	}
	o, held := Peek(path)
	if !held || o.PID != cmd.Process.Pid || !o.Alive() {
		t.Fatalf("Peek = %+v, %v; want the helper (pid %d), alive", o, held, cmd.Process.Pid)
	}
	if _, err := Acquire(path, "test directory", Self("", time.Now())); !errors.Is(err, ErrOwned) {
		t.Fatalf("Acquire while the helper runs: %v; want ErrOwned", err)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	l, err := Acquire(path, "test directory", Self("", time.Now()))
	if err != nil {
		t.Fatalf("Acquire after the owner was killed: %v", err)
	}
	defer l.Release()
	prev, ok := l.Previous()
	if !ok || prev.PID != cmd.Process.Pid || prev.Alive() {
		t.Errorf("Previous = %+v, %v; want the killed helper, dead", prev, ok)
	}
}
