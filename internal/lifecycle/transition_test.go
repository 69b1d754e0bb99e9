package lifecycle

import (
	"slices"
	"strings"
	"testing"
)

// TestTransitions lists every (from, to) pair of states and whether a
// worker may go from one to the other.
func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to State
		want     bool
	}{
		{Booting, Booting, false},
		{Booting, Ready, true},
		{Booting, Unhealthy, true},
		{Booting, Draining, true},
		{Booting, Terminated, true},

		{Ready, Booting, false},
		{Ready, Ready, false},
		{Ready, Unhealthy, true},
		{Ready, Draining, true},
		{Ready, Terminated, true},

		{Unhealthy, Booting, false},
		{Unhealthy, Ready, true},
		{Unhealthy, Unhealthy, false},
		{Unhealthy, Draining, true},
		{Unhealthy, Terminated, true},

		{Draining, Booting, false},
		{Draining, Ready, false},
		{Draining, Unhealthy, false},
		{Draining, Draining, false},
		{Draining, Terminated, true},

		{Terminated, Booting, false},
		{Terminated, Ready, false},
		{Terminated, Unhealthy, false},
		{Terminated, Draining, false},
		{Terminated, Terminated, false},
	}
	if n := len(States()); len(tests) != n*n {
		t.Fatalf("the table has %d pairs, want every one of %d×%d", len(tests), n, n)
	}
	for _, tc := range tests {
		t.Run(tc.from.String()+"→"+tc.to.String(), func(t *testing.T) {
			if got := tc.from.CanBecome(tc.to); got != tc.want {
				t.Errorf("CanBecome = %v, want %v", got, tc.want)
			}
			if got := slices.Contains(tc.from.Next(), tc.to); got != tc.want {
				t.Errorf("Next() = %v: contains %v is %v, want %v", tc.from.Next(), tc.to, got, tc.want)
			}
			err := CheckTransition(tc.from, tc.to)
			if tc.want {
				if err != nil {
					t.Fatalf("CheckTransition: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckTransition allowed it")
			}
			if msg := err.Error(); !strings.Contains(msg, tc.from.String()+" → "+tc.to.String()) {
				t.Errorf("error %q does not name both states", msg)
			}
		})
	}
}

func TestTransitionsOfInvalidStates(t *testing.T) {
	tests := []struct {
		name     string
		from, to State
	}{
		{"zero to booting", 0, Booting},
		{"booting to zero", Booting, 0},
		{"ready to past the last", Ready, Terminated + 1},
		{"past the last to ready", Terminated + 1, Ready},
		{"zero to zero", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.from.CanBecome(tc.to) {
				t.Fatal("CanBecome allowed it")
			}
			err := CheckTransition(tc.from, tc.to)
			if err == nil || !strings.Contains(err.Error(), tc.from.String()+" → "+tc.to.String()) || !strings.Contains(err.Error(), "not a worker state") {
				t.Fatalf("error %v", err)
			}
		})
	}
	if n := State(0).Next(); n != nil {
		t.Errorf("Next of the zero value = %v", n)
	}
}

func TestCheckTransitionSaysWhatIsAllowed(t *testing.T) {
	err := CheckTransition(Draining, Ready)
	if err == nil || err.Error() != "worker state draining → ready: not allowed (draining may become terminated)" {
		t.Fatalf("error %v", err)
	}
	err = CheckTransition(Terminated, Booting)
	if err == nil || err.Error() != "worker state terminated → booting: not allowed (terminated may become nothing)" {
		t.Fatalf("error %v", err)
	}
	err = CheckTransition(Ready, Booting)
	if err == nil || err.Error() != "worker state ready → booting: not allowed (ready may become unhealthy, draining or terminated)" {
		t.Fatalf("error %v", err)
	}
	err = CheckTransition(Ready, Ready)
	if err == nil || err.Error() != "worker state ready → ready: already ready" {
		t.Fatalf("error %v", err)
	}
}

func TestNextIsACopy(t *testing.T) {
	n := Booting.Next()
	n[0] = Terminated
	if !slices.Equal(Booting.Next(), []State{Ready, Unhealthy, Draining, Terminated}) {
		t.Fatalf("changing what Next returned changed the table: %v", Booting.Next())
	}
	if len(Terminated.Next()) != 0 {
		t.Fatalf("terminated may become %v", Terminated.Next())
	}
}
