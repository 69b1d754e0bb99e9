package budget

import (
	"errors"
	"sync"
	"testing"
)

func TestReserve(t *testing.T) {
	const limit = 1024 // headroom 128, small holders up to 8 bytes
	for _, tc := range []struct {
		name   string
		others int64 // held by small holders first
		held   int64 // held by this holder first
		n      int64
		want   error // nil: reserved
	}{
		{"fits", 0, 0, 100, nil},
		{"all but the headroom", 0, 0, limit - limit/8, nil},
		{"into the headroom when large, even alone", 0, 0, limit - limit/8 + 1, ErrTooLarge},
		{"more than the budget", 0, 0, limit + 1, ErrTooLarge},
		{"more than the room with what is held", 0, 800, 100, ErrTooLarge},
		{"what is left below the headroom", 500, 0, 396, nil},
		{"more than is left below the headroom", 800, 0, 97, ErrExhausted},
		{"into the headroom when small", 1000, 0, 8, nil},
		{"the last byte when small", limit - 8, 0, 8, nil},
		{"more than is left when small", limit - 7, 0, 8, ErrExhausted},
		{"into the headroom once no longer small", 890, 4, 5, ErrExhausted},
		{"nothing", limit - limit/8, 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := New(limit)
			var others []*Hold
			for left := tc.others; left > 0; left -= 8 {
				o := b.Hold()
				if err := o.Reserve(min(left, 8)); err != nil {
					t.Fatal(err)
				}
				others = append(others, o)
			}
			h := b.Hold()
			if err := h.Reserve(tc.held); err != nil {
				t.Fatal(err)
			}
			err := h.Reserve(tc.n)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Reserve(%d) = %v, want %v", tc.n, err, tc.want)
			}
			want := tc.held + tc.n
			if err != nil {
				want = tc.held
			}
			if h.Held() != want || b.Used() != want+tc.others {
				t.Errorf("hold %d, used %d; want %d, %d", h.Held(), b.Used(), want, want+tc.others)
			}
			h.Release()
			for _, o := range others {
				o.Release()
			}
			if b.Used() != 0 {
				t.Errorf("used %d after every hold was released", b.Used())
			}
		})
	}
}

func TestFree(t *testing.T) {
	b := New(100)
	h := b.Hold()
	if err := h.Reserve(60); err != nil {
		t.Fatal(err)
	}
	h.Free(20)
	if h.Held() != 40 || b.Used() != 40 {
		t.Errorf("after Free(20): hold %d, used %d, want 40, 40", h.Held(), b.Used())
	}
	h.Free(1000) // more than held: all of it
	if h.Held() != 0 || b.Used() != 0 {
		t.Errorf("after Free(1000): hold %d, used %d, want 0, 0", h.Held(), b.Used())
	}
	h.Release()
	if b.Used() != 0 {
		t.Errorf("release of an empty hold: used %d", b.Used())
	}
}

// TestConcurrentHolders: holders reserving and releasing at once never
// take more than the limit and leave nothing behind.
func TestConcurrentHolders(t *testing.T) {
	b := New(1 << 20)
	var wg sync.WaitGroup
	var mu sync.Mutex
	peak := int64(0)
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				h := b.Hold()
				for range 4 {
					if err := h.Reserve(int64(1+g*i%50000) + 1000); err != nil && !errors.Is(err, ErrExhausted) {
						t.Errorf("Reserve: %v", err)
					}
					mu.Lock()
					peak = max(peak, b.Used())
					mu.Unlock()
				}
				h.Release()
			}
		})
	}
	wg.Wait()
	if b.Used() != 0 {
		t.Errorf("used %d once every holder released", b.Used())
	}
	if peak > b.Limit() {
		t.Errorf("peak %d above the limit %d", peak, b.Limit())
	}
}

func TestFor(t *testing.T) {
	for _, n := range []int64{1, 7, 8, 100, 1000, 64 << 20, 1<<30 + 3} {
		l := For(n)
		if New(l).Room(n) < n {
			t.Errorf("For(%d) = %d, whose room does not hold %d", n, l, n)
		}
		if l > 1 && New(l-1).Room(n) >= n {
			t.Errorf("For(%d) = %d, but %d holds it too", n, l, l-1)
		}
	}
}
