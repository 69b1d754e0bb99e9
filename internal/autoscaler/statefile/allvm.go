package statefile

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// AllVMInstancesFile is the original system's list of workers, which its
// AutoScaler wrote and its LoadBalancer watched.
const AllVMInstancesFile = "allVmInstances.xml"

// originalPort is the port the original's workers listened on; its load
// balancer added it to every instanceDns.
const originalPort = ":8000"

// WriteAllVMInstances rewrites path atomically with the ready workers of
// vms in the original's allVmInstances.xml format (see
// EncodeAllVMInstances), so that a tool written for the original can read
// the pool.
func WriteAllVMInstances(path string, vms []VMState) error {
	return writeAtomic(path, func(w io.Writer) error { return EncodeAllVMInstances(w, vms) })
}

// EncodeAllVMInstances writes the ready workers of vms, in their order, as
// the original's AutoScaler wrote allVmInstances.xml, byte for byte: Java's
// DOM serialiser with a standalone="no" declaration, two-space indentation,
// and a blank line at the end.
//
//	<allVmInstances>
//	  <vmInstance>
//	    <instanceId>…</instanceId>
//	    <instanceDns>…</instanceDns>
//	    <cpuLoad>…</cpuLoad>
//	  </vmInstance>…
//	</allVmInstances>
//
// instanceId is the worker's ID; instanceDns is its address without scheme
// and path, and without the port when that is the original's 8000 (the
// original's load balancer sends to http://instanceDns:8000; any other port
// is kept, so such a tool cannot mistake the worker for one on port 8000);
// cpuLoad is the CPU load in percent written like Java's Double.toString,
// -1.0 when unknown (the original's load balancer skips those). Text is
// escaped as Java's serialiser does (&amp; &lt; &gt; and &#13;), and a
// character XML cannot carry becomes U+FFFD. Workers in any other state
// than ready are left out: the original listed the instances that run,
// ours are those that take requests.
func EncodeAllVMInstances(w io.Writer, vms []VMState) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + "\n")
	n := 0
	for _, v := range vms {
		if v.State != lifecycle.Ready {
			continue
		}
		if n == 0 {
			bw.WriteString("<allVmInstances>\n")
		}
		n++
		bw.WriteString("  <vmInstance>\n")
		element(bw, "instanceId", v.ID)
		element(bw, "instanceDns", instanceDNS(v.Address))
		element(bw, "cpuLoad", cpuLoad(v.CPULoad))
		bw.WriteString("  </vmInstance>\n")
	}
	if n == 0 {
		bw.WriteString("<allVmInstances/>\n\n")
	} else {
		bw.WriteString("</allVmInstances>\n\n")
	}
	return bw.Flush()
}

// element writes one field of a vmInstance.
func element(w *bufio.Writer, name, text string) {
	w.WriteString("    <" + name + ">")
	escapeText(w, text)
	w.WriteString("</" + name + ">\n")
}

// instanceDNS is a worker's address as the original's instanceDns: the
// host, with the port unless it is 8000.
func instanceDNS(address string) string {
	a := address
	if _, rest, ok := strings.Cut(a, "://"); ok {
		a = rest
	}
	if i := strings.IndexByte(a, '/'); i >= 0 {
		a = a[:i]
	}
	return strings.TrimSuffix(a, originalPort)
}

// escapeText writes s as XML character data the way Java's serialiser
// does; invalid UTF-8 and characters outside XML's range become U+FFFD.
func escapeText(w *bufio.Writer, s string) {
	for _, r := range s {
		switch {
		case r == '&':
			w.WriteString("&amp;")
		case r == '<':
			w.WriteString("&lt;")
		case r == '>':
			w.WriteString("&gt;")
		case r == '\r':
			w.WriteString("&#13;")
		case r == utf8.RuneError || !isXMLChar(r):
			w.WriteRune('\uFFFD')
		default:
			w.WriteRune(r)
		}
	}
}

// isXMLChar reports whether XML 1.0 can carry r.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
