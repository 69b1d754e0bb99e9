// Package e2etest runs `vfx load` as a user does, against a real `vfx up`
// on 127.0.0.1, and checks its trace against what the system recorded.
// It holds tests only.
package e2etest
