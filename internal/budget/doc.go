// Package budget is a byte budget: the memory a server lets its requests
// hold at once, reserved before it is used and released when it is not
// any more. The load balancer keeps one for the request bodies it reads,
// the data it decodes from them and the responses it holds for retries;
// a worker keeps one for the bodies it reads and the pixels it decodes
// and renders.
//
// A Budget has a limit; a Hold is one holder's share of it (one request),
// grown with Reserve, shrunk with Free and returned at once with Release.
// A reservation that does not fit now fails with ErrExhausted (the caller
// answers "retry later"); one that could never fit, because the holder
// would hold more than its room, fails with ErrTooLarge. The last eighth of
// the limit is kept for small holders (at most a 128th of the limit each):
// large requests, however many or slow, cannot shut out the small ones.
//
// ReadBody reads a request body into memory reserving as it reads, so a
// body is refused before more of it is read than the budget allows, and a
// slow client holds only what it has sent.
//
// The package is pure: it must not import net/http, os/exec, a cloud SDK,
// or any other package of this module.
package budget
