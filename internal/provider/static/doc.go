// Package static is the provider of a fixed list of worker addresses
// (`--provider static --workers URL,...`): workers that run somewhere else
// and are started and stopped by someone else.
//
// New validates the whole list at once (every item of every --workers
// flag, split at commas) and reports every bad address and every
// duplicate, each with its position in the list. Launch always fails with
// provider.ErrFixed; Terminate only forgets an
// address (the process is not this provider's to stop); List reports every
// remaining address as Ready, since health is the load balancer's business.
//
// It must not import os/exec, net/http or any cloud or container SDK: it
// never touches a worker.
package static
