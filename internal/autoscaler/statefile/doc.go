// Package statefile exports the autoscaler's view of the pool as the XML
// state files of the original system's local mode: VMState.xml, the state
// of every worker, and ASState.xml, the autoscaler's decisions that changed
// something. They hold the same state as the JSON API, for tools that
// watch files.
//
// Each file is rewritten whole and atomically: written to a temporary file
// in the same directory, synced, then renamed over the old one, so a reader
// sees either the previous file or the new one, never a half-written file.
//
// This package does file I/O only: it must not import net/http, os/exec or
// the AWS SDK.
package statefile
