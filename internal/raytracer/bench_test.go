package raytracer

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRender renders seed scenes and reports the CPU time per render
// (cpu-s/op, the thread CPU time of every rendering goroutine) and the
// rays traced per second of wall time (rays/s), besides ns/op (wall).
// bench/java-raytracer.sh measures the original Java ray tracer beside it.
func BenchmarkRender(b *testing.B) {
	cases := []struct {
		scene, texmap string
		cols, rows    int
		aa            bool
	}{
		{"test04.txt", "", 800, 450, false},
		{"test01.txt", "", 400, 300, false},
		{"test01.txt", "", 400, 300, true},
		{"test05.txt", "", 400, 300, false},
		{"test-texmap.txt", texTestTexmap, 400, 300, false},
	}
	for _, c := range cases {
		name := fmt.Sprintf("scene=%s/size=%dx%d/aa=%v", c.scene, c.cols, c.rows, c.aa)
		b.Run(name, func(b *testing.B) {
			s := seedScene(b, c.scene, c.texmap)
			p := Params{SCols: c.cols, SRows: c.rows, WCols: c.cols, WRows: c.rows, AA: c.aa}
			var cpu time.Duration
			var rays int64
			b.ResetTimer()
			for b.Loop() {
				_, st, err := Render(context.Background(), s, p)
				if err != nil {
					b.Fatal(err)
				}
				cpu += st.CPU
				rays += st.Rays
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(rays)/b.Elapsed().Seconds(), "rays/s")
		})
	}
}
