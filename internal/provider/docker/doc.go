// Package docker is the provider of workers as Docker containers
// (`--provider docker`), driven through the Docker Engine API's Go client
// (never the docker command).
//
// The worker image is built here, FROM scratch, holding only a static vfx
// binary (CGO_ENABLED=0); it is tagged vfx-worker:<content hash> so that an
// unchanged binary is never rebuilt, and nothing is ever pulled. Each
// container runs `vfx worker` with a CPU and a memory limit, on a private
// bridge network of its deployment (vfx-<deployment>), with its port 8000
// published on 127.0.0.1 at a random host port, and carries the labels
// io.specialvfx.deployment=<deployment> and io.specialvfx.role=worker, so
// that only this deployment's containers are ever touched. Running
// containers with those labels are adopted at start-up; a container that
// exits is reported Terminated and never restarted.
//
// It must not import the load balancer, autoscaler or worker packages, and
// must not run the docker command line.
package docker
