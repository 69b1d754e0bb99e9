// Package client is the Go client of the SpecialVFX@Cloud HTTP API, as
// served by a worker or by the load balancer in front of workers: ray-trace
// a scene, blur or enhance an image. The command line and the tests use
// it (the load generator, internal/loadgen, builds its requests once with
// package wire and sends them itself).
//
// Requests are sent in the original system's formats (the JSON body of
// /raytracer, the data-URL body of /blurimage and /enhanceimage), so the
// client also works against the original Java server. It asks for the raw
// image (Accept: image/*, or the format a caller names in its Accept
// header) and accepts a data-URL answer too. The formats
// are package wire's: the client builds requests and reads answers with it
// and adds the HTTP exchange. A refusal is a *Error carrying the HTTP
// status and the server's one-line message.
//
// This package must not import the worker, load balancer, autoscaler or
// provider packages, the AWS SDK or os/exec.
package client
