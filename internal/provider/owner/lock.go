package owner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Lock is an owner's exclusive lock on a lock file, which records the
// owner while it is held. The kernel releases it when the process exits.
type Lock struct {
	f        *os.File
	previous *Owner
}

// Acquire takes the lock file at path (created if needed) for self, or
// returns a *HeldError naming what (e.g. "state directory /srv/vfx") and
// the owner that holds it. A record left in the file by an owner that has
// died (the kernel released its lock) is taken over: Previous returns it.
func Acquire(path, what string, self Owner) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", what, err)
	}
	if err := flock(f, syscall.LOCK_EX); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder, _ := readRecord(f)
			return nil, &HeldError{What: what, Owner: holder}
		}
		return nil, fmt.Errorf("lock %s: %w", what, err)
	}
	l := &Lock{f: f}
	if prev, err := readRecord(f); err == nil {
		l.previous = &prev
	}
	if err := writeRecord(f, self.Marshal()); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", what, err)
	}
	return l, nil
}

// Previous returns the owner that held the lock before, if it left a
// record: one that died without releasing it.
func (l *Lock) Previous() (Owner, bool) {
	if l.previous == nil {
		return Owner{}, false
	}
	return *l.previous, true
}

// Release clears the record and releases the lock. It is idempotent.
func (l *Lock) Release() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Truncate(0)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// Peek returns the owner holding the lock file at path, if one does; it
// creates nothing and takes nothing.
func Peek(path string) (Owner, bool) {
	f, err := os.Open(path)
	if err != nil {
		return Owner{}, false
	}
	defer f.Close()
	if err := flock(f, syscall.LOCK_SH); err == nil {
		return Owner{}, false // nobody holds it
	} else if !errors.Is(err, syscall.EWOULDBLOCK) {
		return Owner{}, false
	}
	o, _ := readRecord(f)
	return o, true
}

// flock takes how (LOCK_EX or LOCK_SH) on f without waiting.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// readRecord reads the owner recorded in f.
func readRecord(f *os.File) (Owner, error) {
	b, err := io.ReadAll(io.LimitReader(io.NewSectionReader(f, 0, MaxRecordSize+1), MaxRecordSize+1))
	if err != nil {
		return Owner{}, err
	}
	if len(b) == 0 {
		return Owner{}, errors.New("no owner recorded")
	}
	return Parse(b)
}

// writeRecord replaces f's content with b, on disk.
func writeRecord(f *os.File, b []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(append(b, '\n'), 0); err != nil {
		return err
	}
	return f.Sync()
}
