package lifecycle

import "errors"

// next is the table of allowed transitions: next[s] lists the states s may
// become. Staying in a state is not a transition.
var next = [...][]State{
	Booting:    {Ready, Unhealthy, Draining, Terminated},
	Ready:      {Unhealthy, Draining, Terminated},
	Unhealthy:  {Ready, Draining, Terminated},
	Draining:   {Terminated},
	Terminated: {},
}

// Next returns the states s may become, in the order of a worker's life;
// none for terminated or a value that is not a state.
func (s State) Next() []State {
	if !s.IsValid() {
		return nil
	}
	return append([]State(nil), next[s]...)
}

// CanBecome reports whether a worker in state s may change to state to.
// It is false when s and to are the same state, and when either is not a
// state.
func (s State) CanBecome(to State) bool {
	if !s.IsValid() {
		return false
	}
	for _, n := range next[s] {
		if n == to {
			return true
		}
	}
	return false
}

// CheckTransition returns nil if a worker in state from may become to, else
// an error naming both states.
func CheckTransition(from, to State) error {
	switch {
	case from.CanBecome(to):
		return nil
	case !from.IsValid() || !to.IsValid():
		return errors.New("worker state " + from.String() + " → " + to.String() + ": not a worker state")
	case from == to:
		return errors.New("worker state " + from.String() + " → " + to.String() + ": already " + to.String())
	}
	return errors.New("worker state " + from.String() + " → " + to.String() + ": not allowed (" + from.String() + " may become " + words(next[from]) + ")")
}

// words is the words of states as a sentence.
func words(states []State) string {
	w := make([]string, len(states))
	for i, s := range states {
		w[i] = s.String()
	}
	return sentence(w)
}
