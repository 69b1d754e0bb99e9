package balancer

import (
	"slices"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	if got, want := Names(), []string{"cost", "cpu", "least-requests", "p2c", "round-robin"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if _, err := New(DefaultPolicy); err != nil {
		t.Errorf("New(DefaultPolicy): %v", err)
	}
	_, err := New("fastest")
	if err == nil || !strings.Contains(err.Error(), `"fastest"`) || !strings.Contains(err.Error(), "cost, cpu, least-requests, p2c, round-robin") {
		t.Errorf("New(unknown) error = %v, want it to name the policy and list the known ones", err)
	}
	// Each New is a fresh instance: round-robin cursors are not shared.
	a, _ := New("round-robin")
	b, _ := New("round-robin")
	ws := []WorkerState{ready("a", 0, 0, 1), ready("b", 0, 0, 1)}
	a.Pick(Request{}, ws, nil)
	if i, _ := b.Pick(Request{}, ws, nil); i != 0 {
		t.Errorf("second round-robin instance started at %d, want 0", i)
	}
}

// TestPoliciesIsTheCallersOwn: a map from Policies changes no other, so no
// code can add, replace or remove a policy for everyone.
func TestPoliciesIsTheCallersOwn(t *testing.T) {
	p := Policies()
	delete(p, "cost")
	p["fastest"] = func() Policy { return CPU{} }
	if _, ok := Policies()["cost"]; !ok {
		t.Error("deleting from one Policies() map removed cost from the next")
	}
	if _, err := New("fastest"); err == nil {
		t.Error("a policy added to one Policies() map can be built with New")
	}
	for name, mk := range Policies() {
		if mk() == nil {
			t.Errorf("Policies()[%q] built nil", name)
		}
	}
}
