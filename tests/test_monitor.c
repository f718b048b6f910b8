/* The monitor: /proc/stat and /proc/self/status parsing on fixture text,
 * the busy-fraction arithmetic (CPUs that come and go, short regions), and
 * the sampling thread's region bookkeeping on the real /proc. */
#include <math.h>
#include <pthread.h>
#include <unistd.h>

#include "matbench/monitor.h"
#include "mb_test.h"

/* Two CPUs, as a 6.x kernel writes them, with the lines that follow. */
static const char stat_two[] = "cpu  300 10 100 5000 20 0 5 7 0 0\n"
                               "cpu0 100 0 50 2500 10 0 2 3 0 0\n"
                               "cpu1 200 10 50 2500 10 0 3 4 0 0\n"
                               "intr 2246123 0 0 1 5925 355\n"
                               "ctxt 5626070\n"
                               "btime 1700000000\n";

Test(procstat, parses_each_cpu_line_and_skips_the_total)
{
    struct mb_cpustat s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_procstat_parse(stat_two, &s, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(s.count, 2);
    cr_assert_eq(s.cpu[0].id, 0);
    /* busy = user + nice + system + irq + softirq; total adds idle, iowait, steal */
    cr_assert_eq(s.cpu[0].busy, 100 + 0 + 50 + 0 + 2);
    cr_assert_eq(s.cpu[0].total, 152 + 2500 + 10 + 3);
    cr_assert_eq(s.cpu[1].id, 1);
    cr_assert_eq(s.cpu[1].busy, 200 + 10 + 50 + 0 + 3);
    cr_assert_eq(s.cpu[1].total, 263 + 2500 + 10 + 4);
}

Test(procstat, guest_time_is_not_counted_twice)
{
    /* guest (9th) and guest_nice (10th) are already inside user and nice */
    struct mb_cpustat s;
    cr_assert_eq(mb_procstat_parse("cpu0 100 0 0 100 0 0 0 0 80 5\n", &s, NULL), MB_OK);
    cr_assert_eq(s.cpu[0].busy, 100);
    cr_assert_eq(s.cpu[0].total, 200);
}

Test(procstat, old_kernels_with_four_counters)
{
    struct mb_cpustat s;
    cr_assert_eq(mb_procstat_parse("cpu 5 0 5 90\ncpu0 5 0 5 90\n", &s, NULL), MB_OK);
    cr_assert_eq(s.count, 1);
    cr_assert_eq(s.cpu[0].busy, 10);
    cr_assert_eq(s.cpu[0].total, 100);
}

Test(procstat, offline_cpus_leave_gaps_in_the_ids)
{
    struct mb_cpustat s;
    cr_assert_eq(mb_procstat_parse("cpu0 1 0 1 8\ncpu2 2 0 2 6\ncpu7 3 0 3 4\n", &s, NULL), MB_OK);
    cr_assert_eq(s.count, 3);
    cr_assert_eq(s.cpu[1].id, 2);
    cr_assert_eq(s.cpu[2].id, 7);
}

Test(procstat, malformed_or_missing_lines_are_errors)
{
    struct mb_cpustat s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_procstat_parse("cpu0 1 2\n", &s, &d), MB_RUNTIME);
    cr_assert(strstr(d.msg, "cpu0") != NULL && strstr(d.msg, "2 counters") != NULL, "%s", d.msg);
    cr_assert_eq(mb_procstat_parse("cpu0 1 2 3 x4\n", &s, &d), MB_RUNTIME);
    cr_assert_eq(mb_procstat_parse("cpu  1 2 3 4\nintr 5\n", &s, &d), MB_RUNTIME);
    cr_assert(strstr(d.msg, "no per-CPU") != NULL, "%s", d.msg);
    cr_assert_eq(mb_procstat_parse("", &s, &d), MB_RUNTIME);
}

Test(procstat, ids_beyond_the_limit_are_skipped)
{
    char text[128];
    snprintf(text, sizeof text, "cpu0 1 0 1 8\ncpu%d 1 0 1 8\n", MB_MONITOR_MAX_CPUS);
    struct mb_cpustat s;
    cr_assert_eq(mb_procstat_parse(text, &s, NULL), MB_OK);
    cr_assert_eq(s.count, 1);
}

Test(procstat, thread_count_from_status)
{
    cr_assert_eq(mb_proc_threads_parse("Name:\tmatbench\nUmask:\t0022\nThreads:\t3\nSigQ:\t0/1\n"),
                 3);
    cr_assert_eq(mb_proc_threads_parse("Threads:\t17"), 17);
    cr_assert_eq(mb_proc_threads_parse("Name:\tx\n"), -1);
    cr_assert_eq(mb_proc_threads_parse("Threads:\tmany\n"), -1);
    cr_assert_eq(mb_proc_threads_parse(""), -1);
}

static void *wait_twice(void *arg)
{
    pthread_barrier_wait(arg);
    pthread_barrier_wait(arg);
    return NULL;
}

Test(procstat, thread_count_of_this_process_follows_its_threads)
{
    char buf[8192];
    slurp("/proc/self/status", buf, sizeof buf);
    int before = mb_proc_threads_parse(buf);
    cr_assert_geq(before, 1);
    pthread_t t;
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    cr_assert_eq(pthread_create(&t, NULL, wait_twice, &bar), 0);
    pthread_barrier_wait(&bar);
    slurp("/proc/self/status", buf, sizeof buf);
    cr_assert_eq(mb_proc_threads_parse(buf), before + 1);
    pthread_barrier_wait(&bar);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&bar);
}

static struct mb_cpustat stat_of(const char *text)
{
    struct mb_cpustat s;
    cr_assert_eq(mb_procstat_parse(text, &s, NULL), MB_OK, "%s", text);
    return s;
}

Test(busy, fraction_of_ticks_between_two_readings)
{
    struct mb_cpustat a = stat_of("cpu0 100 0 0 100\ncpu1 100 0 0 100\n");
    struct mb_cpustat b = stat_of("cpu0 199 0 0 101\ncpu1 102 0 0 198\n");
    double busy[MB_MONITOR_MAX_CPUS];
    size_t n;
    mb_cpustat_busy(&a, &b, 10, busy, &n);
    cr_assert_eq(n, 2);
    cr_assert_float_eq(busy[0], 0.99, 1e-12);
    cr_assert_float_eq(busy[1], 0.02, 1e-12);
    cr_assert_float_eq(mb_busy_sum(busy, n), 1.01, 1e-12);
}

Test(busy, cpus_that_come_and_go_are_unknown)
{
    /* cpu1 goes offline, cpu3 comes online; cpu2 is absent throughout */
    struct mb_cpustat a = stat_of("cpu0 0 0 0 0\ncpu1 0 0 0 0\n");
    struct mb_cpustat b = stat_of("cpu0 50 0 0 50\ncpu3 50 0 0 50\n");
    double busy[MB_MONITOR_MAX_CPUS];
    size_t n;
    mb_cpustat_busy(&a, &b, 10, busy, &n);
    cr_assert_eq(n, 4);
    cr_assert_float_eq(busy[0], 0.5, 1e-12);
    cr_assert(isnan(busy[1]) && isnan(busy[2]) && isnan(busy[3]));
    cr_assert_float_eq(mb_busy_sum(busy, n), 0.5, 1e-12);
}

Test(busy, too_few_ticks_or_counters_going_back_are_unknown)
{
    struct mb_cpustat a = stat_of("cpu0 10 0 0 10\ncpu1 10 0 0 10\ncpu2 10 0 0 10\n");
    struct mb_cpustat b = stat_of("cpu0 14 0 0 15\ncpu1 5 0 0 100\ncpu2 10 0 0 10\n");
    double busy[MB_MONITOR_MAX_CPUS];
    size_t n;
    mb_cpustat_busy(&a, &b, 10, busy, &n);
    cr_assert(isnan(busy[0]), "9 ticks < 10");
    cr_assert(isnan(busy[1]), "busy went backwards");
    cr_assert(isnan(busy[2]), "no ticks at all");
    cr_assert(isnan(mb_busy_sum(busy, n)));
    mb_cpustat_busy(&a, &b, 1, busy, &n);
    cr_assert_float_eq(busy[0], 4.0 / 9.0, 1e-12);
}

Test(busy, rounding_never_exceeds_one)
{
    /* busy may run ahead of total by a tick between the two counters' reads */
    struct mb_cpustat a = stat_of("cpu0 0 0 0 0\n");
    struct mb_cpustat b = stat_of("cpu0 21 0 0 0\n");
    double busy[MB_MONITOR_MAX_CPUS];
    size_t n;
    b.cpu[0].total = 20;
    mb_cpustat_busy(&a, &b, 10, busy, &n);
    cr_assert_float_eq(busy[0], 1.0, 0);
}

struct seen {
    pthread_mutex_t mu;
    size_t calls, ncpus;
    int threads;
    bool in_range;
};

static void on_sample(const struct mb_monitor_sample *s, void *user)
{
    struct seen *v = user;
    pthread_mutex_lock(&v->mu);
    v->calls++;
    v->ncpus = s->ncpus;
    v->threads = s->threads;
    for (size_t i = 0; i < s->ncpus; i++)
        if (!isnan(s->busy[i]) && (s->busy[i] < 0 || s->busy[i] > 1))
            v->in_range = false;
    pthread_mutex_unlock(&v->mu);
}

Test(sampler, regions_carry_every_cpu_and_the_thread_count)
{
    struct seen v = {.in_range = true};
    pthread_mutex_init(&v.mu, NULL);
    struct mb_monitor *m;
    struct mb_diag d = {0};
    cr_assert_eq(mb_monitor_start(0.01, on_sample, &v, &m, &d), MB_OK, "%s", d.msg);
    mb_monitor_begin(m);
    /* Busy work until the sampler has called back a few times (it counts
     * samples, not seconds, so a slow machine only takes longer). */
    volatile double x = 0;
    for (;;) {
        for (int i = 0; i < 100000; i++)
            x += 1e-9 * i;
        pthread_mutex_lock(&v.mu);
        size_t calls = v.calls;
        pthread_mutex_unlock(&v.mu);
        if (calls >= 3)
            break;
    }
    struct mb_monitor_region r;
    mb_monitor_end(m, &r);
    size_t samples;
    double cpu_s;
    mb_monitor_stop(m, &samples, &cpu_s);

    long online = sysconf(_SC_NPROCESSORS_ONLN);
    cr_assert_geq(r.ncpus, (size_t)online, "ncpus %zu, online %ld", r.ncpus, online);
    cr_assert_eq(v.ncpus, r.ncpus);
    cr_assert(v.in_range);
    cr_assert_geq(samples, 3);
    cr_assert(cpu_s >= 0 && isfinite(cpu_s));
    /* this thread and the sampler, at least */
    cr_assert_geq(r.max_threads, 2);
    cr_assert_geq(v.threads, 2);
    for (size_t i = 0; i < r.ncpus; i++)
        cr_assert(isnan(r.busy[i]) || (r.busy[i] >= 0 && r.busy[i] <= 1), "cpu%zu %g", i,
                  r.busy[i]);
    pthread_mutex_destroy(&v.mu);
}

Test(sampler, bad_interval_is_refused_and_nothing_starts)
{
    struct mb_monitor *m = (struct mb_monitor *)&m;
    struct mb_diag d = {0};
    cr_assert_eq(mb_monitor_start(0, NULL, NULL, &m, &d), MB_USAGE);
    cr_assert_null(m);
    cr_assert(strstr(d.msg, "0.001..10") != NULL, "%s", d.msg);
    mb_monitor_stop(NULL, NULL, NULL); /* harmless */
}
