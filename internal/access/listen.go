package access

import (
	"fmt"
	"net"
	"strings"
)

// Loopback reports whether a listen address (host:port, as net.Listen
// takes it) is reachable from this machine only: its host is "localhost"
// or a loopback IP. An empty host, 0.0.0.0, :: and any other name or
// address listen beyond this machine.
func Loopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("listen address %q: want host:port, e.g. 127.0.0.1:8000: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	// An IPv6 zone (fe80::1%eth0) names an interface: not loopback.
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}
