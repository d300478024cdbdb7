#define _GNU_SOURCE
#include "CSystem.h"

#ifdef __linux__
#include <pthread.h>
#include <sched.h>

int ewm_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0 ? 0 : -1;
}
#else
int ewm_pin_current_thread(int cpu) { (void)cpu; return -1; }
#endif
