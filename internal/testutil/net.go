package testutil

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// FreePort asks the kernel for a free TCP port of 127.0.0.1. Another
// process may take it before the caller binds it.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreeAddr is FreePort as an address, "127.0.0.1:PORT".
func FreeAddr() (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("127.0.0.1:%d", port), nil
}

// NeedFreeAddr is FreeAddr, failing tb on error.
func NeedFreeAddr(tb testing.TB) string {
	tb.Helper()
	addr, err := FreeAddr()
	return must(tb, addr, err)
}

// GetJSON sends GET url and decodes its JSON answer as a T; an answer
// other than 200 OK is an error. A timeout above 0 bounds the whole
// exchange.
func GetJSON[T any](ctx context.Context, url string, timeout time.Duration) (T, error) {
	var v T
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return v, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return v, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return v, fmt.Errorf("GET %s: %w", url, err)
	}
	return v, nil
}

// Get sends GET url on a connection of its own (no keep-alive, so no idle
// connection outlives the call) with the given timeout, and returns the
// status code and the body. It fails tb if there is no answer.
func Get(tb testing.TB, url string, timeout time.Duration) (int, string) {
	tb.Helper()
	hc := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Get(url)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
