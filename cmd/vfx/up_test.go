package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/console"
	"github.com/specialvfx/vfx/internal/provider/local"
)

// TestUpBanner: the banner names the state directory in use and prints
// the exact command that reads the store from another terminal.
func TestUpBanner(t *testing.T) {
	admin, err := access.ParseSecret("admin-token-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stateDir, store string
		admin                 access.Secret
		want, not             []string
	}{
		{"sqlite", "/srv/vfx state", "sqlite:/srv/vfx state/metrics.db", access.Secret{}, []string{
			"Data:     /srv/vfx state (metrics store sqlite:/srv/vfx state/metrics.db",
			"Records:  vfx metrics requests --store 'sqlite:/srv/vfx state/metrics.db'\n",
			"State:    http://127.0.0.1:8000/api/v1/state\n",
		}, []string{"ADMIN-TOKEN"}},
		{"plain path", "/srv/vfx", "sqlite:/srv/vfx/metrics.db", access.Secret{}, []string{
			"Records:  vfx metrics requests --store sqlite:/srv/vfx/metrics.db\n",
		}, nil},
		{"no store", "/srv/vfx", "none", access.Secret{}, nil, []string{"Records:"}},
		{"admin token", "/srv/vfx", "sqlite:/srv/vfx/metrics.db", admin, []string{
			"State:    http://127.0.0.1:8000/api/v1/state (with Authorization: Bearer ADMIN-TOKEN)",
			"Metrics:  http://127.0.0.1:8000/metrics (with Authorization: Bearer ADMIN-TOKEN)",
		}, []string{"admin-token-0123456789abcdef"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			o := upOptions{stateDir: tc.stateDir, scale: defaultAutoscaleConfig(), prov: providerSetup{name: local.Name}, tokens: lbTokens{admin: tc.admin}}
			o.flags.cfg.Policy = "cost"
			printUp(&upOutput{con: console.New(&buf, console.Options{}), logPath: "/srv/vfx/logs/vfx-up.log"}, &lbServing{url: "http://127.0.0.1:8000", workers: 1}, o, tc.store)
			out := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("banner lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("banner shows %q:\n%s", n, out)
				}
			}
		})
	}
	for in, want := range map[string]string{
		"sqlite:/a/b.db": "sqlite:/a/b.db",
		"sqlite:/a b":    "'sqlite:/a b'",
		"it's":           `'it'\''s'`,
		"":               "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
