/* This file is private to matbench: what matbench-blas-probe (the child that
 * loads one BLAS library with dlopen and times it) and libmatbench (which
 * starts it and reads its answer, src/platform/blaslib.c) agree on. Names
 * start with MB__PROBE / mb__probe.
 *
 * The probe links no BLAS itself, so the library it loads brings its own
 * dependencies: were the probe linked with OpenBLAS, loading
 * openblas-openmp/libblas.so.3 would bind its libopenblas.so.0 to the
 * pthreads one already loaded (the same soname), and the row would measure
 * the wrong library.
 *
 * Command line (every argument present, in this order):
 *   matbench-blas-probe LIB LAPACK KERNEL N THREADS WARMUP REPEAT MIN_S MAX_S
 *     LIB      the BLAS to dlopen (RTLD_NOW | RTLD_LOCAL)
 *     LAPACK   the LAPACK to dlopen after it for dgetrf_ ("-": take dgetrf_
 *              from LIB and its dependencies)
 *     KERNEL   check | dgemm | dgetrf
 *     N        the order of the matrices (1 .. 2^31-1); 0 with check
 *     THREADS  the threads to ask the library for (1 ..)
 *     WARMUP   untimed calls first; fewer once one lasts MB__PROBE_WARM_S
 *     REPEAT   timed samples, at least
 *     MIN_S    go on sampling until this much wall time has passed (0: off)
 *     MAX_S    stop sampling once this much wall time has passed and MIN_S
 *              too, with one sample at least, even short of REPEAT (a slow
 *              library stops early)
 *
 * Shared memory (dgemm and dgetrf): descriptor 3, a memfd of
 * mb__probe_shared_bytes(kernel, n) bytes that the parent filled:
 *   dgemm   A, B, C: three n x n row-major matrices; the probe reads A and
 *           B and leaves its C = A*B (the last timed call's) in C.
 *   dgetrf  A: one n x n column-major matrix, then n ints of pivots; the
 *           probe leaves the LU factors of A (the last timed call's) in A's
 *           place and dgetrf's 1-based pivots after it.
 * The probe computes in its own memory (aligned and advised for huge
 * pages as matbench's own matrices are) and copies in and out untimed.
 *
 * Answer: lines "key=value" on stdout, in any order, then "end=1" last;
 * "sample=" comes once per timed sample (seconds for one call). */
#ifndef MATBENCH_PROBE_PROTOCOL_H
#define MATBENCH_PROBE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Exit codes of the probe. */
enum {
    MB__PROBE_EXIT_OK = 0,
    MB__PROBE_EXIT_RUNTIME = 1, /* a failure while running: error= says which */
    MB__PROBE_EXIT_USAGE = 2,   /* its own command line was wrong */
    MB__PROBE_EXIT_UNUSABLE = 3 /* LIB cannot be loaded or defines neither cblas_dgemm nor
                                   dgemm_ (or LAPACK: no dgetrf_): error= says which */
};

/* The descriptor the shared memory arrives on. */
#define MB__PROBE_SHARED_FD 3

/* Warm-up calls stop once one has lasted this long: such a call has
 * started the library's threads and touched every page. */
#define MB__PROBE_WARM_S 1.0

/* A dgemm sample times enough calls back to back to last this long (as
 * matbench's runner does: MB_SAMPLE_MIN_S); dgetrf times each call alone,
 * since it overwrites its input. */
#define MB__PROBE_SAMPLE_MIN_S 1e-3

/* How often the probe's sampler thread reads /proc/self/task while the
 * timed calls run, in microseconds. Each reading takes a core from the
 * library's threads for a moment, and on a machine with as many threads
 * as cores every thread then waits for it: every 2 ms cost OpenBLAS 4 % at
 * n = 3000 on 2 threads, every 10 ms is within the noise. */
#define MB__PROBE_SAMPLER_US 10000

/* A thread is busy in an interval of the sampler when its CPU time grew by
 * this share of the interval or more; threads_working is the most threads
 * busy at once in this share of the intervals or more (BLIS's pthreads
 * build makes new threads for each call, so threads are counted at once,
 * never summed over the run). */
#define MB__PROBE_BUSY_SHARE 0.25
#define MB__PROBE_WORKING_SHARE 0.25

/* The keys of the answer. Identification (from the library's own calls
 * where it has them, else "" or -1):
 *   name             "OpenBLAS", "BLIS", "ATLAS", "reference BLAS (netlib)",
 *                    "unknown"
 *   version          openblas_get_config's, bli_info_get_version_str's, or
 *                    the loaded file's name's ("libblas.so.3.11.0": 3.11.0)
 *   version_from     "library" | "file name" | ""
 *   threading        "pthreads" | "openmp" | "serial" | "unknown"
 *   core             openblas_get_corename, bli_arch_string(bli_arch_query_id)
 *   config           openblas_get_config (OpenBLAS only)
 *   control          how the thread count was set: "openblas_set_num_threads",
 *                    "bli_thread_set_num_threads", "BLIS_NUM_THREADS",
 *                    "omp_set_num_threads" or "none"
 *   threads_reported what the library says it will use after being asked
 *                    (openblas_get_num_threads, bli_thread_get_num_threads,
 *                    omp_get_max_threads); -1 when it has no such call
 *   interface        "cblas_dgemm" | "dgemm_" (dgemm) or "dgetrf_"
 *   loaded           the file that defines the routine timed (dladdr)
 *   lapack_loaded    dgetrf: the file that defines dgetrf_
 *   lapack_blas      dgetrf: the file whose dgemm_ that LAPACK calls
 * Measurement:
 *   warmup           warm-up calls made
 *   calls_per_sample calls timed together in each sample
 *   sample           one per sample: seconds for one call
 *   cpu_s            process CPU time over the timed samples (the sampler's
 *                    own taken out)
 *   wall_s           wall time of the timed samples
 *   threads_seen     the most threads the process had at once while the
 *                    timed calls ran (the sampler not counted)
 *   threads_working  the most threads busy at once while the timed calls
 *                    ran, in a quarter of the sampler's intervals at least
 *                    (MB__PROBE_BUSY_SHARE, MB__PROBE_WORKING_SHARE): how
 *                    many worked in the same moment, which the scheduler
 *                    decides (a loaded machine lowers it)
 *   threads_sharing  the threads the work was spread over: in each sample
 *                    the process's CPU time over its busiest thread's
 *                    (threads that ended in the sample share theirs), the
 *                    most of any sample, rounded; 1 below 1.5 (2 when two
 *                    threads did half each, at once or in turn, whatever
 *                    the CPUs; a thread that waits by spinning lowers it)
 *   info             dgetrf's INFO of the last call
 *   error            what went wrong (with exit 1 or 3)
 *   end              the last line of a whole answer */
#define MB__PROBE_KEYS(X)                                                                          \
    X(NAME, "name")                                                                                \
    X(VERSION, "version")                                                                          \
    X(VERSION_FROM, "version_from")                                                                \
    X(THREADING, "threading")                                                                      \
    X(CORE, "core")                                                                                \
    X(CONFIG, "config")                                                                            \
    X(CONTROL, "control")                                                                          \
    X(THREADS_REPORTED, "threads_reported")                                                        \
    X(INTERFACE, "interface")                                                                      \
    X(LOADED, "loaded")                                                                            \
    X(LAPACK_LOADED, "lapack_loaded")                                                              \
    X(LAPACK_BLAS, "lapack_blas")                                                                  \
    X(WARMUP, "warmup")                                                                            \
    X(CALLS_PER_SAMPLE, "calls_per_sample")                                                        \
    X(SAMPLE, "sample")                                                                            \
    X(CPU_S, "cpu_s")                                                                              \
    X(WALL_S, "wall_s")                                                                            \
    X(THREADS_SEEN, "threads_seen")                                                                \
    X(THREADS_WORKING, "threads_working")                                                          \
    X(THREADS_SHARING, "threads_sharing")                                                          \
    X(INFO, "info")                                                                                \
    X(ERROR, "error")                                                                              \
    X(END, "end")

/* Bytes of the shared memory for kernel ("dgemm" or "dgetrf") at order n,
 * or 0 for any other kernel or when the size overflows. */
static inline uint64_t mb__probe_shared_bytes(const char *kernel, uint64_t n)
{
    if (n == 0 || n > UINT32_MAX)
        return 0;
    uint64_t nn = n * n; /* < 2^64 for n < 2^32 */
    if (nn > UINT64_MAX / (3 * sizeof(double)))
        return 0;
    if (strcmp(kernel, "dgemm") == 0)
        return 3 * nn * sizeof(double);
    if (strcmp(kernel, "dgetrf") == 0)
        return nn * sizeof(double) + n * sizeof(int);
    return 0;
}

#endif /* MATBENCH_PROBE_PROTOCOL_H */
