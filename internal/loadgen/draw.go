package loadgen

import (
	"context"
	"errors"
	"fmt"
)

// Draw builds the open-loop request sequence cfg describes, without
// sending anything, and passes each request to fn in sequence order with
// its sequence number; it returns how many it passed. The target and the
// arrival times are not used. The same configuration and seed draw the
// same requests (load a generated mix afresh for each call). It is how a
// benchmark or a test runs a mix in-process.
func Draw(ctx context.Context, cfg Config, fn func(seq int, in *Input) error) (int, error) {
	if cfg.Clients > 0 {
		return 0, errors.New("clients: a closed loop has no sequence to draw")
	}
	return drawPlanned(ctx, cfg, func(p planned) error {
		if err := fn(p.seq, p.input); err != nil {
			return fmt.Errorf("request %d: %w", p.seq, err)
		}
		return nil
	})
}
