// Package access decides who may call which HTTP endpoint of the load
// balancer and the workers.
//
// A Secret is a shared token (the load balancer's admin token, the
// workers' token): built with ParseSecret, compared in constant time
// (Secret.Matches), and never shown: it formats, logs and marshals as
// "[redacted]". Require wraps a handler so that it answers 401 unless the
// request carries "Authorization: Bearer <token>"; Transport adds that
// header to every request a client sends (the load balancer's requests to
// its workers). An empty Secret leaves a handler open and a transport
// unchanged.
//
// Loopback tells whether a listen address is reachable from this machine
// only. CORS and Preflight answer browsers as the original system did
// (Access-Control-Allow-Origin: * and a 204 to OPTIONS); they belong on
// the compute endpoints only.
//
// It reads no file, flag or environment variable (cmd/vfx does and hands
// the secrets in) and must not import the worker, the load balancer, the
// providers, the metrics store, os/exec or a flag package.
package access
