// Package seedcheck keeps the unit tests' copies of the seed data honest.
// The unit tests of raytracer, imageproc, codec and dataurl read their
// fixtures from their own testdata/seed (see testutil.SeedCopy), never from
// ../shared/seed-data; the test of this package checks that every such copy
// has exactly the bytes of its original, or for a render golden kept as a
// lossless PNG, exactly its pixels, so that the BMP codec.EncodeBMP writes
// from it is the original file byte for byte. `go test
// ./internal/seedcheck -update` rewrites every copy from the seed data.
//
// It also decodes through codec the seed images that no unit test keeps a
// copy of (codec's own tests decode the others from their copies).
//
// The package has tests only; nothing may import it.
package seedcheck
