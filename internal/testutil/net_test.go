package testutil

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFreeAddr(t *testing.T) {
	addr := NeedFreeAddr(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("FreeAddr = %s; want a 127.0.0.1 address", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the free address cannot be bound: %v", err)
	}
	l.Close()
}

func TestGetJSON(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(`{"n":3}`))
		case "/bad":
			w.Write([]byte(`{"n":`))
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			http.Error(w, "no", http.StatusNotFound)
		}
	}))
	defer ts.Close()
	type doc struct{ N int }
	tests := []struct {
		path    string
		timeout time.Duration
		want    int
		errHas  string
	}{
		{path: "/ok", want: 3},
		{path: "/ok", timeout: 5 * time.Second, want: 3},
		{path: "/missing", errHas: "404 Not Found"},
		{path: "/bad", errHas: "unexpected EOF"},
		{path: "/slow", timeout: 50 * time.Millisecond, errHas: "deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := GetJSON[doc](context.Background(), ts.URL+tt.path, tt.timeout)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("GetJSON = %+v, %v; want an error with %q", got, err, tt.errHas)
				}
				return
			}
			if err != nil || got.N != tt.want {
				t.Fatalf("GetJSON = %+v, %v; want n %d", got, err, tt.want)
			}
		})
	}
	code, body := Get(t, ts.URL+"/missing", time.Second)
	if code != http.StatusNotFound || body != "no\n" {
		t.Errorf("Get = %d %q", code, body)
	}
}

func TestWaitFor(t *testing.T) {
	n := 0
	WaitFor(t, 5*time.Second, time.Millisecond, "three polls", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Errorf("cond called %d times; want 3", n)
	}
	f := run(func(tb testing.TB) {
		WaitFor(tb, 20*time.Millisecond, time.Millisecond, "never", func() bool { return false })
	})
	if !f.fatal || len(f.errs) != 1 || f.errs[0] != "timed out after 20ms waiting for never" {
		t.Errorf("WaitFor that times out reported %q (fatal %v)", f.errs, f.fatal)
	}
}
