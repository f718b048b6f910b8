/* The only module that knows OpenBLAS: its version and build, the core type
 * it chose, its threading model, its thread count, and which LAPACK the
 * LAPACKE calls reach. */
#ifndef MATBENCH_BLAS_H
#define MATBENCH_BLAS_H

#include <stdbool.h>

#include "matbench/status.h"

struct mb_blas_info {
    char name[16];            /* "OpenBLAS" */
    char version[32];         /* "0.3.21" */
    char config[256];         /* openblas_get_config() */
    char core[64];            /* openblas_get_corename() */
    const char *threading;    /* "sequential", "pthreads", "openmp" */
    int max_threads;          /* MAX_THREADS of the build */
    int threads;              /* openblas_get_num_threads() when asked */
    bool env_set;             /* OPENBLAS_NUM_THREADS is set */
    char env_value[64];       /* its text, as given */
    char lapack_version[32];  /* of the LAPACK that LAPACKE calls (ilaver) */
    char lapack_library[256]; /* the file that defines dgetrf_ */
};

void mb_blas_info(struct mb_blas_info *out);
int mb_blas_max_threads(void);
int mb_blas_get_threads(void);
enum mb_status mb_blas_set_threads(int threads, struct mb_diag *d);

#endif /* MATBENCH_BLAS_H */
