// Package rootfs finds the files a FROM-scratch container image needs to
// run an ELF executable of this machine: for a statically linked one,
// nothing but itself; for a dynamically linked one, also its program
// interpreter (PT_INTERP) and the shared libraries it needs (DT_NEEDED,
// recursively), looked up the way the dynamic loader looks them up —
// DT_RPATH, DT_RUNPATH (with $ORIGIN), the directories of /etc/ld.so.conf
// and the loader's default directories — each at the path where the loader
// found it on this machine.
//
// Libraries a program opens itself at run time (dlopen, e.g. glibc's NSS
// modules) are not found: they are not in DT_NEEDED.
//
// It reads files only: it must not import net/http, os/exec or any
// container SDK.
package rootfs
