package main

import (
	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/provider"
)

// workerResources are the per-worker limits of providers that can enforce
// them (--provider docker), shared by vfx up and vfx lb.
type workerResources struct {
	cpus   float64
	memory int64
}

func (r *workerResources) bind(fs *pflag.FlagSet) {
	fs.Float64Var(&r.cpus, "worker-cpus", 0, "CPU limit of each worker in cores, e.g. 0.5 (--provider docker; 0: the provider's default of 1)")
	sizeVar(fs, &r.memory, "worker-memory", "memory limit of each worker, e.g. 512m or 1GiB (--provider docker; default: the provider's)")
}

// apply copies the limits into provider options.
func (r *workerResources) apply(o *provider.Options) {
	o.WorkerCPUs = r.cpus
	o.WorkerMemory = r.memory
}
