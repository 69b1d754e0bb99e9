// Command predict scores the load balancer's cost predictions on a `vfx
// load` mix in process (see internal/costcheck): for each seed it prints
// the mean absolute percentage error per workload and per prediction
// source over the scored requests, and the CPU spent predicting.
//
//	go run ./bench/predict -seeds 1,2,3
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/specialvfx/vfx/internal/costcheck"
	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/probe"
	"github.com/specialvfx/vfx/internal/workload"
)

func main() {
	var (
		seedData = flag.String("seed-data", "../shared/seed-data", "the seed-data directory")
		preset   = flag.String("preset", "unseen", "the vfx load preset")
		seeds    = flag.String("seeds", "1,2,3", "seeds, comma-separated")
		count    = flag.Int("count", 300, "requests per seed")
		from     = flag.Int("from", 100, "first scored request (0-based)")
		noProbe  = flag.Bool("no-probe", false, "predict without the probes (the features and the estimator only)")
		rays     = flag.Int("probe-rays", 0, "most primary rays of a ray-trace probe (0: the default)")
		share    = flag.Float64("probe-share", 0, "most share of a request a probe costs (0: the default)")
		minRays  = flag.Int("probe-min-rays", 0, "fewest primary rays worth a probe (0: the default)")
		decode   = flag.Bool("probe-decode", false, "probe enhance requests, decoding their image")
	)
	flag.Parse()
	p, err := loadgen.FindPreset(*preset)
	if err != nil {
		log.Fatal(err)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "seed\tworkload\tsource\tn\tMAPE %%\tp90 %%\tpredict µs/req\t\n")
	for _, s := range strings.Split(*seeds, ",") {
		seed, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			log.Fatalf("seed %q: %v", s, err)
		}
		mix, err := p.Load(*seedData)
		if err != nil {
			log.Fatal(err)
		}
		cfg := costcheck.Config{Mix: mix, Seed: seed, Count: *count, From: *from}
		if !*noProbe {
			cfg.Probe = &probe.Options{Rays: *rays, MaxShare: *share, MinRays: *minRays, DecodeImages: *decode}
		}
		res, err := costcheck.Run(context.Background(), cfg)
		if err != nil {
			log.Fatal(err)
		}
		for _, k := range workload.Kinds {
			sc, ok := res.Kinds[k]
			if !ok {
				continue
			}
			per := float64(res.Predict[k]) / float64(time.Microsecond) / float64(max(sc.N, 1))
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t\n", seed, k, "all", sc.N, 100*sc.MAPE, 100*sc.P90, per)
			srcs := make([]string, 0, len(res.Sources[k]))
			for src := range res.Sources[k] {
				srcs = append(srcs, src)
			}
			slices.Sort(srcs)
			for _, src := range srcs {
				ss := res.Sources[k][src]
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%.1f\t%.1f\t\t\n", seed, k, src, ss.N, 100*ss.MAPE, 100*ss.P90)
			}
		}
	}
	tw.Flush()
}
