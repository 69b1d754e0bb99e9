// Package e2e holds the end-to-end tests of what a provider's owner
// promises, with real `vfx up` processes and real containers: one owner
// per deployment (a second `vfx up` on the same state directory or
// Docker deployment refuses, naming the first, and takes nothing from
// it; the lock or claim of one that was killed is taken over and its
// workers adopted), leases (the containers of a killed `vfx up` exit by
// themselves), every flag checked and the listener bound before anything
// is launched, and the two-stage stop (the first Ctrl-C finishes the
// requests, the second stops now, and the log says which requests were
// finished and which handed back).
//
// It has no code of its own besides the tests; nothing imports it. The
// Docker tests need the machine's Docker engine and fail without it.
package e2e
