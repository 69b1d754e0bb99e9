// Package owner makes sure a deployment has one owner at a time: the load
// balancer (vfx up, vfx lb) whose provider starts, adopts and stops its
// workers. A second load balancer on the same deployment refuses to start
// and names the running owner; one that finds the owner dead takes over
// and adopts what it left.
//
// An Owner identifies a process on this machine (pid, its start time, the
// kernel's boot id, the host name) together with the address of its load
// balancer; Alive tells whether that process still runs, so that a
// recycled pid or a previous boot is never mistaken for it. Owner.Holder
// is the name it renews its workers' leases under (package lease).
//
// Lock is the owner's lock on a directory (the local provider's state
// directory): an exclusive flock(2) on a file that records the Owner. The
// kernel releases it when the owner dies, however it dies, so a lock left
// by a killed owner is stale by construction: the next Acquire takes it
// over and reports the previous owner. Peek reads who holds a lock without
// taking it or creating anything. Providers whose workers live elsewhere
// (containers) keep the Owner in a record of their platform instead
// (Parse, Owner.Marshal).
//
// It also reads a process's /proc/PID/stat (ReadStat, ParseStat), which
// the local provider uses to tell a live worker from an exited one.
//
// It must not import net/http, os/exec or any provider implementation.
package owner
