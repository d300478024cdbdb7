// Hand-vectorised Float kernels of the tensor library.
//
// The elementwise ones (VN leaky ReLU, axpby, AdamW; AVX2) each give bit for bit what the portable Swift loop they
// stand in for gives (Primitives+Forward.swift, Primitives+Backward.swift, TensorScalar+Kernels.swift): the same
// operations in the same order per element, separately rounded (no FMA contraction), only 8 lanes at a time.
//
// The matrix product (`ewm_sgemm_f32_*`, AVX2 with FMA or AVX-512) is defined by its own rounding instead: one FMA
// chain per element of C (see `ewm_sgemm_f32_reference`).
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

/// y = a x + b y over n elements (y += a x when b is 1), as `_axpby`'s loop. Needs AVX2 as above.
void ewm_axpby_f32_avx2(float a, const float *x, float b, float *y, long n);

/// One AdamW step over n parameters p with gradients g and moments m, v, as `_adamW`'s loop. Needs AVX2 as above.
void ewm_adamw_f32_avx2(
    float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float epsilon, float decay,
    float stepSize, float invSqrtBC2);

/// Whether `ewm_sgemm_f32_avx2` can run here: the AVX2 kernels' conditions and FMA3.
bool ewm_sgemm_f32_avx2_usable(void);

/// C = op(A) op(B) for row-major A, B and C (m x k, k x n and m x n after the transposes; beta 0), with AVX2 and FMA.
/// Each element of C is one FMA chain over k in increasing order from zero, so the result does not depend on how
/// the product is blocked or split between threads: it is `ewm_sgemm_f32_reference`'s, bit for bit. Returns false
/// (C untouched) if its packing buffer cannot be allocated. Needs `ewm_sgemm_f32_avx2_usable()`.
bool ewm_sgemm_f32_avx2(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc);

/// Whether `ewm_sgemm_f32_avx512` can run here: the above and AVX-512F, with the OS saving the ZMM registers.
bool ewm_sgemm_f32_avx512_usable(void);

/// The same product, the same chains and so the same result bit for bit, 16 lanes at a time (panels of 32 columns).
/// Needs `ewm_sgemm_f32_avx512_usable()`.
bool ewm_sgemm_f32_avx512(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc);

/// The same product written as the chain itself, one element at a time (for tests and as the definition).
void ewm_sgemm_f32_reference(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc);

#endif
