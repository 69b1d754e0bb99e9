package loadgen

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/specialvfx/vfx/internal/access"
)

// ErrRemote is wrapped by the error of a target beyond this machine when
// remote targets are not allowed.
var ErrRemote = errors.New("the target is not on this machine")

// CheckTarget parses the base URL of a worker or load balancer: http or
// https, a host, no query or fragment. Unless allowRemote, its host must
// be a loopback address or "localhost" (an error wrapping ErrRemote
// otherwise), so that a mistyped address loads no one else's machine.
func CheckTarget(raw string, allowRemote bool) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("url: %q: want http://HOST:PORT or https://HOST:PORT", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("url: %q: want http://HOST:PORT or https://HOST:PORT", raw)
	case u.Host == "":
		return nil, fmt.Errorf("url: %q has no host", raw)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("url: %q: want a base URL, without user, query or fragment", raw)
	}
	if allowRemote {
		return u, nil
	}
	hostport := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		hostport = net.JoinHostPort(u.Hostname(), port)
	}
	local, err := access.Loopback(hostport)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	if !local {
		return nil, fmt.Errorf("url: %s: %w (only 127.0.0.0/8, ::1 and localhost unless remote targets are allowed)", u.Host, ErrRemote)
	}
	return u, nil
}
