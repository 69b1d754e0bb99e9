package worker

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/lease"
	"github.com/specialvfx/vfx/internal/testutil"
)

// health sends GET /health with hdr and returns the status and body.
func health(t *testing.T, base string, hdr map[string]string) (int, string) {
	t.Helper()
	resp, b := send(t, context.Background(), http.MethodGet, base+"/health", "", hdr)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestLeaseExpiry: a worker with a lease keeps serving while it is
// renewed, for longer than the lease timeout; once the renewals stop it
// drains (the request in flight finishes with 200) and Serve returns.
func TestLeaseExpiry(t *testing.T) {
	const timeout = 2 * time.Second
	s, _ := newServer(t, func(c *Config) { c.LeaseTimeout = timeout })
	g := newGate(s)
	g.armed.Store(false)
	base, _, wait := serveOnLoopback(t, s)
	renewal := map[string]string{lease.Header: "vfx pid 1 on test"}

	// Renewed every 200 ms for two and a half lease timeouts: still ready.
	for end := time.Now().Add(5 * timeout / 2); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if code, body := health(t, base, renewal); code != http.StatusOK {
			t.Fatalf("renewal: %d %s", code, body)
		}
	}
	if code, body := health(t, base, nil); code != http.StatusOK || body != `{"status":"ready"}` {
		t.Fatalf("a renewed worker after 2.5 lease timeouts: %d %s", code, body)
	}

	// A request in flight when the renewals stop finishes.
	g.armed.Store(true)
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(base+tinyQuery, "application/json", strings.NewReader(body))
		if err != nil {
			t.Errorf("in-flight request: %v", err)
		}
		first <- resp
	}()
	<-g.started
	waitFor(t, 10*timeout, "the worker to drain once its lease expired", func() bool {
		code, body := health(t, base, nil)
		return code == http.StatusServiceUnavailable && body == `{"status":"draining"}`
	})
	// A late renewal does not bring a draining worker back.
	if code, _ := health(t, base, renewal); code != http.StatusServiceUnavailable {
		t.Errorf("renewal of a draining worker: %d, want 503", code)
	}
	g.armed.Store(false)
	close(g.release)
	r := <-first
	if r == nil {
		t.FailNow()
	}
	got, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("in-flight request: %s: %s", r.Status, got)
	}
	if err := wait(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// TestLeaseRenewalAccess: with a worker token a renewal needs it (401
// without), a malformed holder is refused (400), a plain /health stays
// open, and a worker without a lease takes the header as a plain probe.
func TestLeaseRenewalAccess(t *testing.T) {
	sec, err := access.ParseSecret(workerToken)
	if err != nil {
		t.Fatal(err)
	}
	s, ts, _ := newTestServer(t, func(c *Config) { c.Token, c.LeaseTimeout = sec, time.Hour })
	_, plain, _ := newTestServer(t, nil)
	for _, tc := range []struct {
		name   string
		base   string
		hdr    map[string]string
		status int
	}{
		{"renewal without the token", ts.URL, map[string]string{lease.Header: "lb"}, http.StatusUnauthorized},
		{"renewal with a wrong token", ts.URL, map[string]string{lease.Header: "lb", "Authorization": "Bearer wrong-token-0123456789"}, http.StatusUnauthorized},
		{"renewal with a bad holder", ts.URL, map[string]string{lease.Header: strings.Repeat("x", lease.MaxHolderLen+1), "Authorization": "Bearer " + workerToken}, http.StatusBadRequest},
		{"renewal with the token", ts.URL, map[string]string{lease.Header: "lb", "Authorization": "Bearer " + workerToken}, http.StatusOK},
		{"plain probe", ts.URL, nil, http.StatusOK},
		{"renewal of a worker without a lease", plain.URL, map[string]string{lease.Header: "lb"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := health(t, tc.base, tc.hdr); code != tc.status {
				t.Errorf("/health = %d %s, want %d", code, body, tc.status)
			}
		})
	}
	if st := s.lease.State(time.Now()); st.Holder != "lb" {
		t.Errorf("lease held by %q after the one accepted renewal, want lb", st.Holder)
	}
}
