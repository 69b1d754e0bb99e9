package lifecycle

// State is the life-cycle state of a worker. The zero value is not a
// state: a worker's state is always set.
type State uint8

// The states of a worker, in the order of its life.
const (
	Booting    State = iota + 1 // launched, not yet answering health checks
	Ready                       // answering health checks; gets requests
	Unhealthy                   // failing health checks or ejected by the load balancer
	Draining                    // gets no new requests, finishing its own
	Terminated                  // gone; terminal
)

var stateWords = vocabulary{
	what:  "worker state",
	typ:   "State",
	words: []string{"booting", "ready", "unhealthy", "draining", "terminated"},
}

// States returns every state in the order of a worker's life.
func States() []State {
	return []State{Booting, Ready, Unhealthy, Draining, Terminated}
}

// ParseState returns the state named by word (one of the words String
// returns, exactly), or an error naming word and the valid words.
func ParseState(word string) (State, error) {
	n, err := stateWords.parse(word)
	return State(n), err
}

// IsValid reports whether s is one of the states.
func (s State) IsValid() bool {
	_, ok := stateWords.word(uint8(s))
	return ok
}

// String returns the state's word ("booting", "ready", …), or "State(N)"
// for a value that is not a state.
func (s State) String() string { return stateWords.str(uint8(s)) }

// MarshalText returns the state's word; a value that is not a state is an
// error.
func (s State) MarshalText() ([]byte, error) { return stateWords.text(uint8(s)) }

// UnmarshalText sets s to the state named by text (see ParseState).
func (s *State) UnmarshalText(text []byte) error {
	v, err := ParseState(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
