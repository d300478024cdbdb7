// Hand-vectorised Float kernels of the tensor library's hottest elementwise primitives, for CPUs with AVX2.
// Each gives bit for bit what the portable Swift loop it stands in for gives (Primitives+Forward.swift,
// Primitives+Backward.swift): the same operations in the same order per element, separately rounded (no FMA
// contraction), only 8 channels at a time instead of 4.
#ifndef EWM_CKERNELS_H
#define EWM_CKERNELS_H

#include <stdbool.h>

/// Whether the AVX2 kernels below can run here (CPUID: AVX and AVX2, and the OS saves the YMM registers).
bool ewm_kernels_avx2_usable(void);

/// VN leaky ReLU forward on `rows` blocks of [d, c] (d = 2 or 3): per channel j, with s = <q_j, k_j> and
/// n = |k_j|^2 + eps, f = s < 0 ? beta s / n : 0 and y_j = q_j - f k_j. Needs `ewm_kernels_avx2_usable()`.
void ewm_vn_leaky_forward_f32_avx2(const float *q, const float *k, float *y, long rows, int d, int c, float beta, float eps);

/// Its backward: dq and dk from q, k and the output gradient g (see `vnLeakyBackward`). Needs AVX2 as above.
void ewm_vn_leaky_backward_f32_avx2(
    const float *q, const float *k, const float *g, float *dq, float *dk, long rows, int d, int c, float beta, float eps);

#endif
