// OpenBLAS's CBLAS (with openblas_set_num_threads) and the reference LAPACKE from Debian.
#include <cblas.h>
#include <lapacke.h>

// OpenBLAS's own: stops and joins the worker threads it started when it was loaded (the
// same call its fork handler makes). Expunge keeps OpenBLAS on one thread, and those idle
// workers would otherwise poll with sched_yield beside Expunge's threads.
int blas_thread_shutdown_(void);

// OpenBLAS's own (DYNAMIC_ARCH builds): forget and choose again the kernel family, reading
// OPENBLAS_CORETYPE as at load time. See ExpungeCore/BLASKernels.swift.
void gotoblas_dynamic_quit(void);
void gotoblas_dynamic_init(void);
