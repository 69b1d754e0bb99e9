package budget

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestReadBody(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes
	n := int64(len(body))
	for _, tc := range []struct {
		name     string
		r        io.Reader
		declared int64
		limit    int64
		budget   int64
		want     error
		maxHeld  int64 // the most the hold may hold once read (0: not checked)
		maxRead  int64 // the most read from r (0: not checked)
	}{
		{"declared length", bytes.NewReader(body), n, 1 << 20, 1 << 30, nil, n, 0},
		{"unknown length", bytes.NewReader(body), -1, 1 << 20, 1 << 30, nil, 2 * n, 0},
		{"unknown length in one-byte reads", iotest.OneByteReader(bytes.NewReader(body)), -1, 1 << 20, 1 << 30, nil, 2 * n, 0},
		{"exactly the limit", bytes.NewReader(body), n, n, 1 << 30, nil, n, 0},
		{"exactly the limit, length unknown", bytes.NewReader(body), -1, n, 1 << 30, nil, n, 0},
		{"empty", strings.NewReader(""), 0, 10, 10, nil, 0, 0},
		{"declared above the limit: nothing read", bytes.NewReader(body), n, n - 1, 1 << 30, ErrTooLarge, 0, 0},
		{"longer than the limit", bytes.NewReader(body), -1, n - 1, 1 << 30, ErrTooLarge, 0, n},
		{"budget too small: refused before reading past it", bytes.NewReader(body), n, 1 << 20, 100_000, ErrTooLarge, 0, 100_000},
		{"read error", iotest.TimeoutReader(bytes.NewReader(body)), n, 1 << 20, 1 << 30, iotest.ErrTimeout, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := New(tc.budget)
			h := b.Hold()
			cr := &countingReader{r: tc.r}
			got, err := ReadBody(cr, tc.declared, tc.limit, h)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err %v, want %v", err, tc.want)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if want := body[:min(n, expectedLen(tc.declared))]; !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, not the %d of the body", len(got), len(want))
			}
			if tc.maxHeld > 0 && (h.Held() > tc.maxHeld || h.Held() < int64(cap(got))) {
				t.Errorf("hold %d for a buffer of capacity %d, want at most %d", h.Held(), cap(got), tc.maxHeld)
			}
			if tc.maxRead > 0 && cr.n > tc.maxRead+1 {
				t.Errorf("read %d bytes, want at most %d", cr.n, tc.maxRead+1)
			}
			if h.Held() > b.Limit() {
				t.Errorf("hold %d above the budget %d", h.Held(), b.Limit())
			}
			h.Release()
			if b.Used() != 0 {
				t.Errorf("used %d after release", b.Used())
			}
		})
	}
}

// expectedLen is a declared length as the number of bytes expected:
// all of them when it is unknown (-1).
func expectedLen(declared int64) int64 {
	if declared < 0 {
		return 1 << 62
	}
	return declared
}

// TestReadBodyBudgetShared: a second body is refused with ErrExhausted
// while a first one holds the budget, before more of it is read than
// the budget has left, and fits once the first is released.
func TestReadBodyBudgetShared(t *testing.T) {
	body := bytes.Repeat([]byte{'x'}, 600_000)
	b := New(1 << 20)
	first := b.Hold()
	if _, err := ReadBody(bytes.NewReader(body), int64(len(body)), 1<<20, first); err != nil {
		t.Fatal(err)
	}
	second := b.Hold()
	cr := &countingReader{r: bytes.NewReader(body)}
	got, err := ReadBody(cr, int64(len(body)), 1<<20, second)
	if !errors.Is(err, ErrExhausted) {
		t.Fatalf("second body: %v, want ErrExhausted", err)
	}
	if len(got) == 0 || !bytes.Equal(got, body[:len(got)]) || int64(cap(got)) > second.Held() {
		t.Errorf("with the error: %d bytes read (capacity %d, %d held), want the start of the body", len(got), cap(got), second.Held())
	}
	if left := b.Limit() - int64(len(body)); cr.n > left {
		t.Errorf("read %d bytes of the second body with %d left in the budget", cr.n, left)
	}
	second.Release()
	first.Release()
	third := b.Hold()
	defer third.Release()
	if _, err := ReadBody(bytes.NewReader(body), int64(len(body)), 1<<20, third); err != nil {
		t.Fatalf("once released: %v", err)
	}
}

// TestReadBodyIntoMatchesReadBody: ReadBodyInto reads what ReadBody reads,
// holds what it holds and fails as it fails, whatever its scratch's
// capacity; a body that fits the scratch is read into it.
func TestReadBodyIntoMatchesReadBody(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes
	n := int64(len(body))
	for _, tc := range []struct {
		name            string
		declared, limit int64
		budget          int64
	}{
		{"declared length", n, 1 << 20, 1 << 30},
		{"unknown length", -1, 1 << 20, 1 << 30},
		{"longer than the limit", -1, n - 1, 1 << 30},
		{"budget too small", n, 1 << 20, 100_000},
	} {
		for _, scratchCap := range []int{0, 100_000, 1 << 20} {
			t.Run(fmt.Sprintf("%s, scratch %d", tc.name, scratchCap), func(t *testing.T) {
				b1, b2 := New(tc.budget), New(tc.budget)
				h1, h2 := b1.Hold(), b2.Hold()
				want, wantErr := ReadBody(bytes.NewReader(body), tc.declared, tc.limit, h1)
				scratch := make([]byte, 0, scratchCap)
				got, err := ReadBodyInto(bytes.NewReader(body), tc.declared, tc.limit, h2, scratch)
				if fmt.Sprint(err) != fmt.Sprint(wantErr) || !bytes.Equal(got, want) || h1.Held() != h2.Held() {
					t.Fatalf("ReadBodyInto: %d bytes, %v, holding %d; ReadBody: %d bytes, %v, holding %d",
						len(got), err, h2.Held(), len(want), wantErr, h1.Held())
				}
				if inScratch := len(got) > 0 && cap(scratch) > 0 && &got[0] == &scratch[:1][0]; err == nil && inScratch != (int64(cap(scratch)) >= n) {
					t.Errorf("read into the scratch: %v, with a scratch of %d for %d bytes", inScratch, cap(scratch), n)
				}
			})
		}
	}
}
