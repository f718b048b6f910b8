/* Everything matbench asks OpenBLAS about itself: build, core type,
 * threading model, and the thread count (the one piece of global mutable
 * state matbench changes, through mb_blas_set_threads). */
#define _GNU_SOURCE /* dladdr, RTLD_DEFAULT */
#include "matbench/blas.h"

#include <cblas.h>
#include <dlfcn.h>
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/* The build's thread limit, from "MAX_THREADS=64" in openblas_get_config();
 * OpenBLAS silently caps openblas_set_num_threads at it. */
int mb_blas_max_threads(void)
{
    const char *config = openblas_get_config();
    const char *p = config != NULL ? strstr(config, "MAX_THREADS=") : NULL;
    if (p == NULL)
        return openblas_get_num_procs() > 0 ? openblas_get_num_procs() : 1;
    int n = atoi(p + strlen("MAX_THREADS="));
    return n > 0 ? n : 1;
}

/* Which LAPACK the LAPACKE calls reach: its version (ilaver) and the
 * library that defines dgetrf_, the symbol LAPACKE_dgetrf calls. On Debian
 * that is OpenBLAS's own LAPACK (its threaded LU and Cholesky among it) or,
 * when the liblapack.so.3 alternative points elsewhere, the reference
 * LAPACK on top of OpenBLAS's BLAS. */
static void lapack_info(struct mb_blas_info *out)
{
    lapack_int major = 0, minor = 0, patch = 0;
    LAPACKE_ilaver(&major, &minor, &patch);
    snprintf(out->lapack_version, sizeof out->lapack_version, "%d.%d.%d", (int)major, (int)minor,
             (int)patch);
    Dl_info where;
    void *sym = dlsym(RTLD_DEFAULT, "dgetrf_");
    copy_str(out->lapack_library, sizeof out->lapack_library,
             sym != NULL && dladdr(sym, &where) != 0 ? where.dli_fname : "unknown");
}

/* Fills out with what this OpenBLAS says about itself. The version is the
 * second word of the config string ("OpenBLAS 0.3.21 DYNAMIC_ARCH ..."). */
void mb_blas_info(struct mb_blas_info *out)
{
    memset(out, 0, sizeof *out);
    copy_str(out->name, sizeof out->name, "OpenBLAS");
    copy_str(out->config, sizeof out->config, openblas_get_config());
    copy_str(out->core, sizeof out->core, openblas_get_corename());
    lapack_info(out);
    if (sscanf(out->config, "OpenBLAS %31s", out->version) != 1)
        copy_str(out->version, sizeof out->version, "unknown");
    switch (openblas_get_parallel()) {
    case 0:
        out->threading = "sequential";
        break;
    case 1:
        out->threading = "pthreads";
        break;
    case 2:
        out->threading = "openmp";
        break;
    default:
        out->threading = "unknown";
    }
    out->max_threads = mb_blas_max_threads();
    out->threads = openblas_get_num_threads();
    const char *env = getenv("OPENBLAS_NUM_THREADS");
    out->env_set = env != NULL;
    copy_str(out->env_value, sizeof out->env_value, env);
}

int mb_blas_get_threads(void)
{
    return openblas_get_num_threads();
}

/* Sets the number of threads OpenBLAS uses from the next call on
 * (openblas_set_num_threads; the pthreads build starts more workers when the
 * count grows). Reads it back: MB_USAGE when threads is outside
 * 1..mb_blas_max_threads(), MB_RUNTIME when OpenBLAS did not take it. */
enum mb_status mb_blas_set_threads(int threads, struct mb_diag *d)
{
    int max = mb_blas_max_threads();
    if (threads < 1 || threads > max)
        return mb_diag_set(d, MB_USAGE, "threads: '%d' is not allowed (1..%d for this OpenBLAS)",
                           threads, max);
    openblas_set_num_threads(threads);
    int got = openblas_get_num_threads();
    if (got != threads)
        return mb_diag_set(d, MB_RUNTIME, "OpenBLAS runs %d threads after being asked for %d", got,
                           threads);
    return MB_OK;
}
