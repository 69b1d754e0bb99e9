package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestRequestOnTerminal runs vfx request on a pseudo-terminal against a
// server that takes 1.5 s to answer, longer than the second after which
// the command shows a spinner. Whatever the terminal's width, what stays on
// the screen at the end is the result line, and nothing of the spinner.
func TestRequestOnTerminal(t *testing.T) {
	bin := testutil.NeedVFX(t)
	answer := testutil.PNG(t, 8, 6)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The delay is the subject: the request must outlast the spinner's
		// one-second delay.
		time.Sleep(1500 * time.Millisecond)
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("X-Worker-Id", "slow-1")
		w.Header().Set("X-Request-Id", "r-1")
		w.Header().Set("X-Work-Units", "42")
		w.Write(answer)
	}))
	defer srv.Close()
	scene := testutil.SeedPath(t, "raytracer/scenes/test01.txt")
	// The result line as the screen wraps it, spaces left out (a row's
	// trailing space does not show).
	resultRE := regexp.MustCompile(`^wrote\S+/out\.png\(8x6png,\d+bytes\)fromworkerslow-1in[\d.]+m?s:42units`)
	for _, cols := range []uint16{80, 30} {
		t.Run(fmt.Sprintf("%d columns", cols), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.png")
			cmd := exec.Command(bin, "request", "raytrace", scene, "-o", out, "--url", srv.URL)
			p := startOnTerminal(t, cmd, cols)
			p.wait(t, 60*time.Second)
			raw := p.raw()
			if !strings.Contains(string(raw), "waiting for") {
				t.Errorf("no spinner was shown during the 1.5 s request:\n%q", raw)
			}
			screen := testutil.Screen(raw, int(cols))
			joined := strings.Join(screen, "")
			if strings.Contains(joined, "waiting") {
				t.Errorf("the spinner stayed on the screen:\n%s\nraw output: %q", strings.Join(screen, "\n"), raw)
			}
			// The result line, wrapped at the terminal's width, is the last
			// thing on the screen.
			if !resultRE.MatchString(resultRows(screen)) {
				t.Errorf("the screen does not end with the result line:\n%s\nraw output: %q", strings.Join(screen, "\n"), raw)
			}
		})
	}
}

// resultRows is the end of the screen from the last row that starts with
// "wrote ", its rows joined and spaces removed.
func resultRows(screen []string) string {
	for i := len(screen) - 1; i >= 0; i-- {
		if strings.HasPrefix(screen[i], "wrote ") {
			return strings.ReplaceAll(strings.Join(screen[i:], ""), " ", "")
		}
	}
	return ""
}
