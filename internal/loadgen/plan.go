package loadgen

import (
	"context"
	"errors"
	"fmt"

	"github.com/specialvfx/vfx/internal/trace"
)

// Plan draws the open-loop request sequence cfg describes, without
// sending anything, and writes each request's generated fields (sequence
// number, scheduled time, item, features) to sink; it returns how many it
// wrote. The target is not used. The same configuration and seed write
// the same entries, byte for byte.
func Plan(ctx context.Context, cfg Config, sink Sink) (int, error) {
	if cfg.Clients > 0 {
		return 0, errors.New("clients: a closed loop has no schedule to plan")
	}
	return drawPlanned(ctx, cfg, func(p planned) error {
		e := trace.Entry{Seq: p.seq, At: p.at, Item: p.item.name, Features: p.input.Features}
		if err := sink.Write(e); err != nil {
			return fmt.Errorf("writing the plan: %w", err)
		}
		return nil
	})
}

// drawPlanned draws the open-loop sequence cfg describes and passes each
// planned request to fn, in sequence order, until the sequence ends, ctx
// is done or fn fails; it returns how many fn took.
func drawPlanned(ctx context.Context, cfg Config, fn func(planned) error) (int, error) {
	if err := cfg.validate(false); err != nil {
		return 0, err
	}
	cfg = cfg.resolved()
	src := newSource(newSequence(cfg))
	defer src.close()
	n := 0
	for {
		p, ok, err := src.next(ctx)
		if err != nil {
			return n, err
		}
		if !ok {
			return n, ctx.Err()
		}
		if err := fn(p); err != nil {
			return n, err
		}
		n++
	}
}
