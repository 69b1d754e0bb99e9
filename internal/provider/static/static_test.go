package static

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
)

func TestProvider(t *testing.T) {
	ctx := context.Background()
	since := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	p, err := New([]string{"127.0.0.1:8001, 127.0.0.1:8002", "https://w3:8443"}, since)
	if err != nil {
		t.Fatal(err)
	}
	list, err := p.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"http://127.0.0.1:8001", "http://127.0.0.1:8002", "https://w3:8443"}
	if len(list) != len(want) {
		t.Fatalf("List = %+v; want %d instances", list, len(want))
	}
	for i, in := range list {
		if in.ID != want[i] || in.Address != want[i] || in.State != lifecycle.Ready || !in.LaunchedAt.Equal(since) {
			t.Errorf("instance %d = %+v; want ready %s since %v", i, in, want[i], since)
		}
	}

	if _, err := p.Launch(ctx, 1); !errors.Is(err, provider.ErrFixed) {
		t.Errorf("Launch: %v; want ErrFixed", err)
	}
	// Terminate accepts any spelling of the address.
	if err := p.Terminate(ctx, "127.0.0.1:8002"); err != nil {
		t.Fatalf("Terminate: %v", err)
	}
	if err := p.Terminate(ctx, "http://127.0.0.1:8002"); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("second Terminate: %v; want ErrNotFound", err)
	}
	if err := p.Terminate(ctx, "nonsense"); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("Terminate(nonsense): %v; want ErrNotFound", err)
	}
	list, _ = p.List(ctx)
	if len(list) != 2 || list[0].ID != want[0] || list[1].ID != want[2] {
		t.Errorf("after Terminate List = %+v", list)
	}
	// The returned slice is a copy.
	list[0].State = lifecycle.Terminated
	again, _ := p.List(ctx)
	if again[0].State != lifecycle.Ready {
		t.Error("List returned the provider's own slice")
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		addrs []string
	}{
		{name: "none", addrs: nil},
		{name: "only commas", addrs: []string{",,"}},
		{name: "invalid", addrs: []string{"ftp://x:1"}},
		{name: "duplicate across items", addrs: []string{"a:1", "http://a:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := New(tt.addrs, time.Now()); err == nil {
				t.Fatalf("New(%q) = %+v; want an error", tt.addrs, p)
			}
		})
	}
}

// TestNewReportsEveryProblem: the --workers flag reaches New split at its
// commas (pflag's StringSlice); every bad item and every duplicate is
// reported, each with its position in the whole list.
func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New([]string{"a", "ftp://b:1", "c:3", "127.0.0.1:9,c:3", "http://C:3/"}, time.Now())
	if err == nil {
		t.Fatal("New accepted a list with bad items")
	}
	want := []string{
		`worker 1: address "http://a": want host:port`,
		`worker 2: address "ftp://b:1": scheme "ftp" is not http or https`,
		`worker 5: duplicate address http://c:3 (worker 3)`,
		`worker 6: duplicate address http://c:3 (worker 3)`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("New reported %d problems, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d = %q, want it to start with %q", i+1, lines[i], w)
		}
	}
}

// TestNewNumbersAcrossItems checks that the problems of the addresses
// given as several items (the --workers flag splits its commas) are
// numbered in the whole list.
func TestNewNumbersAcrossItems(t *testing.T) {
	_, err := New([]string{"127.0.0.1:8001", "ftp://b:1,127.0.0.1:8001"}, time.Now())
	if err == nil {
		t.Fatal("no error")
	}
	want := "worker 2: address \"ftp://b:1\": scheme \"ftp\" is not http or https\nworker 3: duplicate address http://127.0.0.1:8001 (worker 1)"
	if err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
}
