package static

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// MaxAddressLen bounds the length of one worker address.
const MaxAddressLen = 2048

// ParseAddress validates one worker address and returns it in canonical
// form: scheme://host:port with no path, query or fragment. A bare
// "host:port" gets the http:// scheme. The scheme must be http or https and
// the port must be given explicitly (1-65535).
func ParseAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty address")
	}
	if len(s) > MaxAddressLen {
		return "", fmt.Errorf("address is %d bytes long, limit %d", len(s), MaxAddressLen)
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", s, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("address %q: scheme %q is not http or https", s, u.Scheme)
	}
	if u.User != nil {
		return "", fmt.Errorf("address %q: user information is not allowed", s)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("address %q: want scheme://host:port with no path, query or fragment", s)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return "", fmt.Errorf("address %q: want host:port: %w", s, err)
	}
	if host == "" {
		return "", fmt.Errorf("address %q: empty host", s)
	}
	if strings.ContainsAny(host, " \t\r\n%") {
		return "", fmt.Errorf("address %q: invalid host %q", s, host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("address %q: port %q is not a number in 1-65535", s, port)
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(host), strconv.Itoa(n)), nil
}

// ParseList splits a comma-separated list of addresses (the --workers flag)
// and validates each one. Empty items are ignored; duplicates are an error.
// Every problem is reported, not only the first.
func ParseList(s string) ([]string, error) { return parseAll(splitList(s)) }

// splitList splits a comma-separated list, leaving out empty items.
func splitList(s string) []string {
	var items []string
	for _, it := range strings.Split(s, ",") {
		if strings.TrimSpace(it) != "" {
			items = append(items, it)
		}
	}
	return items
}

// parseAll validates every item and reports every problem, each with the
// item's position in the list (from 1): bad addresses, and duplicates with
// the position of the first occurrence.
func parseAll(items []string) ([]string, error) {
	var (
		out  []string
		errs []error
		seen = map[string]int{} // canonical address → position
	)
	for i, it := range items {
		a, err := ParseAddress(it)
		if err != nil {
			errs = append(errs, fmt.Errorf("worker %d: %w", i+1, err))
			continue
		}
		if first, ok := seen[a]; ok {
			errs = append(errs, fmt.Errorf("worker %d: duplicate address %s (worker %d)", i+1, a, first))
			continue
		}
		seen[a] = i + 1
		out = append(out, a)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
