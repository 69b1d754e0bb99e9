package main

import (
	"fmt"
	"time"

	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/trace"
)

// reqType is one kind of request of the trace: a ray trace of a seed scene
// at a size, an item of the load generator's mix.
type reqType struct {
	Name       string // the mix item's name
	Scene      string // file name under seed-data/raytracer/scenes
	Cols, Rows int
	Weight     float64       // share of the trace's requests
	unloaded   time.Duration // median latency on an idle pool
	objective  time.Duration // latency objective
}

func (t reqType) item() loadgen.ItemSpec {
	w := t.Weight
	return loadgen.ItemSpec{Name: t.Name, Workload: "raytracer", Scene: "raytracer/scenes/" + t.Scene, SCols: t.Cols, SRows: t.Rows, Weight: &w}
}

// mixOf is the mix of the types' items, files read from seedDir.
func mixOf(seedDir string, types ...reqType) (*loadgen.Mix, error) {
	var s loadgen.Spec
	for _, t := range types {
		s.Items = append(s.Items, t.item())
	}
	return loadgen.NewMix("autoscaler", s, seedDir)
}

// entries is a loadgen.Sink that keeps a run's entries.
type entries []trace.Entry

func (l *entries) Write(e trace.Entry) error {
	*l = append(*l, e)
	return nil
}

// typeOf finds the type of an entry by its item.
func typeOf(types []reqType, e trace.Entry) (reqType, error) {
	for _, t := range types {
		if t.Name == e.Item {
			return t, nil
		}
	}
	return reqType{}, fmt.Errorf("request %d: unknown item %q", e.Seq, e.Item)
}
