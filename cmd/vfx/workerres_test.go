package main

import (
	"testing"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/provider"
)

func TestWorkerResourcesFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		cpus    float64
		memory  int64
		wantErr bool
	}{
		{"defaults", nil, 0, 0, false},
		{"docker style", []string{"--worker-cpus", "0.5", "--worker-memory", "512m"}, 0.5, 512 << 20, false},
		{"binary units", []string{"--worker-memory", "1GiB"}, 0, 1 << 30, false},
		{"bad memory", []string{"--worker-memory", "lots"}, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r workerResources
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			r.bind(fs)
			err := fs.Parse(tc.args)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Parse(%v) error = %v, want error %v", tc.args, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			var o provider.Options
			r.apply(&o)
			if o.WorkerCPUs != tc.cpus || o.WorkerMemory != tc.memory {
				t.Fatalf("options = cpus %v memory %d, want cpus %v memory %d", o.WorkerCPUs, o.WorkerMemory, tc.cpus, tc.memory)
			}
		})
	}
}
