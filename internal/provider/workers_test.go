package provider

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWorkersFill(t *testing.T) {
	d := Workers{StartTimeout: 5 * time.Second, StopTimeout: 15 * time.Second, HealthTimeout: time.Second, Retention: time.Minute, MaxWorkers: 8, LeaseTimeout: 30 * time.Second}
	got := Workers{StopTimeout: 3 * time.Second, Binary: "rel/vfx"}
	if err := got.Fill(d); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if got.StartTimeout != 5*time.Second || got.StopTimeout != 3*time.Second || got.HealthTimeout != time.Second ||
		got.Retention != time.Minute || got.MaxWorkers != 8 || got.Logger != slog.Default() || got.Binary != filepath.Join(wd, "rel/vfx") ||
		got.LeaseTimeout != 30*time.Second || got.RenewInterval() != 10*time.Second || got.TokenValue() != "" {
		t.Errorf("Fill = %+v", got)
	}
	var own Workers
	err := own.Fill(d)
	exe, _ := os.Executable()
	if err != nil || own.Binary != exe {
		t.Errorf("default binary %q, %v; want this executable %q", own.Binary, err, exe)
	}
}

func TestWorkersCheck(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(t.TempDir(), "notes")
	if err := os.WriteFile(text, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := Workers{Binary: exe, StateDir: "/s"}
	tests := []struct {
		name   string
		mutate func(*Workers)
		want   []string // the fields with a problem, in order
	}{
		{name: "zero values stand for defaults", mutate: func(*Workers) {}},
		{name: "no binary is this executable", mutate: func(w *Workers) { w.Binary = "" }},
		{name: "no state dir", mutate: func(w *Workers) { w.StateDir = "" }, want: []string{"state dir"}},
		{name: "missing binary", mutate: func(w *Workers) { w.Binary = "/nonexistent/vfx" }, want: []string{"binary"}},
		{name: "binary is a directory", mutate: func(w *Workers) { w.Binary = "/tmp" }, want: []string{"binary"}},
		{name: "binary not executable", mutate: func(w *Workers) { w.Binary = text }, want: []string{"binary"}},
		{name: "reserved args", mutate: func(w *Workers) { w.Args = []string{"--listen=:1", "--threads", "2", "--id"} }, want: []string{"args", "args"}},
		{name: "negative durations", mutate: func(w *Workers) { w.StartTimeout, w.Retention = -1, -time.Second }, want: []string{"start timeout", "retention"}},
		{name: "negative lease timeout", mutate: func(w *Workers) { w.LeaseTimeout = -time.Second }, want: []string{"lease timeout"}},
		{name: "lease timeout too short to renew", mutate: func(w *Workers) { w.LeaseTimeout = 999 * time.Millisecond }, want: []string{"lease timeout"}},
		{name: "too many workers", mutate: func(w *Workers) { w.MaxWorkers = 101 }, want: []string{"max workers"}},
		{name: "negative max workers", mutate: func(w *Workers) { w.MaxWorkers = -1 }, want: []string{"max workers"}},
		{name: "every problem", mutate: func(w *Workers) { w.StateDir, w.StopTimeout, w.HealthTimeout = "", -1, -1 },
			want: []string{"state dir", "stop timeout", "health timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := good
			tt.mutate(&w)
			errs := w.Check(100)
			var fields []string
			for _, err := range errs {
				var fe *FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("error %v is not a *FieldError", err)
				}
				if !strings.HasPrefix(err.Error(), fe.Field+": ") {
					t.Errorf("error %q does not start with its field %q", err, fe.Field)
				}
				fields = append(fields, fe.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.want, ",") {
				t.Errorf("problems with %q (%v); want %q", fields, errs, tt.want)
			}
		})
	}
}

func TestCheckWorkerArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "none", args: nil},
		{name: "free flags", args: []string{"--max-inflight", "4", "--threads=2", "--listener"}},
		{name: "reserved flag", args: []string{"--store", "x"}, want: []string{"args: --store is set by the provider"}},
		{name: "reserved flag with value", args: []string{"--listen=:9"}, want: []string{"args: --listen is set by the provider"}},
		{name: "each reported", args: []string{"--id", "a", "--exit-with-parent"},
			want: []string{"args: --id is set by the provider", "args: --exit-with-parent is set by the provider"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := CheckWorkerArgs(tt.args)
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %v; want %q", errs, tt.want)
			}
			for i, err := range errs {
				if err.Error() != tt.want[i] {
					t.Errorf("error %d = %q; want %q", i, err, tt.want[i])
				}
			}
		})
	}
}

func TestCheckNotNegative(t *testing.T) {
	errs := CheckNotNegative(
		NamedDuration{Name: "start timeout", Value: time.Second},
		NamedDuration{Name: "stop timeout", Value: -time.Second},
		NamedDuration{Name: "retention", Value: 0},
		NamedDuration{Name: "health timeout", Value: -time.Millisecond},
	)
	want := []string{"stop timeout: -1s is negative", "health timeout: -1ms is negative"}
	if len(errs) != len(want) {
		t.Fatalf("errors %v; want %q", errs, want)
	}
	for i, err := range errs {
		if err.Error() != want[i] {
			t.Errorf("error %d = %q; want %q", i, err, want[i])
		}
	}
}

func TestFieldErrorWraps(t *testing.T) {
	err := Invalid("binary", "open: %w", fs.ErrNotExist)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "binary" || !errors.Is(err, fs.ErrNotExist) || err.Error() != "binary: open: file does not exist" {
		t.Errorf("Invalid = %#v (%v)", err, err)
	}
}
