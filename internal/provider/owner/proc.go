package owner

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Stat is what /proc/PID/stat says of a process.
type Stat struct {
	State byte   // R, S, D, Z, X, ...
	Flags uint64 // the kernel's task flags
	// Start is the process's start time in clock ticks after boot; 0
	// when the line does not have it.
	Start uint64
}

// Running reports whether the process runs (is not a zombie or dead).
func (s Stat) Running() bool { return s.State != 'Z' && s.State != 'X' && s.State != 'x' }

// Exiting reports whether the process is on its way out: it runs no more
// of its program (and its command line reads empty) but is not a zombie
// yet.
func (s Stat) Exiting() bool {
	const pfExiting = 0x4 // PF_EXITING of the kernel's task flags
	return s.Flags&pfExiting != 0
}

// ReadStat reads /proc/<pid>/stat; false if there is no such process.
func ReadStat(pid int) (Stat, bool) {
	if pid <= 0 {
		return Stat{}, false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Stat{}, false
	}
	return ParseStat(b)
}

// ParseStat reads the state (field 3), the flags (field 9) and, when the
// line has it, the start time (field 22) of a /proc/<pid>/stat line. The
// command name (field 2) is in parentheses and may itself hold ") ", so
// the fields are counted from its last ')'.
func ParseStat(b []byte) (Stat, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+1 >= len(b) || b[i+1] != ' ' {
		return Stat{}, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 7 || len(fields[0]) != 1 || b[i+2] != fields[0][0] {
		return Stat{}, false // the state follows ") " at once
	}
	flags, err := strconv.ParseUint(fields[6], 10, 64)
	if err != nil {
		return Stat{}, false
	}
	st := Stat{State: fields[0][0], Flags: flags}
	if len(fields) >= 20 {
		if st.Start, err = strconv.ParseUint(fields[19], 10, 64); err != nil {
			return Stat{}, false
		}
	}
	return st, true
}

// bootID is the kernel's boot id, "" when it cannot be read.
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil || len(b) > 64 {
		return ""
	}
	return strings.TrimSpace(string(b))
}
