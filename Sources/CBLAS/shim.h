// OpenBLAS's CBLAS (with openblas_set_num_threads) and the reference LAPACKE from Debian.
#include <cblas.h>
#include <lapacke.h>
