// VN leaky ReLU, forward and backward, in Float with AVX2 (see CKernels.h). Every expression mirrors the Swift loop
// it replaces, operation for operation and in the same order, so the results are identical; contraction into FMA is
// off for the whole file, since an FMA rounds once where the Swift code rounds twice.
#pragma clang fp contract(off)

#include "CKernels.h"

#include "CSystem.h"

#if defined(__x86_64__)
#include <immintrin.h>

bool ewm_kernels_avx2_usable(void) {
    static int cached = -1;
    if (cached < 0) {
        ewm_cpu_features f = ewm_cpu_features_read();
        cached = f.x86 && f.avx && f.avx2 && f.os_ymm;
    }
    return cached;
}

#define AVX2 __attribute__((target("avx2")))

// One channel of the forward pass, for the tail past the last multiple of 8 (the Swift loop's arithmetic).
static inline void forward_one(const float *x, const float *kk, float *y, int d, int c, int j, float beta, float eps) {
    float s, n;
    if (d == 2) {
        s = x[j] * kk[j] + x[c + j] * kk[c + j];
        n = kk[j] * kk[j] + kk[c + j] * kk[c + j];
    } else {
        s = x[j] * kk[j] + x[c + j] * kk[c + j] + x[2 * c + j] * kk[2 * c + j];
        n = kk[j] * kk[j] + kk[c + j] * kk[c + j] + kk[2 * c + j] * kk[2 * c + j];
    }
    float f = s < 0 ? beta * s / (n + eps) : 0;
    for (int i = 0; i < d; i++) y[i * c + j] = x[i * c + j] - f * kk[i * c + j];
}

AVX2 void ewm_vn_leaky_forward_f32_avx2(const float *q, const float *k, float *y, long rows, int d, int c, float beta, float eps) {
    const __m256 vbeta = _mm256_set1_ps(beta), veps = _mm256_set1_ps(eps), zero = _mm256_setzero_ps();
    const int c8 = c & ~7;
    for (long r = 0; r < rows; r++) {
        const long off = r * d * c;
        const float *x = q + off, *kk = k + off;
        float *yy = y + off;
        for (int j = 0; j < c8; j += 8) {
            __m256 x0 = _mm256_loadu_ps(x + j), k0 = _mm256_loadu_ps(kk + j);
            __m256 x1 = _mm256_loadu_ps(x + c + j), k1 = _mm256_loadu_ps(kk + c + j);
            __m256 s = _mm256_add_ps(_mm256_mul_ps(x0, k0), _mm256_mul_ps(x1, k1));
            __m256 n = _mm256_add_ps(_mm256_mul_ps(k0, k0), _mm256_mul_ps(k1, k1));
            __m256 x2 = zero, k2 = zero;
            if (d == 3) {
                x2 = _mm256_loadu_ps(x + 2 * c + j), k2 = _mm256_loadu_ps(kk + 2 * c + j);
                s = _mm256_add_ps(s, _mm256_mul_ps(x2, k2));
                n = _mm256_add_ps(n, _mm256_mul_ps(k2, k2));
            }
            __m256 f = _mm256_div_ps(_mm256_mul_ps(vbeta, s), _mm256_add_ps(n, veps));
            f = _mm256_blendv_ps(zero, f, _mm256_cmp_ps(s, zero, _CMP_LT_OQ));
            _mm256_storeu_ps(yy + j, _mm256_sub_ps(x0, _mm256_mul_ps(f, k0)));
            _mm256_storeu_ps(yy + c + j, _mm256_sub_ps(x1, _mm256_mul_ps(f, k1)));
            if (d == 3) _mm256_storeu_ps(yy + 2 * c + j, _mm256_sub_ps(x2, _mm256_mul_ps(f, k2)));
        }
        for (int j = c8; j < c; j++) forward_one(x, kk, yy, d, c, j, beta, eps);
    }
}

// One channel of the backward pass (the Swift loop's arithmetic: sums from 0, then the three coefficients).
static inline void backward_one(
    const float *x, const float *kk, const float *g, float *dx, float *dk, int d, int c, int j, float beta, float eps) {
    float a = 0, b = 0, e = 0;
    for (int i = 0; i < d; i++) {
        const int o = i * c + j;
        a += x[o] * kk[o];
        b += kk[o] * kk[o];
        e += g[o] * kk[o];
    }
    float s = a, n = b + eps, gk = e;
    float inv = s < 0 ? 1 / n : 0;
    float wa = beta * gk * inv, wb = 2 * beta * s * gk * inv * inv, we = beta * s * inv;
    for (int i = 0; i < d; i++) {
        const int o = i * c + j;
        dx[o] = g[o] - wa * kk[o];
        dk[o] = wb * kk[o] - wa * x[o] - we * g[o];
    }
}

AVX2 void ewm_vn_leaky_backward_f32_avx2(
    const float *q, const float *k, const float *g, float *dq, float *dk, long rows, int d, int c, float beta, float eps) {
    const __m256 vbeta = _mm256_set1_ps(beta), veps = _mm256_set1_ps(eps), zero = _mm256_setzero_ps();
    const __m256 one = _mm256_set1_ps(1), twoBeta = _mm256_set1_ps(2 * beta);
    const int c8 = c & ~7;
    for (long r = 0; r < rows; r++) {
        const long off = r * d * c;
        const float *x = q + off, *kk = k + off, *gg = g + off;
        float *dxx = dq + off, *dkk = dk + off;
        for (int j = 0; j < c8; j += 8) {
            __m256 xs[3], ks[3], gs[3];
            __m256 a = zero, b = zero, e = zero;
            for (int i = 0; i < d; i++) {
                xs[i] = _mm256_loadu_ps(x + i * c + j);
                ks[i] = _mm256_loadu_ps(kk + i * c + j);
                gs[i] = _mm256_loadu_ps(gg + i * c + j);
                a = _mm256_add_ps(a, _mm256_mul_ps(xs[i], ks[i]));
                b = _mm256_add_ps(b, _mm256_mul_ps(ks[i], ks[i]));
                e = _mm256_add_ps(e, _mm256_mul_ps(gs[i], ks[i]));
            }
            __m256 n = _mm256_add_ps(b, veps);
            __m256 inv = _mm256_blendv_ps(zero, _mm256_div_ps(one, n), _mm256_cmp_ps(a, zero, _CMP_LT_OQ));
            __m256 wa = _mm256_mul_ps(_mm256_mul_ps(vbeta, e), inv);
            __m256 wb = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(twoBeta, a), e), inv), inv);
            __m256 we = _mm256_mul_ps(_mm256_mul_ps(vbeta, a), inv);
            for (int i = 0; i < d; i++) {
                _mm256_storeu_ps(dxx + i * c + j, _mm256_sub_ps(gs[i], _mm256_mul_ps(wa, ks[i])));
                __m256 t = _mm256_sub_ps(_mm256_mul_ps(wb, ks[i]), _mm256_mul_ps(wa, xs[i]));
                _mm256_storeu_ps(dkk + i * c + j, _mm256_sub_ps(t, _mm256_mul_ps(we, gs[i])));
            }
        }
        for (int j = c8; j < c; j++) backward_one(x, kk, gg, dxx, dkk, d, c, j, beta, eps);
    }
}

#else

bool ewm_kernels_avx2_usable(void) { return false; }
void ewm_vn_leaky_forward_f32_avx2(const float *q, const float *k, float *y, long rows, int d, int c, float beta, float eps) {}
void ewm_vn_leaky_backward_f32_avx2(
    const float *q, const float *k, const float *g, float *dq, float *dk, long rows, int d, int c, float beta, float eps) {}

#endif
