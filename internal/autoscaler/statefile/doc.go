// Package statefile exports the autoscaler's view of the pool as the XML
// state files of the original system's local mode: VMState.xml, the state
// of every worker, and ASState.xml, the autoscaler's decisions that changed
// something. They hold the same state as the JSON API, for tools that
// watch files. Worker states and scaling actions are written as the words
// of package lifecycle.
//
// It also writes, on request, the original's own allVmInstances.xml, byte
// for byte in the format the original's AutoScaler wrote and its
// LoadBalancer read, listing the ready workers: a tool written for the
// original can read our pool. Its fields map onto VMState.xml's as
// instanceId → id, instanceDns → the host of address (port 8000 left out),
// cpuLoad → cpuLoad (the same Java Double.toString text, -1.0 unknown);
// VMState.xml adds state, memoryUsed, inFlight, predictedWork, vmHealthy and
// timestamp.
//
// Each file is rewritten whole and atomically: written to a temporary file
// in the same directory, synced, then renamed over the old one, so a reader
// sees either the previous file or the new one, never a half-written file.
//
// This package does file I/O only: it must not import net/http, os/exec or
// the AWS SDK.
package statefile
