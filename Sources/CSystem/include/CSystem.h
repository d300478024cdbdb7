// System calls Swift's Glibc module does not expose (they need _GNU_SOURCE).
#ifndef CSYSTEM_H
#define CSYSTEM_H

/// Pins the calling thread to one processor. Returns 0 on success, -1 where unsupported or refused.
int ewm_pin_current_thread(int cpu);

#endif
