/* This file is private to matbench: what matbench-pitfall-child (the child
 * that runs one measurement of a pitfall scenario, src/probe/pitfall_child.c)
 * and matbench pitfalls (src/cli/pitfalls.c, which starts it and reads its
 * answer) agree on. Names start with MB__PITFALL.
 *
 * Command lines:
 *   matbench-pitfall-child [--cpus K] gemm N CALLERS MODE THREADS SETTER MIN_S
 *     CALLERS program threads (MODE pthread: POSIX threads; openmp: an
 *     OpenMP parallel region) each multiply their own n x n matrices with
 *     cblas_dgemm: one warm-up call each, then calls until MIN_S seconds
 *     have passed since they all started (one at least), and each product
 *     verified (matbench's checks; MB__PITFALL_MIN_S at least). Before that the BLAS threads are
 * set from the main thread as SETTER says: none (what the BLAS chose when it loaded), openblas
 * (openblas_set_num_threads(THREADS)), omp (omp_set_num_threads(THREADS)) or setenv (setenv
 *     OPENBLAS_NUM_THREADS=THREADS, after the library has loaded).
 *   matbench-pitfall-child [--cpus K] fork N THREADS HOW MIN_S LIMIT_S
 *     runs gemm (1 caller, THREADS set with openblas_set_num_threads), so
 *     that the BLAS's threads are running, then forks: HOW fork: the child
 *     runs the same gemm; HOW exec: the child runs this program's gemm
 *     again through execv (a fresh BLAS). The child's answer comes back with
 *     each key prefixed "child."; a child with no answer after LIMIT_S
 *     seconds is killed (child_end=hung).
 *   --cpus K keeps the first K CPUs of the affinity (sched_setaffinity, as
 *     taskset or a container's cpuset does) and runs the rest again, so
 *     that the BLAS sees only those when it loads.
 *
 * Answer: lines "key=value" on stdout, "end=1" last. gemm's keys: core,
 * threading, threads_default (openblas_get_num_threads before SETTER),
 * threads_reported (after), omp_max_threads, cpus (the affinity's CPU
 * count), calls, wall_s, cpu_s (process CPU time from the start line to
 * the last caller's end: the warm-up calls are not in it),
 * gflops (every caller's calls together over wall_s), threads_seen (the
 * process's threads once every caller's warm-up call is done), verified (1: every product
 * passed), residual (the worst check's figure), note (a setter's
 * complaint), error (with exit 1). fork's: its own gemm's keys prefixed
 * "parent.", parent_threads_before_fork, the child's keys prefixed
 * "child." (threads_after_fork among them), child_end ("exit 0", "hung",
 * "killed by signal 11 (Segmentation fault)", ...), child_s, child_limit_s. */
#ifndef MATBENCH_PITFALL_PROTOCOL_H
#define MATBENCH_PITFALL_PROTOCOL_H

/* gemm's calls last this long at least, whatever MIN_S: the CPU time of
 * the BLAS's other threads is counted in steps, and one call of n = 64
 * lasts microseconds. */
#define MB__PITFALL_MIN_S 0.05

enum {
    MB__PITFALL_EXIT_OK = 0,
    MB__PITFALL_EXIT_RUNTIME = 1, /* a failure or a wrong product: error= or verified=0 */
    MB__PITFALL_EXIT_USAGE = 2    /* its own command line was wrong */
};

#endif /* MATBENCH_PITFALL_PROTOCOL_H */
