// Loads OpenBLAS at start-up, after putting ewm-sim's kernel choice into OPENBLAS_CORETYPE, which OpenBLAS reads
// once, in its own constructor. Linking OpenBLAS would load it before any code of ours runs; loading it here, from a
// constructor of ours (before main, before any thread of ours exists), lets us choose first, in every program built
// on the Tensor library: ewm-sim, an outside package's command line, the test runner.
#define _GNU_SOURCE
#include "CBLAS.h"

#include <cblas.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *ewm_blas_coretype_for(ewm_cpu_features f) {
    if (f.x86 && f.avx && f.avx2 && f.fma && f.os_ymm) return "Haswell";
    return NULL;
}

static __typeof__(cblas_sgemm) *blas_sgemm;
static __typeof__(cblas_dgemm) *blas_dgemm;
static void (*blas_set_num_threads)(int);
static int (*blas_get_num_threads)(void);
static char *(*blas_get_corename)(void);
static char *(*blas_get_config)(void);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static ewm_blas_info info;
static char path_buffer[PATH_MAX];
static char requested_buffer[64];
static char error_buffer[512];

static const char *const candidates[] = {
    "libopenblas.so.0",  // Debian and most Linux distributions (through the alternatives system on Debian)
    "libopenblas.so",
    "libopenblas.dylib",
    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
    "/usr/local/opt/openblas/lib/libopenblas.dylib",
};
enum { candidate_count = sizeof candidates / sizeof candidates[0] };

static char first_error[256];

static void *open_first(int mode) {
    for (int i = 0; i < candidate_count; i++) {
        void *h = dlopen(candidates[i], mode);
        if (h) return h;
        const char *e = dlerror();
        if (i == 0 && e) snprintf(first_error, sizeof first_error, "%s", e);
    }
    return NULL;
}

static void load(void) {
    info.chooser = EWM_BLAS_CHOSEN_BY_OPENBLAS;
    const char *environment = getenv("OPENBLAS_CORETYPE");
    bool from_environment = environment && environment[0];
    // Already in the process (a host program linked it): its kernel was chosen before we could.
    void *handle = open_first(RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (handle) {
        info.note = "OpenBLAS was loaded before ewm-sim could choose its kernel";
        if (from_environment) {
            snprintf(requested_buffer, sizeof requested_buffer, "%s", environment);
            info.requested = requested_buffer;
        }
    } else {
        const char *ours = NULL;
        if (from_environment) {
            snprintf(requested_buffer, sizeof requested_buffer, "%s", environment);
            info.requested = requested_buffer;
            info.chooser = EWM_BLAS_CHOSEN_BY_ENVIRONMENT;
        } else if ((ours = ewm_blas_coretype_for(ewm_cpu_features_read()))) {
            info.requested = ours;
            info.chooser = EWM_BLAS_CHOSEN_BY_PROJECT;
        } else {
            info.note = "the CPU lacks AVX2 or FMA: OpenBLAS's own detection";
        }
        // Set for OpenBLAS's constructor only, then taken out again, so that programs we start (python, numpy's own
        // OpenBLAS) see the environment the user gave us.
        bool was_empty = environment != NULL;  // set but empty: no choice of the user's, put back as it was after
        if (ours) setenv("OPENBLAS_CORETYPE", ours, 1);
        handle = open_first(RTLD_NOW | RTLD_LOCAL);
        if (ours && was_empty) setenv("OPENBLAS_CORETYPE", "", 1);
        else if (ours) unsetenv("OPENBLAS_CORETYPE");
    }
    if (!handle) {
        snprintf(
            error_buffer, sizeof error_buffer, "cannot load OpenBLAS (%s); install it (Debian: apt-get install libopenblas0)",
            first_error);
        info.error = error_buffer;
        info.chooser = EWM_BLAS_CHOSEN_BY_OPENBLAS;
        info.note = NULL;
        return;
    }
    blas_sgemm = (__typeof__(blas_sgemm))dlsym(handle, "cblas_sgemm");
    blas_dgemm = (__typeof__(blas_dgemm))dlsym(handle, "cblas_dgemm");
    blas_set_num_threads = (__typeof__(blas_set_num_threads))dlsym(handle, "openblas_set_num_threads");
    blas_get_num_threads = (__typeof__(blas_get_num_threads))dlsym(handle, "openblas_get_num_threads");
    blas_get_corename = (__typeof__(blas_get_corename))dlsym(handle, "openblas_get_corename");
    blas_get_config = (__typeof__(blas_get_config))dlsym(handle, "openblas_get_config");
    if (!blas_sgemm || !blas_dgemm || !blas_set_num_threads || !blas_get_num_threads) {
        snprintf(error_buffer, sizeof error_buffer, "the library loaded as OpenBLAS lacks cblas_sgemm, cblas_dgemm or the thread calls");
        info.error = error_buffer;
        return;
    }
    info.loaded = true;
    Dl_info where;
    if (dladdr((void *)blas_sgemm, &where) && where.dli_fname) {
        info.path = realpath(where.dli_fname, path_buffer) ? path_buffer : where.dli_fname;
    }
    info.corename = blas_get_corename ? blas_get_corename() : NULL;
    info.config = blas_get_config ? blas_get_config() : NULL;
    // A build without DYNAMIC_ARCH has one kernel and ignores OPENBLAS_CORETYPE: say so rather than claim a choice.
    if (info.requested && info.chooser != EWM_BLAS_CHOSEN_BY_OPENBLAS && (!info.corename || strcasecmp(info.corename, info.requested) != 0)) {
        info.chooser = EWM_BLAS_CHOSEN_BY_OPENBLAS;
        info.note = "OpenBLAS did not take OPENBLAS_CORETYPE (a build without DYNAMIC_ARCH, or a core type it does not know)";
    }
}

__attribute__((constructor)) static void load_at_start(void) { pthread_once(&load_once, load); }

ewm_blas_info ewm_blas_info_read(void) {
    pthread_once(&load_once, load);
    return info;
}

static void require_loaded(void) {
    pthread_once(&load_once, load);
    if (!info.loaded) {
        fprintf(stderr, "ewm-sim: %s\n", info.error ? info.error : "OpenBLAS is not loaded");
        exit(70);
    }
}

void ewm_blas_sgemm(
    bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
    float *c, int ldc) {
    require_loaded();
    blas_sgemm(
        CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb,
        beta, c, ldc);
}

void ewm_blas_dgemm(
    bool trans_a, bool trans_b, int m, int n, int k, double alpha, const double *a, int lda, const double *b, int ldb,
    double beta, double *c, int ldc) {
    require_loaded();
    blas_dgemm(
        CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb,
        beta, c, ldc);
}

void ewm_blas_set_num_threads(int n) {
    require_loaded();
    blas_set_num_threads(n);
}

int ewm_blas_get_num_threads(void) {
    require_loaded();
    return blas_get_num_threads();
}
