// System calls Swift's Glibc module does not expose (they need _GNU_SOURCE), and the CPU's features.
#ifndef CSYSTEM_H
#define CSYSTEM_H

#include <stdbool.h>

/// Pins the calling thread to one processor. Returns 0 on success, -1 where unsupported or refused.
int ewm_pin_current_thread(int cpu);

/// The x86-64 features that decide which BLAS kernel can run: each instruction set as CPUID reports it, and
/// whether the operating system saves the wider registers (XGETBV), without which the instructions fault.
typedef struct {
    bool x86;          ///< x86 or x86-64 (all else below is false elsewhere)
    bool sse3;         ///< CPUID.1:ECX[0]
    bool avx;          ///< CPUID.1:ECX[28]
    bool fma;          ///< FMA3, CPUID.1:ECX[12]
    bool avx2;         ///< CPUID.(7,0):EBX[5]
    bool avx512f;      ///< CPUID.(7,0):EBX[16]
    bool os_ymm;       ///< OSXSAVE and XCR0 saves SSE and AVX state (bits 1, 2)
    bool os_zmm;       ///< and XCR0 saves the AVX-512 state (bits 5, 6, 7)
} ewm_cpu_features;

/// The features of the processor this runs on (all false on other architectures).
ewm_cpu_features ewm_cpu_features_read(void);

#endif
