/* matbench-blas-probe: the child matbench blas runs for one BLAS library.
 * It loads the library with dlopen (it links no BLAS itself), asks it who
 * it is, sets its threads with the library's own call, times dgemm or
 * dgetrf on the matrices the parent put in shared memory, leaves the
 * result there for the parent to verify, and answers on stdout in the
 * protocol of protocol.h. */
#define _GNU_SOURCE /* dladdr, gettid */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "probe/protocol.h"

/* As matbench allocates its matrices (src/measure/matrix.c): huge-page
 * aligned and advised from 4 MiB, so that the timing matches its own. */
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_MIN_BYTES ((size_t)4 << 20)
#define MAX_TIDS 1024
#define SHARES_MAX 1000 /* samples whose shares are kept for threads_sharing */
#define CALLS_MAX (1u << 20)

enum { ROW_MAJOR = 101, NO_TRANS = 111 };
typedef void cblas_dgemm_fn(int, int, int, int, int, int, double, const double *, int,
                            const double *, int, double, double *, int);
typedef void dgemm_fn(const char *, const char *, const int *, const int *, const int *,
                      const double *, const double *, const int *, const double *, const int *,
                      const double *, double *, const int *, size_t, size_t);
typedef void dgetrf_fn(const int *, const int *, double *, const int *, int *, int *);
typedef void set_threads_fn(int);
typedef int get_int_fn(void);
typedef char *get_str_fn(void);
typedef int arch_id_fn(void);
typedef const char *arch_str_fn(int);
typedef long bool_fn(void);

/* A symbol dlsym found, as a function pointer: POSIX makes the two
 * convertible, ISO C does not say so, hence the copy. */
typedef void any_fn(void);
static any_fn *fn_of(void *sym)
{
    any_fn *f;
    memcpy(&f, &sym, sizeof f);
    return f;
}

static const char *prog = "matbench-blas-probe";

/* ---- the answer ------------------------------------------------------- */

/* key=value on one line: a newline or carriage return in value becomes a
 * space. */
static void say(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *key, const char *fmt, ...)
{
    char buf[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (char *p = buf; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    printf("%s=%s\n", key, buf);
}

static void finish(void)
{
    say("end", "1");
    fflush(stdout);
}

__attribute__((noreturn)) static void die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
__attribute__((noreturn)) static void die(int code, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    say("error", "%s", buf);
    fflush(stdout);
    fprintf(stderr, "%s: %s\n", prog, buf);
    exit(code);
}

/* ---- arguments -------------------------------------------------------- */

struct args {
    const char *lib, *lapack, *kernel;
    long n;
    int threads;
    long warmup, repeat;
    double min_s, max_s;
};

static long whole(const char *what, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) {
        fprintf(stderr, "%s: %s: '%s' is not allowed (%ld..%ld)\n", prog, what, s, lo, hi);
        exit(MB__PROBE_EXIT_USAGE);
    }
    return v;
}

static double seconds(const char *what, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v < 0) {
        fprintf(stderr, "%s: %s: '%s' is not allowed (seconds, 0 or more)\n", prog, what, s);
        exit(MB__PROBE_EXIT_USAGE);
    }
    return v;
}

static struct args parse(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr,
                "usage: %s LIB LAPACK KERNEL N THREADS WARMUP REPEAT MIN_S MAX_S (see "
                "src/probe/protocol.h; matbench blas runs it)\n",
                prog);
        exit(MB__PROBE_EXIT_USAGE);
    }
    struct args a = {.lib = argv[1], .lapack = argv[2], .kernel = argv[3]};
    bool check = strcmp(a.kernel, "check") == 0;
    if (!check && strcmp(a.kernel, "dgemm") != 0 && strcmp(a.kernel, "dgetrf") != 0) {
        fprintf(stderr, "%s: KERNEL: '%s' is not allowed (check, dgemm, dgetrf)\n", prog, a.kernel);
        exit(MB__PROBE_EXIT_USAGE);
    }
    a.n = whole("N", argv[4], check ? 0 : 1, INT_MAX);
    a.threads = (int)whole("THREADS", argv[5], 1, 4096);
    a.warmup = whole("WARMUP", argv[6], 0, 1000000);
    a.repeat = whole("REPEAT", argv[7], 1, 1000000);
    a.min_s = seconds("MIN_S", argv[8]);
    a.max_s = seconds("MAX_S", argv[9]);
    return a;
}

/* ---- identification --------------------------------------------------- */

struct id {
    char name[64], version[64], version_from[16], threading[16], core[64], control[64];
    int threads_reported;
};

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strnlen(src, cap - 1) : 0;
    memcpy(dst, src != NULL ? src : "", n);
    dst[n] = '\0';
}

/* The directory of path once resolved, into buf ("" when it cannot be). */
static void real_dir(const char *path, char *buf, size_t cap)
{
    char real[PATH_MAX];
    buf[0] = '\0';
    if (realpath(path, real) == NULL)
        return;
    char *slash = strrchr(real, '/');
    if (slash != NULL)
        *slash = '\0';
    copy(buf, cap, real);
}

/* The file that defines sym, resolved, into buf. */
static void file_of(void *sym, char *buf, size_t cap)
{
    Dl_info info;
    char real[PATH_MAX];
    buf[0] = '\0';
    if (sym == NULL || dladdr(sym, &info) == 0 || info.dli_fname == NULL)
        return;
    copy(buf, cap, realpath(info.dli_fname, real) != NULL ? real : info.dli_fname);
}

/* "libblas.so.3.11.0" -> "3.11.0": the part after ".so." when it is digits
 * and dots. */
static void version_from_file(const char *file, struct id *id)
{
    const char *so = strstr(file, ".so.");
    if (so == NULL)
        return;
    so += 4;
    if (so[0] == '\0' || strspn(so, "0123456789.") != strlen(so))
        return;
    copy(id->version, sizeof id->version, so);
    copy(id->version_from, sizeof id->version_from, "file name");
}

/* The libblis.so.4 beside lib (Debian's BLIS folders), or "". */
static void blis_sibling(const char *lib, char *buf, size_t cap)
{
    char dir[PATH_MAX];
    real_dir(lib, dir, sizeof dir);
    buf[0] = '\0';
    if (dir[0] == '\0')
        return;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/libblis.so.4", dir);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        copy(buf, cap, path);
}

static bool is_openblas(void *h, struct id *id, int threads)
{
    get_str_fn *config = (get_str_fn *)fn_of(dlsym(h, "openblas_get_config"));
    if (config == NULL)
        return false;
    get_str_fn *corename = (get_str_fn *)fn_of(dlsym(h, "openblas_get_corename"));
    get_int_fn *parallel = (get_int_fn *)fn_of(dlsym(h, "openblas_get_parallel"));
    set_threads_fn *set = (set_threads_fn *)fn_of(dlsym(h, "openblas_set_num_threads"));
    get_int_fn *get = (get_int_fn *)fn_of(dlsym(h, "openblas_get_num_threads"));
    const char *c = config();
    copy(id->name, sizeof id->name, "OpenBLAS");
    say("config", "%s", c != NULL ? c : "");
    if (c != NULL && sscanf(c, "OpenBLAS %63s", id->version) == 1)
        copy(id->version_from, sizeof id->version_from, "library");
    copy(id->core, sizeof id->core, corename != NULL ? corename() : "");
    int p = parallel != NULL ? parallel() : -1;
    copy(id->threading, sizeof id->threading,
         p == 0   ? "serial"
         : p == 1 ? "pthreads"
         : p == 2 ? "openmp"
                  : "unknown");
    if (set != NULL) {
        set(threads);
        copy(id->control, sizeof id->control, "openblas_set_num_threads");
        id->threads_reported = get != NULL ? get() : -1;
    }
    return true;
}

/* BLIS's own answers, from handle h (the library itself, or its
 * libblis.so.4 sibling: the same build, so the same answers). */
static bool blis_identify(void *h, struct id *id)
{
    get_str_fn *version = (get_str_fn *)fn_of(dlsym(h, "bli_info_get_version_str"));
    if (version == NULL)
        return false;
    arch_id_fn *arch = (arch_id_fn *)fn_of(dlsym(h, "bli_arch_query_id"));
    arch_str_fn *arch_name = (arch_str_fn *)fn_of(dlsym(h, "bli_arch_string"));
    bool_fn *omp = (bool_fn *)fn_of(dlsym(h, "bli_info_get_enable_openmp"));
    bool_fn *pth = (bool_fn *)fn_of(dlsym(h, "bli_info_get_enable_pthreads"));
    copy(id->name, sizeof id->name, "BLIS");
    copy(id->version, sizeof id->version, version());
    copy(id->version_from, sizeof id->version_from, "library");
    if (arch != NULL && arch_name != NULL)
        copy(id->core, sizeof id->core, arch_name(arch()));
    copy(id->threading, sizeof id->threading,
         omp != NULL && omp()   ? "openmp"
         : pth != NULL && pth() ? "pthreads"
                                : "serial");
    return true;
}

static bool is_blis(void *h, const char *sibling, struct id *id, int threads)
{
    if (blis_identify(h, id)) {
        set_threads_fn *set = (set_threads_fn *)fn_of(dlsym(h, "bli_thread_set_num_threads"));
        get_int_fn *get = (get_int_fn *)fn_of(dlsym(h, "bli_thread_get_num_threads"));
        if (set != NULL) {
            set(threads);
            copy(id->control, sizeof id->control, "bli_thread_set_num_threads");
            id->threads_reported = get != NULL ? get() : -1;
        }
        return true;
    }
    if (sibling[0] == '\0')
        return false;
    /* only to ask; its thread count would be another copy's */
    void *s = dlopen(sibling, RTLD_NOW | RTLD_LOCAL);
    if (s == NULL || !blis_identify(s, id))
        copy(id->name, sizeof id->name, "BLIS");
    copy(id->control, sizeof id->control, "BLIS_NUM_THREADS");
    return true;
}

static void identify(void *h, const char *lib, const char *timed_file, const char *sibling,
                     int threads, struct id *id)
{
    memset(id, 0, sizeof *id);
    id->threads_reported = -1;
    copy(id->control, sizeof id->control, "none");
    if (!is_openblas(h, id, threads) && !is_blis(h, sibling, id, threads)) {
        char dir[PATH_MAX];
        real_dir(lib, dir, sizeof dir);
        const char *base = strrchr(dir, '/');
        if (dlsym(h, "ATL_buildinfo") != NULL) {
            copy(id->name, sizeof id->name, "ATLAS");
            copy(id->threading, sizeof id->threading, "serial"); /* Debian's libatlas3-base */
        } else if (base != NULL && strcmp(base + 1, "blas") == 0) {
            copy(id->name, sizeof id->name, "reference BLAS (netlib)");
            copy(id->threading, sizeof id->threading, "serial");
        } else {
            copy(id->name, sizeof id->name, "unknown");
            copy(id->threading, sizeof id->threading, "unknown");
        }
        version_from_file(timed_file, id);
    }
    set_threads_fn *omp_set = (set_threads_fn *)fn_of(dlsym(h, "omp_set_num_threads"));
    get_int_fn *omp_get = (get_int_fn *)fn_of(dlsym(h, "omp_get_max_threads"));
    if (strcmp(id->control, "none") == 0 && omp_set != NULL) {
        omp_set(threads);
        copy(id->control, sizeof id->control, "omp_set_num_threads");
        id->threads_reported = omp_get != NULL ? omp_get() : -1;
    }
}

/* ---- the sampler: threads and their CPU time --------------------------- */

struct tid_time {
    long tid;
    int64_t last_ns;
    bool seen;
};

struct sampler {
    pthread_t thread;
    volatile long self;
    volatile int ready; /* its first reading, the baseline, is taken */
    volatile int run;
    struct tid_time t[MAX_TIDS];
    size_t count;
    double last_s;             /* the previous reading's time */
    size_t busy[MAX_TIDS + 1]; /* intervals with that many threads busy */
    size_t intervals;
    int most;           /* threads seen at once, the sampler not counted */
    volatile long gone; /* threads seen to end since the first reading */
    double own_cpu_s;
    long ticks;
    bool started;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU time of thread tid in ns: its CPU clock (the clock id Linux makes
 * for any thread of the calling process, as glibc's pthread_getcpuclockid
 * does: up to date even while the thread runs), else schedstat's first
 * field (updated at the scheduler's ticks only), else stat's utime + stime;
 * -1 when the thread is gone. */
static int64_t thread_ns(long tid, long ticks)
{
    struct timespec t;
    clockid_t clock = (clockid_t)((~(unsigned long)tid << 3) | 6); /* per thread, sched */
    if (clock_gettime(clock, &t) == 0)
        return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/self/task/%ld/schedstat", tid);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        long long ns;
        int ok = fscanf(f, "%lld", &ns);
        fclose(f);
        if (ok == 1)
            return ns;
    }
    snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = '\0';
    char *p = strrchr(buf, ')'); /* the name may hold spaces */
    unsigned long long ut, st;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (int64_t)((ut + st) * (1000000000ULL / (unsigned long long)ticks));
}

/* One reading of every thread but the sampler's: how many there are, and
 * (after the first) how many were busy since the previous reading (their
 * CPU time grew by MB__PROBE_BUSY_SHARE of the interval or more; a thread
 * born since counts from 0). Threads gone are dropped. */
static void sample_tasks(struct sampler *s, bool first)
{
    DIR *dp = opendir("/proc/self/task");
    if (dp == NULL)
        return;
    double t = now_s(), interval_ns = (t - s->last_s) * 1e9;
    s->last_s = t;
    int alive = 0, busy = 0;
    for (size_t i = 0; i < s->count; i++)
        s->t[i].seen = false;
    for (struct dirent *e; (e = readdir(dp)) != NULL;) {
        char *end;
        long tid = strtol(e->d_name, &end, 10);
        if (e->d_name[0] == '.' || *end != '\0' || tid == s->self)
            continue;
        int64_t ns = thread_ns(tid, s->ticks);
        if (ns < 0)
            continue;
        alive++;
        size_t i = 0;
        while (i < s->count && s->t[i].tid != tid)
            i++;
        int64_t before = 0;
        if (i < s->count)
            before = s->t[i].last_ns;
        else if (s->count < MAX_TIDS)
            s->t[s->count++] = (struct tid_time){.tid = tid};
        else
            continue;
        s->t[i].last_ns = ns;
        s->t[i].seen = true;
        busy += !first && (double)(ns - before) >= MB__PROBE_BUSY_SHARE * interval_ns;
    }
    closedir(dp);
    size_t k = 0;
    for (size_t i = 0; i < s->count; i++)
        if (s->t[i].seen)
            s->t[k++] = s->t[i];
    if (!first)
        s->gone += (long)(s->count - k);
    s->count = k;
    if (alive > s->most)
        s->most = alive;
    if (!first) {
        s->busy[busy]++;
        s->intervals++;
    }
}

static void *sampler_main(void *arg)
{
    struct sampler *s = arg;
    struct timespec gap = {0, MB__PROBE_SAMPLER_US * 1000L};
    s->self = (long)gettid();
    s->last_s = now_s();
    sample_tasks(s, true);
    s->ready = 1;
    while (s->run) {
        nanosleep(&gap, NULL);
        sample_tasks(s, false);
    }
    sample_tasks(s, false);
    struct timespec cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    s->own_cpu_s = (double)cpu.tv_sec + (double)cpu.tv_nsec * 1e-9;
    return NULL;
}

static void sampler_start(struct sampler *s)
{
    memset(s, 0, sizeof *s);
    s->self = -1;
    s->ticks = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
    s->run = 1;
    s->started = pthread_create(&s->thread, NULL, sampler_main, s) == 0;
    while (s->started && !s->ready)
        nanosleep(&(struct timespec){0, 100000}, NULL);
}

/* Stops the sampler and returns process_s (the process's CPU seconds over
 * the timed calls) less the sampler's own. Into *seen the most threads seen
 * at once, and into *working the most threads busy at once in
 * MB__PROBE_WORKING_SHARE of the intervals or more (at least 1; -1 both
 * when the sampler did not run). */
static double sampler_stop(struct sampler *s, double process_s, int *seen, int *working)
{
    *seen = *working = -1;
    if (!s->started)
        return process_s;
    s->run = 0;
    pthread_join(s->thread, NULL);
    double cpu = process_s - s->own_cpu_s > 0 ? process_s - s->own_cpu_s : 0;
    size_t at_least = 0;
    int w = 1;
    for (size_t c = MAX_TIDS; c >= 1 && s->intervals > 0; c--) {
        at_least += s->busy[c];
        if ((double)at_least >= MB__PROBE_WORKING_SHARE * (double)s->intervals) {
            w = (int)c;
            break;
        }
    }
    *seen = s->most > 0 ? s->most : 1;
    *working = w;
    return cpu;
}

/* ---- the census: how many threads one sample's work was spread over ---- */

/* The CPU time of the process and of each of its threads at one moment
 * (the sampler's thread left out of both). */
struct census {
    int64_t process_ns;
    long tid[MAX_TIDS];
    int64_t ns[MAX_TIDS];
    size_t count;
};

static int64_t process_ns(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
        return -1;
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Takes census c; the process's time first (before a sample) or last
 * (after one), so that the reading itself is never the work's. */
static void census_take(struct census *c, long sampler, long ticks, bool process_first)
{
    if (process_first)
        c->process_ns = process_ns();
    c->count = 0;
    DIR *dp = opendir("/proc/self/task");
    for (struct dirent *e; dp != NULL && (e = readdir(dp)) != NULL && c->count < MAX_TIDS;) {
        char *end;
        long tid = strtol(e->d_name, &end, 10);
        if (e->d_name[0] == '.' || *end != '\0')
            continue;
        int64_t ns = thread_ns(tid, ticks);
        if (ns < 0)
            continue;
        c->tid[c->count] = tid;
        c->ns[c->count++] = ns;
    }
    if (dp != NULL)
        closedir(dp);
    if (!process_first)
        c->process_ns = process_ns();
    for (size_t i = 0; i < c->count; i++)
        if (c->tid[i] == sampler) { /* its time is not the work's */
            c->process_ns -= c->ns[i];
            c->ns[i] = 0;
        }
}

/* What one sample's work took: the process's CPU time, the most one
 * thread alive at its end took, and what threads gone by then took (born
 * and gone in between, as BLIS's pthreads build makes for each call). */
struct share {
    int64_t all, busiest, gone;
};

static struct share census_diff(const struct census *a, const struct census *b)
{
    struct share x = {.all = b->process_ns - a->process_ns};
    int64_t alive = 0;
    for (size_t j = 0; j < b->count; j++) {
        int64_t before = 0; /* a thread born since counts from 0 */
        for (size_t i = 0; i < a->count; i++)
            if (a->tid[i] == b->tid[j])
                before = a->ns[i];
        int64_t took = b->ns[j] - before;
        alive += took;
        if (took > x.busiest)
            x.busiest = took;
    }
    x.gone = x.all - alive > 0 ? x.all - alive : 0;
    return x;
}

/* The threads the work was spread over, from the samples' shares and the
 * threads seen to end per sample: in each sample the process's CPU time
 * over its busiest thread's (the gone ones' time shared among them), the
 * most of any sample (the least disturbed: a thread that waits by spinning
 * inflates one thread's time and lowers the figure), rounded; 1 below 1.5,
 * -1 when unknown. */
static int threads_sharing(const struct share *x, size_t count, double gone_per_sample)
{
    double most = 0;
    for (size_t i = 0; i < count; i++) {
        double each_gone = (double)x[i].gone / (gone_per_sample > 1 ? gone_per_sample : 1);
        double busiest = (double)x[i].busiest > each_gone ? (double)x[i].busiest : each_gone;
        if (x[i].all > 0 && busiest > 0 && (double)x[i].all / busiest > most)
            most = (double)x[i].all / busiest;
    }
    if (count == 0 || most <= 0)
        return -1;
    return most >= 1.5 ? (int)(most + 0.5) : 1;
}

/* ---- the calls -------------------------------------------------------- */

static double cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return NAN;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
}

static double *alloc_matrix(size_t count)
{
    size_t bytes = count * sizeof(double);
    size_t align = bytes >= HUGE_MIN_BYTES ? HUGE_PAGE : 64;
    bytes = (bytes + align - 1) / align * align;
    double *m = aligned_alloc(align, bytes ? bytes : align);
    if (m == NULL)
        die(MB__PROBE_EXIT_RUNTIME, "out of memory (%zu bytes)", bytes);
    if (align == HUGE_PAGE)
        (void)madvise(m, bytes, MADV_HUGEPAGE); /* advice only */
    return m;
}

struct work {
    int n;
    cblas_dgemm_fn *cblas;
    dgemm_fn *f77;
    dgetrf_fn *getrf;
    double *A, *B, *C; /* private */
    const double *pristine;
    int *ipiv;
    int info;
};

/* One call; for dgetrf the input is restored first, outside the clock.
 * Returns the seconds the call itself took. */
static double call_once(struct work *w, bool lu)
{
    const int n = w->n;
    if (lu) {
        memcpy(w->A, w->pristine, (size_t)n * (size_t)n * sizeof *w->A);
        double t0 = now_s();
        w->getrf(&n, &n, w->A, &n, w->ipiv, &w->info);
        return now_s() - t0;
    }
    const double one = 1.0, zero = 0.0;
    double t0 = now_s();
    if (w->cblas != NULL)
        w->cblas(ROW_MAJOR, NO_TRANS, NO_TRANS, n, n, n, 1.0, w->A, n, w->B, n, 0.0, w->C, n);
    else /* column-major C^T = B^T A^T is row-major C = A B */
        w->f77("N", "N", &n, &n, &n, &one, w->B, &n, w->A, &n, &zero, w->C, &n, 1, 1);
    return now_s() - t0;
}

/* calls calls of dgemm back to back, their total seconds. */
static double batch(struct work *w, unsigned calls)
{
    double t = 0;
    for (unsigned i = 0; i < calls; i++)
        t += call_once(w, false);
    return t;
}

static void measure(const struct args *a, struct work *w, bool lu)
{
    long warm = 0;
    for (; warm < a->warmup; warm++)
        if (call_once(w, lu) >= MB__PROBE_WARM_S) {
            warm++;
            break;
        }
    say("warmup", "%ld", warm);
    unsigned calls = 1;
    if (!lu) /* a batch long enough to be a sample (its calls are not timed twice) */
        while (calls < CALLS_MAX && batch(w, calls) < MB__PROBE_SAMPLE_MIN_S)
            calls *= 2;
    say("calls_per_sample", "%u", calls);
    struct sampler s;
    sampler_start(&s);
    static struct census before, after;
    static struct share shares[SHARES_MAX];
    size_t nshares = 0;
    long gone0 = s.gone;
    double cpu0 = cpu_s(), start = now_s(), wall = 0;
    long samples = 0;
    for (;;) {
        census_take(&before, s.self, s.ticks, true);
        double t = lu ? call_once(w, true) : batch(w, calls);
        census_take(&after, s.self, s.ticks, false);
        if (nshares < SHARES_MAX && before.process_ns >= 0 && after.process_ns >= 0)
            shares[nshares++] = census_diff(&before, &after);
        wall += t;
        samples++;
        printf("sample=%.9g\n", t / calls);
        double elapsed = now_s() - start;
        bool enough = samples >= a->repeat && elapsed >= a->min_s;
        bool too_long = a->max_s > 0 && elapsed >= a->max_s && elapsed >= a->min_s;
        if (enough || too_long || samples >= 1000000)
            break;
    }
    double cpu1 = cpu_s();
    int seen, working;
    double cpu = sampler_stop(&s, cpu1 - cpu0, &seen, &working);
    say("cpu_s", "%.9g", cpu);
    say("wall_s", "%.9g", wall);
    say("threads_seen", "%d", seen);
    say("threads_working", "%d", working);
    say("threads_sharing", "%d",
        threads_sharing(shares, nshares, (double)(s.gone - gone0) / (double)samples));
}

/* ---- main ------------------------------------------------------------- */

static double *map_shared(const char *kernel, long n, size_t *bytes)
{
    uint64_t want = mb__probe_shared_bytes(kernel, (uint64_t)n);
    struct stat st;
    if (want == 0 || want > SIZE_MAX)
        die(MB__PROBE_EXIT_RUNTIME, "n %ld is too large", n);
    if (fstat(MB__PROBE_SHARED_FD, &st) != 0)
        die(MB__PROBE_EXIT_RUNTIME, "no shared memory on descriptor %d: %s", MB__PROBE_SHARED_FD,
            strerror(errno));
    if ((uint64_t)st.st_size < want)
        die(MB__PROBE_EXIT_RUNTIME, "shared memory of %lld bytes, %llu needed",
            (long long)st.st_size, (unsigned long long)want);
    *bytes = (size_t)want;
    void *m = mmap(NULL, *bytes, PROT_READ | PROT_WRITE, MAP_SHARED, MB__PROBE_SHARED_FD, 0);
    if (m == MAP_FAILED)
        die(MB__PROBE_EXIT_RUNTIME, "cannot map the shared memory: %s", strerror(errno));
    return m;
}

int main(int argc, char **argv)
{
    struct args a = parse(argc, argv);
    bool lu = strcmp(a.kernel, "dgetrf") == 0, check = strcmp(a.kernel, "check") == 0;
    static const char *const thread_vars[] = {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
                                              "OMP_NUM_THREADS", "BLIS_NUM_THREADS"};
    for (size_t i = 0; i < sizeof thread_vars / sizeof thread_vars[0]; i++)
        unsetenv(thread_vars[i]);
    char sibling[PATH_MAX], count[16];
    blis_sibling(a.lib, sibling, sizeof sibling);
    snprintf(count, sizeof count, "%d", a.threads);
    if (sibling[0] != '\0') /* BLIS reads it once, when it initialises */
        setenv("BLIS_NUM_THREADS", count, 1);

    void *h = dlopen(a.lib, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        die(MB__PROBE_EXIT_UNUSABLE, "cannot load %s: %s", a.lib, dlerror());
    struct work w = {.n = (int)a.n};
    void *gemm = dlsym(h, "cblas_dgemm");
    const char *interface = gemm != NULL ? "cblas_dgemm" : "dgemm_";
    if (gemm != NULL)
        w.cblas = (cblas_dgemm_fn *)fn_of(gemm);
    else if ((gemm = dlsym(h, "dgemm_")) != NULL)
        w.f77 = (dgemm_fn *)fn_of(gemm);
    else
        die(MB__PROBE_EXIT_UNUSABLE, "%s defines neither cblas_dgemm nor dgemm_", a.lib);
    void *timed = gemm, *lh = h;
    if (lu) {
        if (strcmp(a.lapack, "-") != 0 && (lh = dlopen(a.lapack, RTLD_NOW | RTLD_LOCAL)) == NULL)
            die(MB__PROBE_EXIT_UNUSABLE, "cannot load the LAPACK %s: %s", a.lapack, dlerror());
        if ((timed = dlsym(lh, "dgetrf_")) == NULL)
            die(MB__PROBE_EXIT_UNUSABLE, "%s defines no dgetrf_ (and no LAPACK beside it)",
                strcmp(a.lapack, "-") != 0 ? a.lapack : a.lib);
        w.getrf = (dgetrf_fn *)fn_of(timed);
        interface = "dgetrf_";
    }
    char timed_file[PATH_MAX], file[PATH_MAX];
    file_of(gemm, timed_file, sizeof timed_file);
    struct id id;
    identify(h, a.lib, timed_file, sibling, a.threads, &id);
    say("name", "%s", id.name);
    say("version", "%s", id.version);
    say("version_from", "%s", id.version_from);
    say("threading", "%s", id.threading);
    say("core", "%s", id.core);
    say("control", "%s", id.control);
    say("threads_reported", "%d", id.threads_reported);
    say("interface", "%s", interface);
    /* OpenBLAS's libblas.so.3 is an interface over libopenblas.so.0,
     * which holds the kernels: name that one (its soname may resolve to
     * another build's through the libopenblas.so.0 alternative) */
    void *core = strcmp(id.name, "OpenBLAS") == 0 && !lu ? dlsym(h, "openblas_get_config") : NULL;
    file_of(core != NULL ? core : timed, file, sizeof file);
    say("loaded", "%s", file);
    if (lu) {
        say("lapack_loaded", "%s", file);
        file_of(dlsym(lh, "dgemm_"), file, sizeof file);
        say("lapack_blas", "%s", file);
    }
    if (check) {
        finish();
        return MB__PROBE_EXIT_OK;
    }

    size_t bytes;
    double *shared = map_shared(a.kernel, a.n, &bytes);
    const size_t nn = (size_t)a.n * (size_t)a.n;
    if (lu) {
        double *pristine = alloc_matrix(nn);
        memcpy(pristine, shared, nn * sizeof *pristine);
        w.pristine = pristine;
        w.A = alloc_matrix(nn);
        w.ipiv = malloc((size_t)a.n * sizeof *w.ipiv);
        if (w.ipiv == NULL)
            die(MB__PROBE_EXIT_RUNTIME, "out of memory (pivots)");
    } else {
        w.A = alloc_matrix(nn);
        w.B = alloc_matrix(nn);
        w.C = alloc_matrix(nn);
        memcpy(w.A, shared, nn * sizeof *w.A);
        memcpy(w.B, shared + nn, nn * sizeof *w.B);
    }
    measure(&a, &w, lu);
    if (lu) {
        memcpy(shared, w.A, nn * sizeof *w.A);
        memcpy(shared + nn, w.ipiv, (size_t)a.n * sizeof *w.ipiv);
        say("info", "%d", w.info);
    } else {
        memcpy(shared + 2 * nn, w.C, nn * sizeof *w.C);
    }
    munmap(shared, bytes);
    finish();
    return MB__PROBE_EXIT_OK;
}
