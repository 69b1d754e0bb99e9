package local

import (
	"os/exec"
	"runtime"
)

// spawner starts processes from one OS thread that lives as long as the
// provider. A parent-death signal is tied to the thread that forked the
// child, not to the process: forking from an arbitrary goroutine's thread
// would kill the worker whenever the Go runtime retires that thread.
type spawner struct {
	reqs chan spawnReq
	done chan struct{}
}

type spawnReq struct {
	cmd *exec.Cmd
	err chan error
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq), done: make(chan struct{})}
	go func() {
		// Never unlocked: when this goroutine returns, its thread exits
		// with it, and only then do the children get their signal.
		runtime.LockOSThread()
		defer close(s.done)
		for r := range s.reqs {
			r.err <- r.cmd.Start()
		}
	}()
	return s
}

// start runs cmd.Start on the spawner's thread.
func (s *spawner) start(cmd *exec.Cmd) error {
	r := spawnReq{cmd: cmd, err: make(chan error, 1)}
	s.reqs <- r
	return <-r.err
}

// stop ends the spawner thread; call it once, after every child is gone.
func (s *spawner) stop() {
	close(s.reqs)
	<-s.done
}
