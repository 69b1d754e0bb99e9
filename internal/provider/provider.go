package provider

import (
	"context"
	"errors"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// Instance is one worker.
type Instance struct {
	ID      string `json:"id"`
	Address string `json:"address"` // base URL, e.g. http://127.0.0.1:41234
	// State is the worker's state as the provider sees it: its
	// platform's own states mapped as package lifecycle describes.
	State      lifecycle.State `json:"state"`
	LaunchedAt time.Time       `json:"launched_at"`
	// Adopted is true for an instance found running at start-up rather than
	// launched by this process.
	Adopted bool `json:"adopted,omitempty"`
}

// Provider starts, stops and lists worker instances. Every method takes a
// context; implementations are safe for concurrent use.
type Provider interface {
	// Launch starts n workers and returns them (booting, or ready when
	// they answered their health check already).
	Launch(ctx context.Context, n int) ([]Instance, error)
	// Terminate stops one worker. Draining is the caller's business: by the
	// time Terminate is called, the worker should have no work left.
	Terminate(ctx context.Context, id string) error
	// List returns the workers that exist, including ones adopted at start-up.
	List(ctx context.Context) ([]Instance, error)
}

// Closer is implemented by providers that own resources to release on exit
// (local processes, containers of this deployment).
type Closer interface {
	// Close terminates every worker the provider owns and releases its
	// resources.
	Close(ctx context.Context) error
}

// ErrNotFound is returned by Terminate for an unknown instance.
var ErrNotFound = errors.New("instance not found")

// ErrFixed is returned by Launch of providers whose pool cannot grow.
var ErrFixed = errors.New("provider has a fixed set of workers")
