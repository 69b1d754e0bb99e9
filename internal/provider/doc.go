// Package provider defines how the autoscaler and the load balancer obtain
// and release workers, and keeps a registry of implementations by name:
// local processes (local/), Docker containers (docker/), EC2 instances
// (ec2/) and a fixed list of addresses (static/).
//
// A provider only starts and stops workers and reports what exists; it never
// decides how many there should be (that is the autoscaler) and never routes
// traffic (that is the load balancer).
package provider
