/* Every BLAS library on the machine, side by side: the ones installed the
 * Debian way (a folder under the multiarch library directory that holds a
 * libblas.so.3, picked by the libblas.so.3 alternative), any other by path,
 * and one measurement of one of them: a child process (matbench-blas-probe)
 * loads it with dlopen, sets its threads with the library's own call and
 * times dgemm or dgetrf on matrices this process made, which it then
 * verifies. */
#ifndef MATBENCH_BLASLIB_H
#define MATBENCH_BLASLIB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/kernels.h"
#include "matbench/stats.h"
#include "matbench/status.h"

#define MB_BLASLIB_MAX 32        /* libraries in one comparison */
#define MB_BLASLIB_PATH_MAX 4096 /* bytes of a path, its NUL too */

/* Where the Debian folders are looked for when MATBENCH_BLAS_DIR is not
 * set: the multiarch library directory, from the build. */
#ifndef MB_BLASLIB_DEFAULT_DIR
#define MB_BLASLIB_DEFAULT_DIR "/usr/lib/x86_64-linux-gnu"
#endif

/* The packages that put a libblas.so.3 there, for the message when none is. */
#define MB_BLASLIB_PACKAGES                                                                        \
    "libopenblas0-pthread, libopenblas0-openmp, libopenblas0-serial, libblis4-pthread, "           \
    "libblis4-openmp, libblis4-serial, libblas3, libatlas3-base"

/* The time limit of one child when --time-limit is not given. */
#define MB_BLASLIB_DEFAULT_LIMIT_S 300.0

/* A library stops adding samples once this much wall time has passed
 * (with one sample at least), so that the reference BLAS at n = 3000
 * does not take minutes per thread count. */
#define MB_BLASLIB_MAX_SAMPLING_S 10.0

/* One library to measure. */
struct mb_blaslib {
    char name[64];                    /* the folder ("openblas-pthread") or the file's name */
    char path[MB_BLASLIB_PATH_MAX];   /* its libblas.so.3, or the path given */
    char lapack[MB_BLASLIB_PATH_MAX]; /* the LAPACK for dgetrf; "" : dgetrf_ from the library */
    char lapack_why[160];             /* where lapack comes from, or why there is none */
    bool alternative;                 /* what libblas.so.3 points to now */
    bool found;                       /* found in the folders (not given by path) */
};

/* What was found: the folder looked in, its libraries in name order, and
 * the libblas.so.3 alternative. */
struct mb_blaslib_set {
    char dir[MB_BLASLIB_PATH_MAX];        /* the multiarch library directory */
    char alt_name[128];                   /* "libblas.so.3-x86_64-linux-gnu"; "" */
    char alt_target[MB_BLASLIB_PATH_MAX]; /* the file it points to now; "" */
    struct mb_blaslib v[MB_BLASLIB_MAX];
    size_t n;
};

/* How one library identifies itself (the probe's answer). */
struct mb_blaslib_id {
    char impl[64];         /* "OpenBLAS", "BLIS", "ATLAS", "reference BLAS (netlib)", "unknown" */
    char version[64];      /* "" when unknown */
    char version_from[16]; /* "library" or "file name" */
    char threading[16];    /* "pthreads", "openmp", "serial", "unknown" */
    char core[64];         /* core type or architecture; "" */
    char config[256];      /* openblas_get_config; "" */
    char control[64];      /* how its threads were set: "openblas_set_num_threads", ... "none" */
    char interface[16];    /* "cblas_dgemm", "dgemm_", "dgetrf_" */
    char loaded[MB_BLASLIB_PATH_MAX];        /* the file that defines the routine timed */
    char lapack_loaded[MB_BLASLIB_PATH_MAX]; /* dgetrf: the file of dgetrf_ */
    char lapack_blas[MB_BLASLIB_PATH_MAX];   /* dgetrf: the file its dgemm_ comes from */
    int threads_reported; /* what the library says it uses; -1: it has no such call */
};

/* What became of one measurement. */
enum mb_blaslib_outcome {
    MB_BLASLIB_OK,         /* measured and verified */
    MB_BLASLIB_WRONG,      /* measured, failed verification */
    MB_BLASLIB_CRASHED,    /* the child died of a signal */
    MB_BLASLIB_TIMEOUT,    /* no answer within the time limit */
    MB_BLASLIB_FAILED,     /* the child exited non-zero or said something unreadable */
    MB_BLASLIB_SKIPPED,    /* not run: the library cannot run this kernel (no LAPACK) */
    MB_BLASLIB_NOT_CHECKED /* measured, --no-verify */
};

/* Samples a row keeps (the first of them, in the order measured): a
 * library stops sampling after MB_BLASLIB_MAX_SAMPLING_S, and a dgemm
 * sample lasts 1 ms at least, so only tiny dgetrf calls have more. */
#define MB_BLASLIB_SAMPLES_MAX 4096

/* One library x kernel x n x threads. Unknown figures are NAN (-1 for
 * counts). */
struct mb_blaslib_row {
    const struct mb_blaslib *lib;
    const struct mb_kernel *kernel; /* dgemm or dgetrf, from the kernel table */
    size_t n;
    int threads; /* asked for */
    struct mb_blaslib_id id;
    enum mb_blaslib_outcome outcome;
    char error[768];                           /* why, when not OK */
    unsigned warmup, repeat, calls_per_sample; /* what was run */
    struct mb_stats time_s;
    double samples[MB_BLASLIB_SAMPLES_MAX]; /* the first nsamples of those time_s summarises */
    size_t nsamples;
    double gflops;        /* from the median time */
    double cores_busy;    /* the child's CPU time over the wall time of its timed calls */
    double peak_fraction; /* gflops over the FMA peak of min(threads used, usable cores) */
    int threads_used;     /* threads_reported when the library has the call, else threads_sharing */
    bool threads_used_reported;
    /* From the child over the timed calls: the most threads at once, the
     * most busy in the same moment (the scheduler decides: a loaded machine
     * lowers it), and the threads the work was spread over (each sample's
     * CPU time over its busiest thread's, the most of any sample). */
    int threads_seen, threads_working, threads_sharing;
    double residual, limit; /* the check's worst figure and its pass limit */
    char worst[160];        /* the check's worst entry, when it failed */
    int info;               /* dgetrf's INFO */
};

/* What one measurement runs with. */
struct mb_blaslib_settings {
    const char *probe; /* the matbench-blas-probe program */
    unsigned warmup, repeat;
    double min_s;        /* --duration: sample until then */
    double max_s;        /* MB_BLASLIB_MAX_SAMPLING_S */
    double time_limit_s; /* kill the child after this */
    uint64_t seed;
    bool verify;
    const volatile sig_atomic_t *stop; /* a caught stop signal; may be NULL */
};

enum mb_status mb_blaslib_scan(const char *dir, struct mb_blaslib_set *out, struct mb_diag *d);
const char *mb_blaslib_dir(void);
enum mb_status mb_blaslib_select(const struct mb_blaslib_set *found, const char *list,
                                 struct mb_blaslib_set *out, struct mb_diag *d);
enum mb_status mb_blaslib_probe_path(char *buf, size_t cap, struct mb_diag *d);
enum mb_status mb_blaslib_check(const struct mb_blaslib *lib, const char *probe,
                                struct mb_blaslib_id *id, struct mb_diag *d);
enum mb_status mb_blaslib_parse_answer(const char *text, struct mb_blaslib_id *id, double *samples,
                                       size_t cap, struct mb_blaslib_row *row, size_t *nsamples,
                                       struct mb_diag *d);
enum mb_status mb_blaslib_measure(const struct mb_blaslib *lib, const struct mb_kernel *k, size_t n,
                                  int threads, const struct mb_blaslib_settings *s,
                                  struct mb_blaslib_row *row, struct mb_diag *d);
uint64_t mb_blaslib_memory(const struct mb_kernel *k, size_t n);
const char *mb_blaslib_outcome_name(enum mb_blaslib_outcome o);

#endif /* MATBENCH_BLASLIB_H */
