package rootfs

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeELF describes a small ELF64 file for the tests: enough of one for
// the dynamic loader's search (no code).
type fakeELF struct {
	typ                    elf.Type    // default ET_DYN
	machine                elf.Machine // default EM_X86_64
	interp                 string
	soname                 string
	needed, rpath, runpath []string
	rpathRaw, runpathRaw   string // used as is when set
}

// writeELF writes e as an ELF64 little-endian file at path (creating its
// directory), executable.
func writeELF(t *testing.T, path string, e fakeELF) {
	t.Helper()
	if e.typ == 0 {
		e.typ = elf.ET_DYN
	}
	if e.machine == 0 {
		e.machine = elf.EM_X86_64
	}
	// String tables.
	shstr := []byte{0}
	shName := func(s string) uint32 { off := len(shstr); shstr = append(append(shstr, s...), 0); return uint32(off) }
	dynstr := []byte{0}
	dynName := func(s string) uint64 {
		off := len(dynstr)
		dynstr = append(append(dynstr, s...), 0)
		return uint64(off)
	}
	var dyn []elf.Dyn64
	for _, n := range e.needed {
		dyn = append(dyn, elf.Dyn64{Tag: int64(elf.DT_NEEDED), Val: dynName(n)})
	}
	if e.soname != "" {
		dyn = append(dyn, elf.Dyn64{Tag: int64(elf.DT_SONAME), Val: dynName(e.soname)})
	}
	rpath, runpath := cmpOr(e.rpathRaw, strings.Join(e.rpath, ":")), cmpOr(e.runpathRaw, strings.Join(e.runpath, ":"))
	if rpath != "" {
		dyn = append(dyn, elf.Dyn64{Tag: int64(elf.DT_RPATH), Val: dynName(rpath)})
	}
	if runpath != "" {
		dyn = append(dyn, elf.Dyn64{Tag: int64(elf.DT_RUNPATH), Val: dynName(runpath)})
	}
	dyn = append(dyn, elf.Dyn64{Tag: int64(elf.DT_NULL)})

	const (
		ehsize    = 64
		phentsize = 56
		shentsize = 64
	)
	phnum := 0
	if e.interp != "" {
		phnum = 1
	}
	// Layout: header, program headers, .interp, .dynstr, .dynamic,
	// .shstrtab, section headers.
	interp := append([]byte(e.interp), 0)
	off := uint64(ehsize + phnum*phentsize)
	interpOff := off
	if e.interp != "" {
		off += uint64(len(interp))
	}
	sections := []elf.Section64{{}} // the null section
	if e.interp != "" {
		sections = append(sections, elf.Section64{Name: shName(".interp"), Type: uint32(elf.SHT_PROGBITS), Off: interpOff, Size: uint64(len(interp)), Addralign: 1})
	}
	dynstrIdx := uint32(len(sections))
	sections = append(sections, elf.Section64{Name: shName(".dynstr"), Type: uint32(elf.SHT_STRTAB), Off: off, Size: uint64(len(dynstr)), Addralign: 1})
	off += uint64(len(dynstr))
	off = (off + 7) &^ 7
	dynOff := off
	sections = append(sections, elf.Section64{Name: shName(".dynamic"), Type: uint32(elf.SHT_DYNAMIC), Off: dynOff, Size: uint64(16 * len(dyn)), Link: dynstrIdx, Addralign: 8, Entsize: 16})
	off += uint64(16 * len(dyn))
	shstrIdx := len(sections)
	shstrName := shName(".shstrtab")
	sections = append(sections, elf.Section64{Name: shstrName, Type: uint32(elf.SHT_STRTAB), Off: off, Size: uint64(len(shstr)), Addralign: 1})
	off += uint64(len(shstr))
	off = (off + 7) &^ 7
	shoff := off

	var buf bytes.Buffer
	hdr := elf.Header64{
		Type: uint16(e.typ), Machine: uint16(e.machine), Version: uint32(elf.EV_CURRENT),
		Shoff: shoff, Ehsize: ehsize, Phentsize: phentsize, Phnum: uint16(phnum),
		Shentsize: shentsize, Shnum: uint16(len(sections)), Shstrndx: uint16(shstrIdx),
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	if phnum > 0 {
		hdr.Phoff = ehsize
	}
	write := func(v any) {
		if err := binary.Write(&buf, binary.LittleEndian, v); err != nil {
			t.Fatal(err)
		}
	}
	pad := func(to uint64) { buf.Write(make([]byte, int(to)-buf.Len())) }
	write(hdr)
	if e.interp != "" {
		write(elf.Prog64{Type: uint32(elf.PT_INTERP), Flags: uint32(elf.PF_R), Off: interpOff, Filesz: uint64(len(interp)), Memsz: uint64(len(interp)), Align: 1})
		buf.Write(interp)
	}
	buf.Write(dynstr)
	pad(dynOff)
	write(dyn)
	buf.Write(shstr)
	pad(shoff)
	write(sections)

	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestWriteELF checks the test's own ELF writer against debug/elf.
func TestWriteELF(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x")
	writeELF(t, p, fakeELF{typ: elf.ET_EXEC, interp: "/lib/ld.so", needed: []string{"liba.so", "libb.so"}, rpath: []string{"/r"}, runpath: []string{"/u1", "/u2"}})
	f, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	needed, _ := f.DynString(elf.DT_NEEDED)
	rpath, _ := f.DynString(elf.DT_RPATH)
	runpath, _ := f.DynString(elf.DT_RUNPATH)
	interp, err := readInterp(f.Progs[0])
	if f.Type != elf.ET_EXEC || f.Machine != elf.EM_X86_64 || strings.Join(needed, ",") != "liba.so,libb.so" ||
		strings.Join(rpath, ",") != "/r" || strings.Join(runpath, ",") != "/u1:/u2" || interp != "/lib/ld.so" || err != nil {
		t.Errorf("read back %v %v needed %q rpath %q runpath %q interp %q %v", f.Type, f.Machine, needed, rpath, runpath, interp, err)
	}
}
