package raytracer

import (
	"context"
	"errors"
	"image"
	"math"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

func TestParamsValidate(t *testing.T) {
	ok := Params{SCols: 400, SRows: 300, WCols: 200, WRows: 150}
	cases := []struct {
		name   string
		change func(p *Params)
		lim    func(l *Limits)
		want   []string // substrings of the joined error; none = valid
	}{
		{"valid", func(p *Params) {}, nil, nil},
		{"full window", func(p *Params) { p.WCols, p.WRows = 400, 300 }, nil, nil},
		{"roff past the bottom as the original allows", func(p *Params) { p.ROff = 50 }, nil, nil},
		{"negative roff reaches the top", func(p *Params) { p.ROff = -150 }, nil, nil},
		{"offsets at the bounds", func(p *Params) { p.COff, p.ROff = -400, 300 }, nil, nil},
		{"all threads", func(p *Params) { p.Threads = 0 }, nil, nil},
		{"zero sizes", func(p *Params) { p.SCols, p.SRows, p.WCols, p.WRows = 0, -1, 0, -5 },
			nil, []string{"scols: must be positive, got 0", "srows: must be positive, got -1", "wcols: must be positive", "wrows: must be positive"}},
		{"window wider than scene", func(p *Params) { p.WCols = 401 }, nil, []string{"wcols: window width 401 is larger than the scene width scols=400"}},
		{"window taller than scene", func(p *Params) { p.WRows = 301 }, nil, []string{"wrows: window height 301"}},
		{"absurd offsets", func(p *Params) { p.COff, p.ROff = 1_000_000, -301 }, nil, []string{"coff: 1000000 is outside [-scols, scols] = [-400, 400]", "roff: -301 is outside"}},
		{"above max pixels", func(p *Params) { p.SCols, p.SRows = 5000, 5000 }, nil, []string{"scols*srows: 5000x5000 pixels is above the limit of 16777216 pixels"}},
		{"overflowing sizes", func(p *Params) {
			p.SCols, p.SRows, p.WCols, p.WRows = math.MaxInt, math.MaxInt, math.MaxInt, math.MaxInt
		}, nil, []string{"scols*srows", "wcols*wrows"}},
		{"small limit", func(p *Params) {}, func(l *Limits) { l.MaxPixels = 1000 }, []string{"scols*srows", "wcols*wrows: 200x150 pixels is above the limit of 1000"}},
		{"negative threads", func(p *Params) { p.Threads = -1 }, nil, []string{"threads: must be in [0, 4096]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ok
			c.change(&p)
			lim := DefaultLimits()
			if c.lim != nil {
				c.lim(&lim)
			}
			err := p.Validate(lim)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate succeeded, want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRenderRejectsInvalidParams(t *testing.T) {
	s := seedScene(t, "test01.txt", "")
	if _, _, err := Render(context.Background(), s, Params{SCols: 10, SRows: 10, WCols: 20, WRows: 10}); err == nil {
		t.Error("Render accepted a window wider than the scene")
	}
	if _, _, err := Render(context.Background(), nil, Params{SCols: 1, SRows: 1, WCols: 1, WRows: 1}); err == nil {
		t.Error("Render accepted a nil scene")
	}
}

// TestWindowSemantics checks the original's HTTP window rule: output row r
// is scene row wrows-1-(r+roff), scene row 0 at the bottom. So a window is
// a crop of the full render, shifted by wrows and roff.
func TestWindowSemantics(t *testing.T) {
	s := seedScene(t, "test03.txt", "")
	const sc, sr = 80, 60
	full, _, err := Render(context.Background(), s, Params{SCols: sc, SRows: sr, WCols: sc, WRows: sr})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name                     string
		wcols, wrows, coff, roff int
	}{
		{"bottom-left quadrant with roff 0", 40, 30, 0, 0},
		{"top-right quadrant needs a negative roff", 40, 30, 40, -30},
		{"roff moves down past the bottom", 40, 30, 10, 10},
		{"negative coff looks left of the scene", 40, 30, -10, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			win, _, err := Render(context.Background(), s, Params{SCols: sc, SRows: sr, WCols: c.wcols, WRows: c.wrows, COff: c.coff, ROff: c.roff})
			if err != nil {
				t.Fatal(err)
			}
			compared := 0
			for r := 0; r < c.wrows; r++ {
				sceneRow := c.wrows - 1 - (r + c.roff)
				fullY := sr - 1 - sceneRow
				for col := 0; col < c.wcols; col++ {
					fullX := col + c.coff
					if fullX < 0 || fullX >= sc || fullY < 0 || fullY >= sr {
						continue
					}
					compared++
					if got, want := win.RGBAAt(col, r), full.RGBAAt(fullX, fullY); got != want {
						t.Fatalf("window pixel (%d,%d) = %v, want full pixel (%d,%d) = %v", col, r, got, fullX, fullY, want)
					}
				}
			}
			if compared == 0 {
				t.Fatal("no pixel compared")
			}
		})
	}
}

// TestUnitsDeterministic checks that work units and pixels depend on the
// input only, not on the number of goroutines.
func TestUnitsDeterministic(t *testing.T) {
	cases := []struct {
		name, scene, texmap string
		p                   Params
	}{
		{"test04", "test04.txt", "", Params{SCols: 96, SRows: 54, WCols: 96, WRows: 54}},
		{"test05 window", "test05.txt", "", Params{SCols: 120, SRows: 90, WCols: 90, WRows: 60, COff: 20, ROff: -30}},
		{"texmap aa", "test-texmap.txt", texTestTexmap, Params{SCols: 48, SRows: 36, WCols: 48, WRows: 36, AA: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := seedScene(t, c.scene, c.texmap)
			var first Stats
			var firstImg *image.RGBA
			for _, threads := range []int{1, 4, 1, 3} {
				p := c.p
				p.Threads = threads
				img, st, err := Render(context.Background(), s, p)
				if err != nil {
					t.Fatal(err)
				}
				if firstImg == nil {
					first, firstImg = st, img
					if st.Rays <= 0 || st.Tests <= 0 || st.Units() != st.Rays+st.Tests {
						t.Fatalf("stats %+v", st)
					}
					continue
				}
				if st.Rays != first.Rays || st.Tests != first.Tests {
					t.Errorf("threads=%d: rays=%d tests=%d, want rays=%d tests=%d as with threads=1", threads, st.Rays, st.Tests, first.Rays, first.Tests)
				}
				if string(img.Pix) != string(firstImg.Pix) {
					t.Errorf("threads=%d: pixels differ from threads=1", threads)
				}
			}
		})
	}
}

func TestUnitsCountRays(t *testing.T) {
	// One sphere filling the view, one point light, no reflection: every
	// primary ray hits and casts one shadow ray.
	src := replaceOnce(t, tinyScene, "0 0 sphere 0 0 -10 2", "0 0 sphere 0 0 -10 5")
	s, err := ParseScene([]byte(src), nil, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		aa   bool
		rays int64
	}{
		{"no aa: one primary and one shadow ray per pixel", false, 2 * 4 * 3},
		{"aa: four of each per pixel", true, 8 * 4 * 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, st, err := Render(context.Background(), s, Params{SCols: 40, SRows: 30, WCols: 4, WRows: 3, COff: 18, ROff: -13, AA: c.aa})
			if err != nil {
				t.Fatal(err)
			}
			if st.Rays != c.rays {
				t.Errorf("rays = %d, want %d", st.Rays, c.rays)
			}
			if st.Tests != st.Rays { // one shape: one test per ray
				t.Errorf("tests = %d, want %d", st.Tests, st.Rays)
			}
		})
	}
}

// cancelOnCheck is a context that cancels itself when it is asked for the
// n-th time whether it is done (Err): Render asks once before it starts and
// instrument.Tasks once before each task, so a context cancelled on the
// fourth question ends a render that has started tasks and has most of its
// rows still to do, on a fast machine as on a loaded one.
type cancelOnCheck struct {
	context.Context
	cancel context.CancelFunc
	left   atomic.Int64
}

func newCancelOnCheck(n int64) *cancelOnCheck {
	ctx, cancel := context.WithCancel(context.Background())
	c := &cancelOnCheck{Context: ctx, cancel: cancel}
	c.left.Store(n)
	return c
}

func (c *cancelOnCheck) Err() error {
	if c.left.Add(-1) == 0 {
		c.cancel()
	}
	return c.Context.Err()
}

func TestRenderCancel(t *testing.T) {
	s := seedScene(t, "test05.txt", "")
	// 2 threads, 200 rows of two 128-pixel tasks: 400 tasks.
	p := Params{SCols: 200, SRows: 200, WCols: 200, WRows: 200, AA: true, Threads: 2}
	t.Run("before start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		img, st, err := Render(ctx, s, p)
		if !errors.Is(err, context.Canceled) || img != nil || st.Units() != 0 {
			t.Fatalf("Render with a cancelled context: image %v, %d units, err %v; want no image, no work, context.Canceled", img != nil, st.Units(), err)
		}
	})
	t.Run("while rendering", func(t *testing.T) {
		_, full, err := Render(context.Background(), s, p)
		if err != nil {
			t.Fatal(err)
		}
		ctx := newCancelOnCheck(4)
		defer ctx.cancel()
		img, st, err := Render(ctx, s, p)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if img != nil {
			t.Error("a cancelled render returned an image")
		}
		t.Logf("cancelled after %d of %d units", st.Units(), full.Units())
		// At most 3 tasks began before the cancellation, and one more per
		// thread may have begun while it was being noticed: a few of 400.
		if st.Rays == 0 || st.Units() >= full.Units()/10 {
			t.Errorf("cancelled render counted %d units (%d rays), the full render %d: want some work, less than a tenth of it",
				st.Units(), st.Rays, full.Units())
		}
	})
}

// TestRenderAllocations checks that tracing allocates nothing per pixel:
// a render allocates the same whatever its size.
func TestRenderAllocations(t *testing.T) {
	s := seedScene(t, "test05.txt", "")
	allocs := func(n int) float64 {
		p := Params{SCols: n, SRows: n, WCols: n, WRows: n, AA: true, Threads: 2}
		return testing.AllocsPerRun(3, func() {
			if _, _, err := Render(context.Background(), s, p); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(8), allocs(64)
	if large > small {
		t.Errorf("a 64x64 render allocates %v times, an 8x8 one %v: tracing allocates", large, small)
	}
}

// TestRenderMemoryBoundsRender: what Render allocates is within
// RenderMemory.
func TestRenderMemoryBoundsRender(t *testing.T) {
	s, err := ParseScene([]byte(tinyScene), nil, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Params{
		{SCols: 8, SRows: 6, WCols: 8, WRows: 6, Threads: 1},
		{SCols: 640, SRows: 480, WCols: 640, WRows: 480, AA: true, Threads: 4},
		{SCols: 1000, SRows: 1000, WCols: 100, WRows: 900, COff: 5, ROff: 7, Threads: 2},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, _, err := Render(context.Background(), s, p); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if alloc, bound := int64(after.TotalAlloc-before.TotalAlloc), RenderMemory(p); alloc > bound {
			t.Errorf("%+v: Render allocated %d bytes, above RenderMemory's %d", p, alloc, bound)
		}
	}
}
