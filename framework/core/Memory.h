#pragma once
// How the process's heap treats the large, short-lived buffers of an optimization step.
//
// glibc serves every allocation above its mmap threshold (at most 32 MiB) with a fresh mmap and
// unmaps it on free, so each step's activations (a 48k x 256 float layer is 49 MiB) come back
// as new zero pages: page faults and kernel zeroing on every layer of every step. Measured on
// the 2-core machine, a DeepSDF reconstruction of 4 chairs (30 iterations of 8000 samples):
// 10.2 s -> 6.5 s of optimization (sys time 7.0 s -> 0.9 s); a completion (4 inits): 12.7 s ->
// 9.9 s. keep_freed_memory() makes glibc serve everything from its heap and never trim it, so
// freed buffers are reused: the process keeps its peak footprint (as PyTorch's caching
// allocators do on GPUs). NSDF_MALLOC=system in the environment leaves glibc's defaults.

namespace nsdf::core {

/// See above. Returns true when the setting was applied (glibc, NSDF_MALLOC not "system").
bool keep_freed_memory();

}  // namespace nsdf::core
