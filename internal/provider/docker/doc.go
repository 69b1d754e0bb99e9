// Package docker is the provider of workers as Docker containers
// (`--provider docker`), driven through the Docker Engine API's Go client
// (never the docker command).
//
// The worker image is made here, FROM scratch, from the vfx binary as it
// is, however it was built: a statically linked one alone; a dynamically
// linked one with its program interpreter and the shared libraries it
// needs, found on this machine as the dynamic loader finds them (rootfs/).
// The engine imports those files as the image's one layer, with the
// worker's command as its configuration: no builder, no toolchain, nothing
// pulled. The image is tagged vfx-worker:<hash of its content>, so that an
// unchanged binary is never imported again; after making one, the
// provider removes its deployment's older worker images that no container
// uses. A ready image may be given instead.
//
// Each container runs `vfx worker` with a CPU and a memory limit, on a
// private bridge network of its deployment (vfx-<deployment>), with its
// port 8000 published on 127.0.0.1 at a random host port, and carries the
// labels io.specialvfx.deployment=<deployment>, io.specialvfx.role=worker
// and io.specialvfx.owner=<the owner that launched it>, so that only this
// deployment's containers are ever touched. Each runs with a lease
// (`--lease-timeout`) that the provider renews through the published port:
// a container whose owner is killed exits by itself once it runs out.
//
// A deployment has one owner at a time: New claims it by creating the
// container vfx-<deployment>-owner (created, never started; the engine
// refuses a second of that name), labelled with the owner's record, and
// fails with an error wrapping owner.ErrOwned while the owner it names
// still runs; the claim of an owner that is gone is taken over. Once the
// deployment is its own, New adopts its running containers (left by the
// dead owner); Close removes the claim last. A container that exits is
// reported Terminated and never restarted.
//
// It must not import the load balancer, autoscaler or worker packages, and
// must not run the docker command line or any other program.
package docker
