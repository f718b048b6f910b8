/* The monitor: per-CPU busy time from /proc/stat and the process's thread
 * count from /proc/self/status, read by a background thread a few times a
 * second and around each timed region. The figures are the whole machine's
 * (like htop's CPU bars), so other programs show up in them too. */
#include "matbench/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Reads up to cap - 1 bytes of a /proc file (which has no size) into buf,
 * NUL-terminated. Returns the length, or -1. */
static ssize_t read_proc(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len < cap - 1) {
        ssize_t got = read(fd, buf + len, cap - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

/* Parses the per-CPU lines ("cpuN user nice system idle iowait irq softirq
 * steal guest guest_nice", proc(5)) of /proc/stat text into out. Busy time
 * is user + nice + system + irq + softirq; guest time is already inside
 * user, so it is not added again. Steal (time the hypervisor gave to
 * someone else) counts in the total but not as busy: the CPU was not ours.
 * Lines after the first four numbers are optional, as on old kernels. CPUs
 * with ids of MB_MONITOR_MAX_CPUS or more are skipped. Returns MB_OK, or
 * MB_RUNTIME when a cpu line is malformed or there is none. */
enum mb_status mb_procstat_parse(const char *text, struct mb_cpustat *out, struct mb_diag *d)
{
    out->count = 0;
    bool any = false;
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *next = strchr(line, '\n');
        if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
            char *end;
            long id = strtol(line + 3, &end, 10);
            uint64_t f[10] = {0};
            int nf = 0;
            for (; nf < 10; nf++) {
                while (*end == ' ')
                    end++;
                if (*end < '0' || *end > '9')
                    break;
                f[nf] = strtoull(end, &end, 10);
            }
            if (nf < 4 || (*end != '\n' && *end != '\0' && *end != ' '))
                return mb_diag_set(d, MB_RUNTIME,
                                   "/proc/stat: cpu%ld line has %d counters (at least 4 expected)",
                                   id, nf);
            any = true;
            if (id >= 0 && id < MB_MONITOR_MAX_CPUS && out->count < MB_MONITOR_MAX_CPUS) {
                uint64_t busy = f[0] + f[1] + f[2] + f[5] + f[6];
                out->cpu[out->count++] =
                    (struct mb_cpu_times){(int)id, busy, busy + f[3] + f[4] + f[7]};
            }
        }
        line = next != NULL ? next + 1 : NULL;
    }
    if (!any)
        return mb_diag_set(d, MB_RUNTIME, "/proc/stat: no per-CPU (cpuN) lines");
    return MB_OK;
}

/* The value of the "Threads:" line of /proc/PID/status text, or -1 when
 * there is none. */
int mb_proc_threads_parse(const char *status_text)
{
    for (const char *p = status_text; p != NULL && *p != '\0';) {
        if (strncmp(p, "Threads:", 8) == 0) {
            char *end;
            long v = strtol(p + 8, &end, 10);
            return end != p + 8 && v > 0 && v < 1000000 ? (int)v : -1;
        }
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return -1;
}

static const struct mb_cpu_times *find_cpu(const struct mb_cpustat *s, int id)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->cpu[i].id == id)
            return &s->cpu[i];
    return NULL;
}

/* Each logical CPU's busy fraction between two readings: busy[id] in 0..1
 * for every id in both, NAN for an id in only one (a CPU that went offline
 * or came online in between), whose counters went backwards, or that
 * counted fewer than min_ticks ticks in all (too short to tell). *ncpus is
 * the highest id in either reading + 1; busy needs MB_MONITOR_MAX_CPUS
 * entries. */
void mb_cpustat_busy(const struct mb_cpustat *before, const struct mb_cpustat *after,
                     size_t min_ticks, double *busy, size_t *ncpus)
{
    size_t n = 0;
    for (size_t i = 0; i < before->count; i++)
        if ((size_t)before->cpu[i].id + 1 > n)
            n = (size_t)before->cpu[i].id + 1;
    for (size_t i = 0; i < after->count; i++)
        if ((size_t)after->cpu[i].id + 1 > n)
            n = (size_t)after->cpu[i].id + 1;
    for (size_t i = 0; i < n; i++)
        busy[i] = NAN;
    for (size_t i = 0; i < after->count; i++) {
        const struct mb_cpu_times *b = &after->cpu[i], *a = find_cpu(before, b->id);
        if (a == NULL || b->total < a->total || b->busy < a->busy)
            continue;
        uint64_t dt = b->total - a->total, db = b->busy - a->busy;
        if (dt == 0 || dt < min_ticks)
            continue;
        busy[b->id] = db >= dt ? 1.0 : (double)db / (double)dt;
    }
    *ncpus = n;
}

/* The sum of the known fractions: how many CPUs' worth were busy. NAN when
 * none is known. */
double mb_busy_sum(const double *busy, size_t ncpus)
{
    double sum = 0;
    bool any = false;
    for (size_t i = 0; i < ncpus; i++)
        if (!isnan(busy[i])) {
            sum += busy[i];
            any = true;
        }
    return any ? sum : NAN;
}

/* ---- the sampling thread ---------------------------------------------- */

struct mb_monitor {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stop;
    double interval_s;
    mb_monitor_sample_fn *fn;
    void *user;
    /* Shared with the sampler, under mu. */
    bool in_region;
    int region_max_threads;
    size_t samples;
    double cpu_s;
    /* The sampler's own. */
    struct mb_cpustat prev, cur;
    double live[MB_MONITOR_MAX_CPUS];
    char buf[65536];
    /* The caller's (begin/end). */
    struct mb_cpustat region_start;
    bool region_start_ok;
    char region_buf[65536];
};

static bool read_stat(char *buf, size_t cap, struct mb_cpustat *out)
{
    return read_proc("/proc/stat", buf, cap) > 0 && mb_procstat_parse(buf, out, NULL) == MB_OK;
}

static int read_threads(char *buf, size_t cap)
{
    return read_proc("/proc/self/status", buf, cap) > 0 ? mb_proc_threads_parse(buf) : -1;
}

static void add_seconds(struct timespec *t, double s)
{
    long ns = t->tv_nsec + (long)(s * 1e9);
    t->tv_sec += ns / 1000000000L;
    t->tv_nsec = ns % 1000000000L;
}

/* Samples every interval until told to stop: the busy fractions since the
 * previous sample and the thread count go to the callback, and the thread
 * count to the open region's maximum. Records its own CPU time at the end,
 * so the monitor's overhead can be reported. */
static void *sampler(void *arg)
{
    struct mb_monitor *m = arg;
    bool have_prev = read_stat(m->buf, sizeof m->buf, &m->prev);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        add_seconds(&next, m->interval_s);
        while (!m->stop && pthread_cond_timedwait(&m->wake, &m->mu, &next) != ETIMEDOUT)
            ;
        if (m->stop)
            break;
        pthread_mutex_unlock(&m->mu);
        int threads = read_threads(m->buf, sizeof m->buf);
        bool ok = read_stat(m->buf, sizeof m->buf, &m->cur);
        size_t ncpus = 0;
        if (ok && have_prev)
            mb_cpustat_busy(&m->prev, &m->cur, 1, m->live, &ncpus);
        if (ok) {
            m->prev = m->cur;
            have_prev = true;
        }
        if (m->fn != NULL && ncpus > 0)
            m->fn(&(struct mb_monitor_sample){ncpus, m->live, threads}, m->user);
        pthread_mutex_lock(&m->mu);
        m->samples++;
        if (m->in_region && threads > m->region_max_threads)
            m->region_max_threads = threads;
    }
    struct timespec cpu;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
        m->cpu_s = (double)cpu.tv_sec + (double)cpu.tv_nsec * 1e-9;
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

/* Starts the sampling thread: every interval_s seconds it reads /proc/stat
 * and the thread count and hands them to fn (which may be NULL; it runs on
 * the sampling thread). Returns MB_OK with *out set, or MB_RUNTIME when
 * /proc/stat cannot be read or the thread cannot start (nothing is left
 * behind), or MB_USAGE for an interval outside 0.001..10 s. */
enum mb_status mb_monitor_start(double interval_s, mb_monitor_sample_fn *fn, void *user,
                                struct mb_monitor **out, struct mb_diag *d)
{
    *out = NULL;
    if (!(interval_s >= 0.001 && interval_s <= 10))
        return mb_diag_set(d, MB_USAGE, "monitor interval: %g s is not allowed (0.001..10)",
                           interval_s);
    struct mb_monitor *m = calloc(1, sizeof *m);
    if (m == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot allocate the monitor");
    if (!read_stat(m->buf, sizeof m->buf, &m->prev)) {
        free(m);
        return mb_diag_set(d, MB_RUNTIME, "cannot read per-CPU times from /proc/stat");
    }
    m->interval_s = interval_s;
    m->fn = fn;
    m->user = user;
    m->region_max_threads = -1;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->wake, &ca);
    pthread_condattr_destroy(&ca);
    int err = pthread_create(&m->thread, NULL, sampler, m);
    if (err != 0) {
        pthread_cond_destroy(&m->wake);
        pthread_mutex_destroy(&m->mu);
        free(m);
        return mb_diag_set(d, MB_RUNTIME, "cannot start the monitor thread: %s", strerror(err));
    }
    *out = m;
    return MB_OK;
}

/* Opens a region: reads every CPU's counters now and starts tracking the
 * largest thread count. Call from one thread only, paired with
 * mb_monitor_end. */
void mb_monitor_begin(struct mb_monitor *m)
{
    m->region_start_ok = read_stat(m->region_buf, sizeof m->region_buf, &m->region_start);
    int threads = read_threads(m->region_buf, sizeof m->region_buf);
    pthread_mutex_lock(&m->mu);
    m->in_region = true;
    m->region_max_threads = threads;
    pthread_mutex_unlock(&m->mu);
}

/* Closes the region: each CPU's busy fraction between begin and now
 * (MB_MONITOR_MIN_TICKS at least, else NAN) and the largest thread count
 * seen by begin, the samples in between, and now. */
void mb_monitor_end(struct mb_monitor *m, struct mb_monitor_region *out)
{
    struct mb_cpustat now;
    bool ok = read_stat(m->region_buf, sizeof m->region_buf, &now);
    int threads = read_threads(m->region_buf, sizeof m->region_buf);
    out->ncpus = 0;
    if (ok && m->region_start_ok)
        mb_cpustat_busy(&m->region_start, &now, MB_MONITOR_MIN_TICKS, out->busy, &out->ncpus);
    pthread_mutex_lock(&m->mu);
    m->in_region = false;
    out->max_threads = m->region_max_threads > threads ? m->region_max_threads : threads;
    pthread_mutex_unlock(&m->mu);
}

/* Stops and joins the sampling thread and frees the monitor; reports how
 * many samples it took and the CPU time it used (either pointer may be
 * NULL). m may be NULL. */
void mb_monitor_stop(struct mb_monitor *m, size_t *samples, double *cpu_s)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
    if (samples != NULL)
        *samples = m->samples;
    if (cpu_s != NULL)
        *cpu_s = m->cpu_s;
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->mu);
    free(m);
}
