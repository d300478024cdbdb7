#include "CSystem.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <stdint.h>

static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

ewm_cpu_features ewm_cpu_features_read(void) {
    ewm_cpu_features f = {0};
    f.x86 = true;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    f.sse3 = (c >> 0) & 1;
    f.fma = (c >> 12) & 1;
    f.avx = (c >> 28) & 1;
    bool osxsave = (c >> 27) & 1;
    if (osxsave) {
        uint64_t xcr0 = read_xcr0();
        f.os_ymm = (xcr0 & 0x6) == 0x6;
        f.os_zmm = f.os_ymm && (xcr0 & 0xe0) == 0xe0;
    }
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f.avx2 = (b >> 5) & 1;
        f.avx512f = (b >> 16) & 1;
    }
    return f;
}
#else
ewm_cpu_features ewm_cpu_features_read(void) {
    ewm_cpu_features f = {0};
    return f;
}
#endif
