// Elementwise updates in Float with AVX2 (see CKernels.h): y = a x + b y (gradient accumulation, EMA) and the AdamW
// step. Each mirrors its Swift loop (TensorScalar+Kernels.swift) operation for operation, separately rounded
// (contraction into FMA is off for the file), so the results are the same bit for bit.
#pragma clang fp contract(off)

#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

AVX2 void ewm_axpby_f32_avx2(float a, const float *x, float b, float *y, long n) {
    const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    long i = 0;
    if (b == 1) {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_mul_ps(va, _mm256_loadu_ps(x + i))));
        for (; i < n; i++) y[i] += a * x[i];
    } else {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(
                y + i, _mm256_add_ps(_mm256_mul_ps(va, _mm256_loadu_ps(x + i)), _mm256_mul_ps(vb, _mm256_loadu_ps(y + i))));
        for (; i < n; i++) y[i] = a * x[i] + b * y[i];
    }
}

AVX2 void ewm_adamw_f32_avx2(
    float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float epsilon, float decay,
    float stepSize, float invSqrtBC2) {
    const float c1 = 1 - beta1, c2 = 1 - beta2;
    const __m256 vb1 = _mm256_set1_ps(beta1), vb2 = _mm256_set1_ps(beta2), vc1 = _mm256_set1_ps(c1), vc2 = _mm256_set1_ps(c2);
    const __m256 veps = _mm256_set1_ps(epsilon), vdecay = _mm256_set1_ps(decay), vstep = _mm256_set1_ps(stepSize);
    const __m256 vinv = _mm256_set1_ps(invSqrtBC2);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 gi = _mm256_loadu_ps(g + i);
        const __m256 mi = _mm256_add_ps(_mm256_mul_ps(vb1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(vc1, gi));
        const __m256 vi = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(_mm256_mul_ps(vc2, gi), gi));
        const __m256 denom = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), vinv), veps);
        const __m256 pi = _mm256_sub_ps(_mm256_mul_ps(_mm256_loadu_ps(p + i), vdecay), _mm256_div_ps(_mm256_mul_ps(vstep, mi), denom));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(p + i, pi);
    }
    for (; i < n; i++) {
        m[i] = beta1 * m[i] + c1 * g[i];
        v[i] = beta2 * v[i] + c2 * g[i] * g[i];
        const float denom = __builtin_sqrtf(v[i]) * invSqrtBC2 + epsilon;
        p[i] = p[i] * decay - stepSize * m[i] / denom;
    }
}

#else

void ewm_axpby_f32_avx2(float a, const float *x, float b, float *y, long n) {}
void ewm_adamw_f32_avx2(
    float *p, const float *g, float *m, float *v, long n, float beta1, float beta2, float epsilon, float decay,
    float stepSize, float invSqrtBC2) {}

#endif
