package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/client"
	"github.com/specialvfx/vfx/internal/testutil"
)

// TestUpOnTerminal runs vfx up on a pseudo-terminal as a person would: the
// banner stays on the screen with a live status line below it that counts
// the requests sent, the log goes to its file and not to the screen, and
// Ctrl-C leaves no status line behind.
func TestUpOnTerminal(t *testing.T) {
	bin := testutil.NeedVFX(t)
	dir := t.TempDir()
	addr := testutil.NeedFreeAddr(t)
	p := startOnTerminal(t, exec.Command(bin, "up", "--listen", addr, "--state-dir", dir, "--workers", "1"), 160)
	statusRE := regexp.MustCompile(`^workers: 1 ready \| queue 0 \| last \d+s: (no requests|\d+ requests?, [\d.]+/s, p50 \S+, p99 \S+) \| backlog \S+ units$`)
	p.waitScreen(t, 60*time.Second, "the banner and a status line below it", func(s []string) bool {
		return slices.Contains(s, "Press Ctrl-C to stop.") && len(s) > 0 && statusRE.MatchString(s[len(s)-1])
	})

	c := client.New("http://"+addr, nil)
	scene := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	for range 3 {
		if _, err := c.Raytrace(t.Context(), scene, nil, client.RaytraceParams{SCols: 40, SRows: 30, WCols: 40, WRows: 30}); err != nil {
			t.Fatal(err)
		}
	}
	p.waitScreen(t, 30*time.Second, "the status line to count the 3 requests", func(s []string) bool {
		return strings.Contains(s[len(s)-1], ": 3 requests, ") && statusRE.MatchString(s[len(s)-1])
	})
	screen := p.screen()
	banner := slices.Index(screen, "Press Ctrl-C to stop.")
	if banner < 0 || banner != len(screen)-2 {
		t.Errorf("the banner is not right above the status line:\n%s", strings.Join(screen, "\n"))
	}
	for _, row := range screen {
		if strings.HasPrefix(row, "time=") {
			t.Errorf("a log line is on the screen: %q", row)
		}
	}

	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.wait(t, 60*time.Second)
	for _, row := range p.screen() {
		if strings.HasPrefix(row, "workers: ") {
			t.Errorf("the status line stayed after Ctrl-C: %q", row)
		}
	}
	log, err := os.ReadFile(filepath.Join(dir, "logs", upLogName))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`msg="load balancer listening"`, `msg="workers stopped"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the log file lacks %s:\n%s", want, log)
		}
	}
}

// TestUpNotOnTerminal: with its output not a terminal, vfx up prints the
// banner and no periodic line, and its info log goes to the file only.
func TestUpNotOnTerminal(t *testing.T) {
	bin := testutil.NeedVFX(t)
	dir := t.TempDir()
	addr := testutil.NeedFreeAddr(t)
	up := testutil.StartProc(t, exec.Command(bin, "up", "--listen", addr, "--state-dir", dir, "--workers", "1"), 30*time.Second)
	up.WaitOutput(t, regexp.MustCompile(`Press Ctrl-C to stop\.\n`), 60*time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := client.New("http://"+addr, nil).Raytrace(ctx, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil, client.RaytraceParams{SCols: 40, SRows: 30, WCols: 40, WRows: 30}); err != nil {
		t.Fatal(err)
	}
	if err := up.Cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := up.Err(); err != nil {
		t.Fatalf("vfx up: %v", err)
	}
	out := up.Output()
	for _, unwanted := range []string{"level=INFO", "workers: ", "\r", "\x1b"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("the output has %q:\n%s", unwanted, out)
		}
	}
	log, err := os.ReadFile(filepath.Join(dir, "logs", upLogName))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "level=INFO") {
		t.Errorf("the log file has no info line:\n%s", log)
	}
}
