/* matbench-pitfall-child: the child matbench pitfalls runs for each
 * measurement of a trap or its fix. It does what people write (their own
 * threads calling dgemm, setenv after the library has loaded, fork after
 * the BLAS started its threads, ...) in its own process, with the
 * environment and the CPUs the parent chose, verifies every product, and
 * answers on stdout in the protocol of pitfall_protocol.h. It links
 * libmatbench and OpenBLAS like matbench (the OpenMP build comes in through
 * LD_LIBRARY_PATH: the same soname), and OpenMP for the program threads of
 * the openmp mode. */
#define _GNU_SOURCE /* sched_setaffinity, CPU_COUNT */
#include <cblas.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/matrix.h"
#include "matbench/pitfalls.h"
#include "matbench/proc.h"
#include "matbench/verify.h"
#include "probe/pitfall_protocol.h"

#define SELF_EXE "/proc/self/exe"
#define CALLERS_MAX 256
#define SEED 20260101u

static const char *prog = "matbench-pitfall-child";
static const char *prefix = ""; /* of every key: "parent." in fork mode's own lines */

/* ---- the answer ------------------------------------------------------- */

static void say(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *key, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (char *p = buf; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    printf("%s%s=%s\n", prefix, key, buf);
}

__attribute__((noreturn)) static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) static void die(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    say("error", "%s", buf);
    fflush(stdout);
    fprintf(stderr, "%s: %s\n", prog, buf);
    exit(MB__PITFALL_EXIT_RUNTIME);
}

__attribute__((noreturn)) static void usage(const char *what, const char *s, const char *allowed)
{
    fprintf(stderr, "%s: %s: '%s' is not allowed (%s; see src/probe/pitfall_protocol.h)\n", prog,
            what, s, allowed);
    exit(MB__PITFALL_EXIT_USAGE);
}

static long whole(const char *what, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) {
        char allowed[64];
        snprintf(allowed, sizeof allowed, "%ld..%ld", lo, hi);
        usage(what, s, allowed);
    }
    return v;
}

static double seconds(const char *what, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v < 0 || v > 1e6)
        usage(what, s, "seconds, 0..1e6");
    return v;
}

static int pick(const char *what, const char *s, const char *const *names)
{
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    char allowed[128] = "";
    for (int i = 0, len = 0; names[i] != NULL && len < (int)sizeof allowed; i++)
        len +=
            snprintf(allowed + len, sizeof allowed - (size_t)len, "%s%s", i ? ", " : "", names[i]);
    usage(what, s, allowed);
}

/* ---- dgemm from the program's own threads ----------------------------- */

enum mode { MODE_PTHREAD, MODE_OPENMP };
enum setter { SET_NONE, SET_OPENBLAS, SET_OMP, SET_SETENV };
static const char *const mode_names[] = {"pthread", "openmp", NULL};
static const char *const setter_names[] = {"none", "openblas", "omp", "setenv", NULL};

struct gemm_job {
    size_t n;
    int callers;
    enum mode mode;
    int threads;
    enum setter setter;
    double min_s;
};

struct caller {
    double *A, *B, *C;
    long calls;
    double end_s;
};

struct shared {
    const struct gemm_job *job;
    struct caller *c;
    pthread_barrier_t barrier;
    double start_s, cpu_start_s;
    int threads_seen;
};

/* How many threads this process has now (/proc/self/status Threads:). */
static int threads_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int t = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Threads: %d", &t) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return t;
}

static void one_call(size_t n, const struct caller *c)
{
    int k = (int)n;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, k, k, 1.0, c->A, k, c->B, k, 0.0,
                c->C, k);
}

/* One caller's part: a warm-up call, the start line together, then calls
 * until min_s has passed since the start (one at least). */
static void caller_run(struct shared *s, int i, void (*wait_all)(struct shared *))
{
    struct caller *c = &s->c[i];
    one_call(s->job->n, c);
    wait_all(s);
    if (i == 0) {
        s->threads_seen = threads_now(); /* every caller's BLAS threads have started */
        s->cpu_start_s = mb_clock_cpu_s();
        s->start_s = mb_clock_now_s();
    }
    wait_all(s);
    double until =
        s->start_s + (s->job->min_s > MB__PITFALL_MIN_S ? s->job->min_s : MB__PITFALL_MIN_S);
    do {
        one_call(s->job->n, c);
        c->calls++;
    } while (mb_clock_now_s() < until);
    c->end_s = mb_clock_now_s();
}

static void wait_pthread(struct shared *s)
{
    pthread_barrier_wait(&s->barrier);
}

static void wait_openmp(struct shared *s)
{
    (void)s;
#pragma omp barrier
}

struct thread_arg {
    struct shared *s;
    int i;
};

static void *pthread_main(void *p)
{
    struct thread_arg *a = p;
    caller_run(a->s, a->i, wait_pthread);
    return NULL;
}

static void run_pthreads(struct shared *s)
{
    int k = s->job->callers;
    pthread_t tid[CALLERS_MAX];
    struct thread_arg arg[CALLERS_MAX];
    if (pthread_barrier_init(&s->barrier, NULL, (unsigned)k) != 0)
        die("pthread_barrier_init: %s", strerror(errno));
    for (int i = 1; i < k; i++) {
        arg[i] = (struct thread_arg){s, i};
        int e = pthread_create(&tid[i], NULL, pthread_main, &arg[i]);
        if (e != 0)
            die("pthread_create: %s", strerror(e));
    }
    caller_run(s, 0, wait_pthread);
    for (int i = 1; i < k; i++)
        pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&s->barrier);
}

static void run_openmp(struct shared *s)
{
    int k = s->job->callers, got = 0;
#pragma omp parallel num_threads(k)
    {
#pragma omp single
        got = omp_get_num_threads();
        /* the implicit barrier of single: got is seen by all */
        if (got == k)
            caller_run(s, omp_get_thread_num(), wait_openmp);
    }
    if (got != k)
        die("the OpenMP runtime gave %d threads of the %d asked", got, k);
}

static void apply_setter(const struct gemm_job *job)
{
    char text[16];
    struct mb_diag d = {0};
    switch (job->setter) {
    case SET_NONE:
        break;
    case SET_OPENBLAS:
        if (mb_blas_set_threads(job->threads, &d) != MB_OK && d.msg[0] != '\0')
            say("note", "%s", d.msg);
        break;
    case SET_OMP:
        omp_set_num_threads(job->threads);
        break;
    case SET_SETENV:
        snprintf(text, sizeof text, "%d", job->threads);
        if (setenv("OPENBLAS_NUM_THREADS", text, 1) != 0)
            die("setenv: %s", strerror(errno));
        break;
    }
}

/* Allocates and fills each caller's matrices, sets the threads as the job
 * says, runs the callers, verifies every product and says what happened. */
static int run_gemm(const struct gemm_job *job)
{
    struct mb_blas_info b;
    mb_blas_info(&b);
    say("core", "%s", b.core);
    say("threading", "%s", b.threading);
    say("threads_default", "%d", mb_blas_get_threads());
    apply_setter(job);
    say("threads_reported", "%d", mb_blas_get_threads());
    say("omp_max_threads", "%d", omp_get_max_threads());
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        say("cpus", "%d", CPU_COUNT(&set));

    struct caller c[CALLERS_MAX];
    memset(c, 0, sizeof c);
    size_t n = job->n;
    for (int i = 0; i < job->callers; i++) {
        c[i].A = mb_matrix_alloc(n, n);
        c[i].B = mb_matrix_alloc(n, n);
        c[i].C = mb_matrix_alloc(n, n);
        if (c[i].A == NULL || c[i].B == NULL || c[i].C == NULL)
            die("cannot allocate 3 matrices of n = %zu for caller %d", n, i + 1);
        mb_matrix_fill(c[i].A, n, n, SEED + (uint64_t)i, MB_STREAM_A, 1);
        mb_matrix_fill(c[i].B, n, n, SEED + (uint64_t)i, MB_STREAM_B, 1);
    }
    struct shared s = {.job = job, .c = c};
    if (job->mode == MODE_OPENMP)
        run_openmp(&s);
    else
        run_pthreads(&s);
    double cpu1 = mb_clock_cpu_s();

    long calls = 0;
    double end = s.start_s;
    bool ok = true;
    double worst = 0;
    for (int i = 0; i < job->callers; i++) {
        calls += c[i].calls;
        if (c[i].end_s > end)
            end = c[i].end_s;
        struct mb_verify v;
        struct mb_diag d = {0};
        if (mb_verify_gemm(n, c[i].A, c[i].B, c[i].C, SEED, &v, &d) != MB_OK)
            die("verification of caller %d: %s", i + 1, d.msg);
        ok = ok && v.ok;
        if (v.residual > worst)
            worst = v.residual;
        mb_matrix_free(c[i].A);
        mb_matrix_free(c[i].B);
        mb_matrix_free(c[i].C);
    }
    double wall = end - s.start_s;
    double flops = 2.0 * (double)n * (double)n * (double)n * (double)calls;
    say("calls", "%ld", calls);
    say("wall_s", "%.9g", wall);
    say("cpu_s", "%.9g", cpu1 - s.cpu_start_s);
    say("gflops", "%.9g", wall > 0 ? flops / wall * 1e-9 : 0.0);
    say("threads_seen", "%d", s.threads_seen);
    say("verified", "%d", ok ? 1 : 0);
    say("residual", "%.3g", worst);
    return ok ? MB__PITFALL_EXIT_OK : MB__PITFALL_EXIT_RUNTIME;
}

static struct gemm_job gemm_args(char **a)
{
    return (struct gemm_job){.n = (size_t)whole("N", a[0], 1, MB_PITFALL_N_MAX),
                             .callers = (int)whole("CALLERS", a[1], 1, CALLERS_MAX),
                             .mode = (enum mode)pick("MODE", a[2], mode_names),
                             .threads = (int)whole("THREADS", a[3], 1, 4096),
                             .setter = (enum setter)pick("SETTER", a[4], setter_names),
                             .min_s = seconds("MIN_S", a[5])};
}

/* ---- fork after the BLAS started its threads -------------------------- */

static const char *const how_names[] = {"fork", "exec", NULL};

/* Reads the grandchild's answer from fd until it ends or limit_s passes
 * (then kills it), reaps it, and says its lines with the prefix "child."
 * and how it ended. */
static void relay(pid_t pid, int fd, double limit_s)
{
    char buf[65536];
    size_t len = 0;
    double t0 = mb_clock_now_s(), deadline = t0 + limit_s;
    bool hung = false;
    for (;;) {
        double left = deadline - mb_clock_now_s();
        if (left <= 0) {
            hung = true;
            break;
        }
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int r = poll(&pf, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t k = read(fd, buf + len, sizeof buf - 1 - len);
        if (k <= 0)
            break;
        len += (size_t)k;
        if (len == sizeof buf - 1)
            break;
    }
    if (hung)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    double took = mb_clock_now_s() - t0;
    buf[len] = '\0';
    for (char *line = buf, *nl; *line != '\0'; line = nl + 1) {
        nl = strchr(line, '\n');
        if (nl == NULL)
            break;
        *nl = '\0';
        printf("child.%s\n", line);
    }
    char how[200];
    if (hung)
        snprintf(how, sizeof how, "hung");
    else
        mb_proc_describe(status, how, sizeof how);
    prefix = "";
    say("child_end", "%s", how);
    say("child_s", "%.3f", took);
    say("child_limit_s", "%g", limit_s);
}

static int run_fork(size_t n, int threads, int how, double min_s, double limit_s, char **argv0)
{
    struct gemm_job job = {.n = n,
                           .callers = 1,
                           .mode = MODE_PTHREAD,
                           .threads = threads,
                           .setter = SET_OPENBLAS,
                           .min_s = min_s};
    prefix = "parent.";
    int st = run_gemm(&job); /* the BLAS's threads run from here on */
    prefix = "";
    say("parent_threads_before_fork", "%d", threads_now());
    fflush(stdout);
    int p[2];
    if (pipe(p) != 0)
        die("pipe: %s", strerror(errno));
    pid_t pid = mb_proc_fork(127);
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        close(p[0]);
        if (dup2(p[1], 1) < 0)
            _exit(127);
        close(p[1]);
        if (how == 1) {
            char n_arg[24], t_arg[16], min_arg[32];
            snprintf(n_arg, sizeof n_arg, "%zu", n);
            snprintf(t_arg, sizeof t_arg, "%d", threads);
            snprintf(min_arg, sizeof min_arg, "%.9g", min_s);
            char *args[] = {argv0[0], "gemm",     n_arg,   "1", "pthread",
                            t_arg,    "openblas", min_arg, NULL};
            execv(SELF_EXE, args);
            say("error", "exec: %s", strerror(errno));
            fflush(stdout);
            _exit(127);
        }
        say("threads_after_fork", "%d", threads_now());
        int cst = run_gemm(&job); /* setter openblas: what a program would do again */
        say("end", "1");
        fflush(stdout);
        _exit(cst);
    }
    close(p[1]);
    relay(pid, p[0], limit_s);
    close(p[0]);
    return st;
}

/* ---- the CPUs ---------------------------------------------------------- */

/* --cpus K: keeps the first K CPUs of this process's affinity and runs the
 * rest of the command line again, so that the BLAS sees the set when it
 * loads (as under taskset or a container's cpuset). */
static void restrict_cpus(int argc, char **argv)
{
    int k = (int)whole("--cpus", argv[2], 1, CPU_SETSIZE);
    cpu_set_t have, keep;
    if (sched_getaffinity(0, sizeof have, &have) != 0)
        die("sched_getaffinity: %s", strerror(errno));
    if (CPU_COUNT(&have) < k)
        die("--cpus %d: only %d CPUs usable", k, CPU_COUNT(&have));
    CPU_ZERO(&keep);
    for (int c = 0, got = 0; c < CPU_SETSIZE && got < k; c++)
        if (CPU_ISSET(c, &have)) {
            CPU_SET(c, &keep);
            got++;
        }
    if (sched_setaffinity(0, sizeof keep, &keep) != 0)
        die("sched_setaffinity: %s", strerror(errno));
    char *args[64];
    int m = 0;
    args[m++] = argv[0];
    for (int i = 3; i < argc && m < 63; i++)
        args[m++] = argv[i];
    args[m] = NULL;
    execv(SELF_EXE, args);
    die("exec: %s", strerror(errno));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* a child killed half-way has said what it did */
    if (argc >= 3 && strcmp(argv[1], "--cpus") == 0)
        restrict_cpus(argc, argv);
    int st;
    if (argc == 8 && strcmp(argv[1], "gemm") == 0) {
        struct gemm_job job = gemm_args(argv + 2);
        st = run_gemm(&job);
    } else if (argc == 7 && strcmp(argv[1], "fork") == 0) {
        st = run_fork((size_t)whole("N", argv[2], 1, MB_PITFALL_N_MAX),
                      (int)whole("THREADS", argv[3], 1, 4096), pick("HOW", argv[4], how_names),
                      seconds("MIN_S", argv[5]), seconds("LIMIT_S", argv[6]), argv);
    } else {
        fprintf(stderr,
                "usage: %s [--cpus K] gemm N CALLERS pthread|openmp THREADS "
                "none|openblas|omp|setenv MIN_S\n"
                "       %s [--cpus K] fork N THREADS fork|exec MIN_S LIMIT_S\n"
                "(see src/probe/pitfall_protocol.h; matbench pitfalls runs it)\n",
                prog, prog);
        return MB__PITFALL_EXIT_USAGE;
    }
    say("end", "1");
    fflush(stdout);
    return st;
}
