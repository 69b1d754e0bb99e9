// Package imageproc implements the two image workloads of SpecialVFX@Cloud,
// with the arithmetic of the original Java system (BoofCV 1.1.3):
//
//   - Blur: a separable Gaussian blur of radius 32 (sigma 13) applied to each
//     of the R, G and B channels, with BoofCV's integer kernel and its
//     normalised borders (the kernel is truncated at the image edge and the
//     result divided by the sum of the in-bounds weights).
//   - Enhance: conversion to grey, then local histogram equalisation over a
//     101×101 window that is shifted, not cropped, to stay inside the image.
//
// Both take a decoded image and return a new one together with Stats: a
// deterministic count of work units (the same for the same input on any
// machine and any number of threads) and the CPU time of the threads that did
// the work. Work is split into row strips that run on every core through
// instrument.Tasks, and neither filter allocates per pixel; BlurMemory and
// EnhanceMemory bound what they allocate, for a server that reserves memory
// before it filters.
//
// The package is pure computation: it must not import net/http, os/exec, the
// AWS SDK or any codec or transport package. Decoding and encoding images is
// the job of package codec.
package imageproc
