// Single-precision GEMM, C = op(A) op(B), with AVX2 and FMA or with AVX-512 (see CKernels.h). Every element of C is
// one FMA chain over k in increasing order, starting from zero, whatever the sizes, the blocking, the vector width or
// the part of C a thread computes; `ewm_sgemm_f32_reference` is that chain written out, and the tests compare the
// kernels with it bit for bit.
//
// Blocking (Goto's loop order, without packing A): k in blocks (KC, KC_T); per k block, op(B) is packed into panels of
// two vectors' width (16 columns with AVX2, 32 with AVX-512; zero past the last column), [panel][k][width], so the
// micro-kernel reads it sequentially; then rows of op(A), in blocks of MC, in tiles of 6, are multiplied against every
// panel. The micro-kernel keeps a 6-row tile of C in twelve registers; for the second and later k blocks it starts from
// C's partial sums, which continues the same chain.
#pragma clang fp contract(off)

#include "CKernels.h"

#include "CSystem.h"

#include <math.h>
#include <stdlib.h>

void ewm_sgemm_f32_reference(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc) {
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
            float s = 0;
            for (long p = 0; p < k; p++) {
                float x = transA ? a[p * lda + i] : a[i * lda + p];
                float y = transB ? b[j * ldb + p] : b[p * ldb + j];
                s = fmaf(x, y, s);
            }
            c[i * ldc + j] = s;
        }
}

#if defined(__x86_64__)
#include <immintrin.h>

bool ewm_sgemm_f32_avx2_usable(void) {
    static int cached = -1;
    if (cached < 0) {
        ewm_cpu_features f = ewm_cpu_features_read();
        cached = f.x86 && f.avx && f.avx2 && f.fma && f.os_ymm;
    }
    return cached;
}

// A buffer per thread for the packed panels of op(B), grown as needed and kept.
static _Thread_local float *packed = NULL;
static _Thread_local long packedCapacity = 0;

static float *packBuffer(long floats) {
    if (floats > packedCapacity) {
        free(packed);
        packed = aligned_alloc(64, (size_t)((floats * sizeof(float) + 63) / 64 * 64));
        packedCapacity = packed ? floats : 0;
    }
    return packed;
}

// op(B)[p0 ..< p0 + kc][0 ..< n] into panels of `width` columns, [n / width rounded up][kc][width], zero past column n.
static void packB(bool transB, const float *b, long ldb, long p0, long kc, long n, long width, float *out) {
    for (long j0 = 0; j0 < n; j0 += width) {
        const long w = n - j0 < width ? n - j0 : width;
        float *panel = out + j0 * kc;
        for (long p = 0; p < kc; p++) {
            float *row = panel + p * width;
            if (transB) {
                for (long j = 0; j < w; j++) row[j] = b[(j0 + j) * ldb + p0 + p];
            } else {
                const float *src = b + (p0 + p) * ldb + j0;
                for (long j = 0; j < w; j++) row[j] = src[j];
            }
            for (long j = w; j < width; j++) row[j] = 0;
        }
    }
}

// The micro-kernels. One tile of C: rows 0 ..< mr (at most 6), columns 0 ..< w (at most two vectors), over kc values
// of k. op(A)'s element (i, p) is a[i * rs + p * ks]; the panel's row p starts at bp + bs * p. With `first` each chain
// starts from zero, otherwise from what C holds (the previous k blocks' partial sums). `half` (w at most one vector)
// leaves the right vector out. One body for both instruction sets: V is the vector type, L its lanes, and the helpers
// load, load the first n lanes (zero elsewhere), store the first n lanes, broadcast one value and multiply-add.
#define DEFINE_TILE(name, isa, V, L, zero, load, loadFirst, storeFirst, broadcast, fma)                                \
    isa __attribute__((always_inline)) static inline void name(                                                        \
        const int mr, const bool half, long kc, const float *a, long rs, long ks, const float *bp, long bs, float *c,    \
        long ldc, long w, bool first) {                                                                                \
        const long n0 = w < L ? w : L, n1 = half ? 0 : w - L;                                                          \
        V lo[6], hi[6];                                                                                                \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 6; i++) {                                               \
            if (i >= mr) break;                                                                                        \
            lo[i] = first ? zero() : loadFirst(c + i * ldc, n0);                                                       \
            hi[i] = first || half ? zero() : loadFirst(c + i * ldc + L, n1);                                           \
        }                                                                                                              \
        for (long p = 0; p < kc; p++) {                                                                                \
            const V b0 = load(bp + bs * p);                                                                            \
            const V b1 = half ? b0 : load(bp + bs * p + L);                                                            \
            const float *ap = a + p * ks;                                                                              \
            _Pragma("clang loop unroll(full)") for (int i = 0; i < 6; i++) {                                           \
                if (i >= mr) break;                                                                                    \
                const V x = broadcast(ap + i * rs);                                                                    \
                lo[i] = fma(x, b0, lo[i]);                                                                             \
                if (!half) hi[i] = fma(x, b1, hi[i]);                                                                  \
            }                                                                                                          \
        }                                                                                                              \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 6; i++) {                                               \
            if (i >= mr) break;                                                                                        \
            storeFirst(c + i * ldc, lo[i], n0);                                                                        \
            if (!half) storeFirst(c + i * ldc + L, hi[i], n1);                                                         \
        }                                                                                                              \
    }

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE __attribute__((always_inline)) static inline

AVX2 INLINE __m256i avx2Lanes(long n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
AVX2 INLINE __m256 avx2LoadFirst(const float *p, long n) { return n >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, avx2Lanes(n)); }
AVX2 INLINE void avx2StoreFirst(float *p, __m256 v, long n) {
    if (n >= 8) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, avx2Lanes(n), v);
}
DEFINE_TILE(tileAVX2, AVX2, __m256, 8, _mm256_setzero_ps, _mm256_loadu_ps, avx2LoadFirst, avx2StoreFirst, _mm256_broadcast_ss,
            _mm256_fmadd_ps)

#define AVX512 __attribute__((target("avx512f")))

AVX512 INLINE __mmask16 avx512Lanes(long n) { return n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1); }
AVX512 INLINE __m512 avx512LoadFirst(const float *p, long n) { return _mm512_maskz_loadu_ps(avx512Lanes(n), p); }
AVX512 INLINE void avx512StoreFirst(float *p, __m512 v, long n) { _mm512_mask_storeu_ps(p, avx512Lanes(n), v); }
AVX512 INLINE __m512 avx512Broadcast(const float *p) { return _mm512_set1_ps(*p); }
DEFINE_TILE(tileAVX512, AVX512, __m512, 16, _mm512_setzero_ps, _mm512_loadu_ps, avx512LoadFirst, avx512StoreFirst,
            avx512Broadcast, _mm512_fmadd_ps)

// Rows i0 ..< i1 of one panel with one of the micro-kernels: full tiles of 6, then the remaining rows (`a` and `c` at
// row 0 of the panel's k block and column).
#define ROW_TILES(name, isa, tile, vector)                                                                             \
    isa static void name(                                                                                              \
        long i0, long i1, long kc, const float *a, long rs, long ks, const float *panel, long bs, float *c, long ldc,     \
        long w, bool first) {                                                                                          \
        const bool narrow = w <= vector;                                                                               \
        long i = i0;                                                                                                   \
        for (; i + 6 <= i1; i += 6)                                                                                    \
            if (narrow) tile(6, true, kc, a + i * rs, rs, ks, panel, bs, c + i * ldc, ldc, w, first);                  \
            else tile(6, false, kc, a + i * rs, rs, ks, panel, bs, c + i * ldc, ldc, w, first);                        \
        const float *ai = a + i * rs;                                                                                  \
        float *ci = c + i * ldc;                                                                                       \
        switch ((i1 - i) * 2 + narrow) {                                                                               \
        case 10: tile(5, false, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                  \
        case 11: tile(5, true, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                   \
        case 8: tile(4, false, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                   \
        case 9: tile(4, true, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                    \
        case 6: tile(3, false, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                   \
        case 7: tile(3, true, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                    \
        case 4: tile(2, false, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                   \
        case 5: tile(2, true, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                    \
        case 2: tile(1, false, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                   \
        case 3: tile(1, true, kc, ai, rs, ks, panel, bs, ci, ldc, w, first); break;                                    \
        default: break;                                                                                                \
        }                                                                                                              \
    }

ROW_TILES(rowTilesAVX2, AVX2, tileAVX2, 8)
ROW_TILES(rowTilesAVX512, AVX512, tileAVX512, 16)

typedef void (*RowTiles)(long, long, long, const float *, long, long, const float *, long, float *, long, long, bool);

#define KC 512  // k block for op(A) = A (its rows are runs of k)
#define KC_T 128 // k block for op(A) = A^T (a tile's values for one k are adjacent, its k values lda apart)
#define MC 96    // rows of op(A) per block

// The blocked product with panels of `width` columns and `rowTiles` for the tiles.
static bool blocked(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc, long width, RowTiles rowTiles) {
    if (m <= 0 || n <= 0) return true;
    if (k <= 0) {
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] = 0;
        return true;
    }
    // A single column of C (a matrix-vector product, e.g. the gradient of a one-channel layer's weight) would fill one
    // lane of a panel. When op(A) = A^T, C^T = op(B)^T A has A's own rows for its panels: computed so, the same
    // products summed in the same order.
    if (n == 1 && ldc == 1 && m > 1 && transA)
        return blocked(!transB, !transA, 1, m, k, b, ldb, a, lda, c, m, width, rowTiles);
    const long rs = transA ? 1 : lda, ks = transA ? lda : 1;
    const long panels = (n + width - 1) / width;
    // Packing op(B) pays when many row tiles reuse its panels. For a short C (a weight gradient, where k is the
    // batch) op(B)'s rows, when they are B's own and whole panels wide, are read where they are.
    const bool direct = !transB && n % width == 0 && m <= MC;
    const long kcBlock = transA ? KC_T : KC;
    float *bp = direct ? NULL : packBuffer(panels * width * (k < kcBlock ? k : kcBlock));
    if (!direct && !bp) return false;
    for (long p0 = 0; p0 < k; p0 += kcBlock) {
        const long kc = k - p0 < kcBlock ? k - p0 : kcBlock;
        const bool first = p0 == 0;
        if (!direct) packB(transB, b, ldb, p0, kc, n, width, bp);
        for (long i0 = 0; i0 < m; i0 += MC) {
            const long i1 = m - i0 < MC ? m : i0 + MC;
            for (long jp = 0; jp < panels; jp++) {
                const long j0 = width * jp, w = n - j0 < width ? n - j0 : width;
                const float *panel = direct ? b + p0 * ldb + j0 : bp + j0 * kc;
                rowTiles(i0, i1, kc, a + p0 * ks, rs, ks, panel, direct ? ldb : width, c + j0, ldc, w, first);
            }
        }
    }
    return true;
}

bool ewm_sgemm_f32_avx2(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc) {
    return blocked(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, 16, rowTilesAVX2);
}

bool ewm_sgemm_f32_avx512_usable(void) {
    static int cached = -1;
    if (cached < 0) {
        ewm_cpu_features f = ewm_cpu_features_read();
        cached = ewm_sgemm_f32_avx2_usable() && f.avx512f && f.os_zmm;
    }
    return cached;
}

bool ewm_sgemm_f32_avx512(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc) {
    return blocked(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, 32, rowTilesAVX512);
}

#else

bool ewm_sgemm_f32_avx2_usable(void) { return false; }
bool ewm_sgemm_f32_avx512_usable(void) { return false; }

bool ewm_sgemm_f32_avx512(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc) {
    return false;
}

bool ewm_sgemm_f32_avx2(
    bool transA, bool transB, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c,
    long ldc) {
    return false;
}

#endif
