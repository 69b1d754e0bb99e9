package providertest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/provider"
)

// ListByID lists p's instances by id, failing tb if List fails.
func ListByID(tb testing.TB, p provider.Provider) map[string]provider.Instance {
	tb.Helper()
	list, err := p.List(context.Background())
	if err != nil {
		tb.Fatalf("List: %v", err)
	}
	m := map[string]provider.Instance{}
	for _, in := range list {
		m[in.ID] = in
	}
	return m
}

// LaunchTerminate is the loop of a benchmark of one worker's life: each
// iteration launches one worker with p and terminates it.
func LaunchTerminate(b *testing.B, p provider.Provider) {
	ctx := context.Background()
	for b.Loop() {
		insts, err := p.Launch(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Terminate(ctx, insts[0].ID); err != nil {
			b.Fatal(err)
		}
	}
}

// CheckError fails tb unless err contains every one of want, or, when want
// is empty, unless err is nil.
func CheckError(tb testing.TB, err error, want ...string) {
	tb.Helper()
	if len(want) == 0 {
		if err != nil {
			tb.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		tb.Fatalf("no error; want one with %q", want)
	}
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			tb.Errorf("error %q lacks %q", err, s)
		}
	}
}

// ConfigCase is a named change to a valid configuration and the problems
// Validate must then report (none if ErrHas is empty).
type ConfigCase[C any] struct {
	Name   string
	Mutate func(*C)
	ErrHas []string
}

// CheckConfigs runs each case on a copy of good, and checks that Validate
// reports the problems it must, each as a *provider.FieldError.
func CheckConfigs[C interface{ Validate() error }](t *testing.T, good C, cases []ConfigCase[C]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			c := good
			tc.Mutate(&c)
			err := c.Validate()
			CheckError(t, err, tc.ErrHas...)
			if err == nil {
				return
			}
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var fe *provider.FieldError
				if !errors.As(e, &fe) {
					t.Errorf("problem %q names no field", e)
				}
			}
		})
	}
}
