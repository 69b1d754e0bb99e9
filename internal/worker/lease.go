package worker

import (
	"context"
	"net/http"
	"time"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/lease"
)

// renewLease renews the worker's lease when r carries the lease header,
// and reports whether r may go on to its health answer: a renewal without
// the worker token is answered 401, one with a malformed holder 400. A
// worker without a lease ignores the header.
func (s *Server) renewLease(w http.ResponseWriter, r *http.Request) bool {
	holder := r.Header.Get(lease.Header)
	if holder == "" {
		return true
	}
	if !access.Authorized(s.cfg.Token, r) {
		access.Deny(w, "the worker token the load balancer shares with its workers (--worker-token), with a lease renewal")
		return false
	}
	if err := lease.CheckHolder(holder); err != nil {
		writeText(w, http.StatusBadRequest, "header "+lease.Header+": "+err.Error())
		return false
	}
	if s.lease == nil {
		return true
	}
	if prev := s.lease.Renew(time.Now(), holder); prev != holder {
		if prev == "" {
			s.log.Info("lease held", "holder", holder, "lease_timeout", s.lease.Timeout())
		} else {
			s.log.Info("lease taken over", "holder", holder, "previous_holder", prev)
		}
	}
	return true
}

// watchLease returns a context that ends with ctx, or once the lease has
// not been renewed for its timeout; without a lease it returns ctx. Call
// stop when done.
func (s *Server) watchLease(ctx context.Context) (leased context.Context, stop func()) {
	if s.lease == nil {
		return ctx, func() {}
	}
	leased, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTimer(time.Until(s.lease.Deadline()))
		defer t.Stop()
		for {
			select {
			case <-leased.Done():
				return
			case <-t.C:
			}
			now := time.Now()
			if !s.lease.Expired(now) {
				t.Reset(s.lease.Deadline().Sub(now))
				continue
			}
			st := s.lease.State(now)
			holder := st.Holder
			if holder == "" {
				holder = "(never renewed)"
			}
			s.log.Warn("lease expired: no renewal from the load balancer; draining and exiting",
				"lease_timeout", s.lease.Timeout(), "holder", holder, "since_renewal", st.Since.Round(time.Millisecond))
			cancel()
			return
		}
	}()
	return leased, func() { cancel(); <-done }
}
