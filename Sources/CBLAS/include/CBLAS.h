// OpenBLAS, loaded by ewm-sim itself (dlopen) so that it can choose OpenBLAS's kernel from the CPU's features first:
// OpenBLAS reads OPENBLAS_CORETYPE once, when it loads, so the choice has to be in the environment by then.
#ifndef EWM_CBLAS_H
#define EWM_CBLAS_H

#include <stdbool.h>

#include "CSystem.h"

/// Who chose the kernel OpenBLAS runs.
typedef enum {
    /// ewm-sim, from the CPU's features (`ewm_blas_coretype_for`), through OPENBLAS_CORETYPE at load.
    EWM_BLAS_CHOSEN_BY_PROJECT = 0,
    /// OPENBLAS_CORETYPE, set in the environment before ewm-sim started; left as it is.
    EWM_BLAS_CHOSEN_BY_ENVIRONMENT = 1,
    /// OpenBLAS's own detection (the CPU lacks what the project's choice needs, or OpenBLAS did not take it).
    EWM_BLAS_CHOSEN_BY_OPENBLAS = 2,
} ewm_blas_chooser;

/// The OpenBLAS core type ewm-sim asks for on a CPU with `features`, or NULL to leave OpenBLAS's own choice.
/// Any CPU with AVX2 and FMA (and an OS that saves the YMM registers) gets "Haswell": the fastest kernel that
/// OpenBLAS never falls back from on CPUs it does not know, and the same Float rounding on every AVX2 and AVX-512
/// machine, so a training recipe gives the same weights on all of them.
const char *ewm_blas_coretype_for(ewm_cpu_features features);

/// What was loaded and who chose its kernel.
typedef struct {
    bool loaded;
    const char *path;       ///< the library file loaded (symlinks resolved), or NULL
    const char *error;      ///< why nothing was loaded, or NULL
    const char *corename;   ///< openblas_get_corename(), or NULL
    const char *config;     ///< openblas_get_config(), or NULL
    ewm_blas_chooser chooser;
    const char *requested;  ///< OPENBLAS_CORETYPE when OpenBLAS loaded (the project's or the environment's), or NULL
    const char *note;       ///< why OpenBLAS chose, when it did, or NULL
} ewm_blas_info;

/// Loads OpenBLAS if that has not happened yet (it happens before main), and says what was loaded.
ewm_blas_info ewm_blas_info_read(void);

/// C = alpha op(A) op(B) + beta C, row-major (cblas_sgemm). Exits with a message when OpenBLAS could not be loaded.
void ewm_blas_sgemm(
    bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
    float *c, int ldc);
/// The same in Double (cblas_dgemm).
void ewm_blas_dgemm(
    bool trans_a, bool trans_b, int m, int n, int k, double alpha, const double *a, int lda, const double *b, int ldb,
    double beta, double *c, int ldc);
/// openblas_set_num_threads / openblas_get_num_threads.
void ewm_blas_set_num_threads(int n);
int ewm_blas_get_num_threads(void);

#endif
