// Package lifecycle is the one vocabulary of SpecialVFX@Cloud for the life
// of a worker and for the autoscaler's scaling actions. Providers, the load
// balancer's pool, the autoscaler, the metrics store, the state files, the
// JSON state API, the logs and the command line all speak it.
//
// # Worker states
//
// A worker is in one of five States:
//
//	booting     launched, not yet answering health checks; gets no requests
//	ready       answering health checks; gets requests
//	unhealthy   failing health checks, or ejected by the load balancer after
//	            consecutive forwarding failures or at its first timeout;
//	            gets no requests
//	draining    gets no new requests and finishes its own, then is terminated
//	terminated  gone; terminal
//
// The transitions allowed between them are data (see State.Next,
// State.CanBecome and CheckTransition):
//
//	booting   → ready, unhealthy, draining, terminated
//	ready     → unhealthy, draining, terminated
//	unhealthy → ready, draining, terminated
//	draining  → terminated
//	terminated (none)
//
// A worker never goes back to booting, a draining worker stays draining
// whatever its health, and nothing comes back from terminated. Staying in a
// state is not a transition. A component that holds a worker's state checks
// every change against this table; a change the table does not allow is a
// bug, logged at error level with both states and not applied.
//
// # Scaling actions
//
// An autoscaling decision does one Action to the pool:
//
//	add       launch workers (they start booting)
//	remove    drain ready workers (ready → draining → terminated)
//	keep      nothing to do yet; the target or panic mode changed
//	replace   terminate unhealthy workers, or booting ones that never became
//	          ready (→ draining → terminated), and launch replacements
//
// # Words
//
// Both types are small integers whose zero value is not valid. Their words
// (String, MarshalText) are what JSON, XML, the SQLite store and flags
// carry; ParseState and ParseAction (and UnmarshalText) read them back and
// reject any other word with an error that names it and lists the valid
// ones. The words "booting", "ready", "draining" and "unhealthy" are the
// ones the metrics store has always held in worker samples, and "add",
// "remove", "keep" and "replace" the ones of its decisions.
//
// # How a provider's view maps onto the states
//
// A provider reports the states of its own platform; it maps them as
// follows (health means the worker's GET /health).
//
//	local process   started, /health not yet 200 → booting; 200 → ready;
//	                503 (shutting down) → draining; exited → terminated
//	Docker          created, or running with /health not yet 200 → booting;
//	                running + 200 → ready; running + 503 → draining;
//	                exited, dead, removing → terminated
//	EC2 instance    pending → booting; running, /health not yet 200 →
//	                booting; running + 200 → ready; running + failing
//	                /health after it was ready → unhealthy; running + 503 →
//	                draining; stopping, shutting-down → draining (its work
//	                is being lost: terminated once it is stopped);
//	                stopped, terminated → terminated
//	Auto Scaling    Pending, Pending:Wait, Pending:Proceed, Warmed:* →
//	group instance  booting; InService + HealthStatus Healthy → ready (or
//	                booting until /health answers 200); InService +
//	                Unhealthy → unhealthy; EnteringStandby, Standby →
//	                unhealthy (out of service, may come back); Detaching,
//	                Terminating, Terminating:Wait, Terminating:Proceed →
//	                draining; Detached, Terminated → terminated
//
// The load balancer's pool starts every worker it learns of as booting;
// its own health checks make it ready, failed checks or forwarding
// failures make it unhealthy (a timed-out check or an attempt outliving
// its deadline at once, until the worker answers again), and only the
// autoscaler drains it. Of a
// provider's list the pool takes only terminated (the worker leaves it), so
// a provider that probes afresh on every list may report a worker that was
// ready as booting again without changing the pool.
//
// This package is pure: it imports only errors, strconv and strings of the
// standard library, and nothing of this module.
package lifecycle
