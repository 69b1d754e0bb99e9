// Package provider defines how the autoscaler and the load balancer obtain
// and release workers, and keeps a registry of implementations by name:
// local processes (local/), Docker containers (docker/), EC2 instances
// (ec2/) and a fixed list of addresses (static/).
//
// A provider only starts and stops workers and reports what exists; it never
// decides how many there should be (that is the autoscaler) and never routes
// traffic (that is the load balancer). It reports each worker's state in
// package lifecycle's words, mapping its platform's own states as
// lifecycle's doc describes. Secrets reach the workers it starts in their
// environment (Options.WorkerEnv), never on their command line.
//
// It also holds what the implementations share: reading their settings
// from Options.Extra (ParseExtra), checking their configuration
// (CheckWorkerArgs, CheckNotNegative), building their Factory (FactoryOf)
// and launching workers in parallel (LaunchEach). The /health probe of the
// providers that run workers is in health/.
//
// It must not import net/http, os/exec or any implementation: the static
// provider and the autoscaler's loop import it and must stay free of them.
package provider
