// glibc's CPU placement calls, which <sched.h> declares only under _GNU_SOURCE (the Glibc
// module is built without it). Declared here as glibc defines them.
#include <stddef.h>

extern int sched_getcpu(void);
extern int sched_getaffinity(int pid, size_t size, void *mask);
extern int sched_setaffinity(int pid, size_t size, const void *mask);
