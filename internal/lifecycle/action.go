package lifecycle

// Action is what an autoscaling decision does to the pool. The zero value
// is not an action.
type Action uint8

// The scaling actions.
const (
	ActionAdd     Action = iota + 1 // launch workers
	ActionRemove                    // drain ready workers, then terminate them
	ActionKeep                      // nothing to do yet; the target or panic mode changed
	ActionReplace                   // terminate unhealthy or stuck workers and launch replacements
)

var actionWords = vocabulary{
	what:  "scaling action",
	typ:   "Action",
	words: []string{"add", "remove", "keep", "replace"},
}

// Actions returns every action in a stable order.
func Actions() []Action {
	return []Action{ActionAdd, ActionRemove, ActionKeep, ActionReplace}
}

// ParseAction returns the action named by word (one of the words String
// returns, exactly), or an error naming word and the valid words.
func ParseAction(word string) (Action, error) {
	n, err := actionWords.parse(word)
	return Action(n), err
}

// IsValid reports whether a is one of the actions.
func (a Action) IsValid() bool {
	_, ok := actionWords.word(uint8(a))
	return ok
}

// String returns the action's word ("add", "remove", "keep", "replace"), or
// "Action(N)" for a value that is not an action.
func (a Action) String() string { return actionWords.str(uint8(a)) }

// MarshalText returns the action's word; a value that is not an action is
// an error.
func (a Action) MarshalText() ([]byte, error) { return actionWords.text(uint8(a)) }

// UnmarshalText sets a to the action named by text (see ParseAction).
func (a *Action) UnmarshalText(text []byte) error {
	v, err := ParseAction(string(text))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
