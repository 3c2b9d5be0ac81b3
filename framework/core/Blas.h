#pragma once
// Making sure LibTorch's matrix products run on fast BLAS kernels.
//
// Debian 12's OpenBLAS (0.3.21) picks its kernels by CPU model and does not know recent Xeons
// (e.g. family 6 model 207): it falls back to "Prescott" (SSE3) kernels, 2-3x slower than the
// AVX-512 ones on the same CPU (tools/bench/BLAS.md). The choice is made when the library
// loads, before main(), from the OPENBLAS_CORETYPE environment variable; so when OpenBLAS
// reports the fallback on a CPU with AVX-512 (or AVX2), nsdf sets the variable and re-executes
// itself once. Set OPENBLAS_CORETYPE yourself to choose, or NSDF_BLAS_AUTOTUNE=0 to disable.

namespace nsdf::core {

/// Re-executes the program with OPENBLAS_CORETYPE set when OpenBLAS fell back to generic
/// kernels on a CPU that has faster ones. Returns normally otherwise (or if exec fails).
void ensure_fast_blas(char** argv);

/// OpenBLAS's core name ("SkylakeX", "Prescott", ...), or "" when the BLAS is not OpenBLAS.
const char* blas_core_name();

}  // namespace nsdf::core
