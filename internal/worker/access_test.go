package worker

import (
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/testutil"
)

const workerToken = "worker-token-0123456789abcdef"

// TestWorkerToken: with a worker token, compute requests, /status and
// /metrics need it (401 without it or with a wrong one, and a refused
// compute request is not recorded); /health, / and the CORS preflight
// stay open.
func TestWorkerToken(t *testing.T) {
	sec, err := access.ParseSecret(workerToken)
	if err != nil {
		t.Fatal(err)
	}
	_, ts, rec := newTestServer(t, func(c *Config) { c.Token = sec })
	for _, tc := range []struct {
		name, method, path, auth string
		status                   int
	}{
		{"compute without a token", "POST", "/raytracer?" + query400, "", 401},
		{"compute with a wrong token", "POST", "/raytracer?" + query400, "Bearer wrong-token-0123456789", 401},
		{"compute with the token in another scheme", "POST", "/blurimage", "Basic " + workerToken, 401},
		{"compute with the token", "POST", "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0", "Bearer " + workerToken, 200},
		{"status without a token", "GET", "/status", "", 401},
		{"status with the token", "GET", "/status", "Bearer " + workerToken, 200},
		{"metrics without a token", "GET", "/metrics", "", 401},
		{"metrics with the token", "GET", "/metrics", "Bearer " + workerToken, 200},
		{"health is open", "GET", "/health", "", 200},
		{"root is open", "GET", "/", "", 200},
		{"preflight is open", "OPTIONS", "/raytracer", "", 204},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body string
			if tc.method == "POST" {
				body = sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
			}
			hdr := map[string]string{HeaderRequestID: "req-" + strings.ReplaceAll(tc.name, " ", "-")}
			if tc.auth != "" {
				hdr["Authorization"] = tc.auth
			}
			resp, b := send(t, t.Context(), tc.method, ts.URL+tc.path, body, hdr)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, b, tc.status)
			}
			if tc.status == 401 {
				if !strings.Contains(string(b), "--worker-token") || strings.Contains(string(b), "wrong-token") || strings.Contains(string(b), workerToken) {
					t.Errorf("401 body %q: want the flag named, no token repeated", b)
				}
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}
	for _, r := range rec.requests() {
		if r.Status == 401 || strings.Contains(r.ClientRequestID, "without") || strings.Contains(r.ClientRequestID, "wrong") || strings.Contains(r.ClientRequestID, "scheme") {
			t.Errorf("a refused request was recorded: %+v", r)
		}
	}
}
