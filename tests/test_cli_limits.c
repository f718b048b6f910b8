/* CPU limits seen by the binary: under `taskset -c CPU` (one CPU of those
 * this test may use) matbench says 1 usable core, sweeps 1 thread by
 * default, measures the peak on 1 core, and names a second thread as
 * oversubscribed; without taskset its usable CPUs are this test's. Every
 * expectation comes from sched_getaffinity here, never from a constant, so
 * the suite holds on one CPU and on 64 cores, and under a taskset of its
 * own. */
#define _GNU_SOURCE /* CPU_COUNT, sched_setaffinity */
#include <jansson.h>
#include <sched.h>

#include "matbench/cli.h"
#include "mb_test.h"

static cpu_set_t allowed;
static int first_cpu; /* the first CPU this test may run on */
static int ncpus;

static void find_cpus(void)
{
    CPU_ZERO(&allowed);
    cr_assert_eq(sched_getaffinity(0, sizeof allowed, &allowed), 0);
    ncpus = CPU_COUNT(&allowed);
    for (first_cpu = 0; first_cpu < CPU_SETSIZE && !CPU_ISSET(first_cpu, &allowed); first_cpu++)
        ;
    cr_assert_lt(first_cpu, CPU_SETSIZE);
}

TestSuite(cli_limits, .init = find_cpus);

static void need_taskset(void)
{
    if (system("command -v taskset >/dev/null 2>&1") != 0)
        cr_skip_test("taskset is not installed (it is in util-linux)");
}

/* matbench ARGS under taskset -c FIRST_CPU. */
static void run_pinned(struct run *r, const char *args)
{
    char env[64];
    snprintf(env, sizeof env, "taskset -c %d", first_cpu);
    run_matbench(r, env, args); /* env ... taskset -c N matbench ARGS */
}

static json_t *parse(const struct run *r)
{
    json_error_t err;
    json_t *root = json_loads(r->out, 0, &err);
    cr_assert_not_null(root, "JSON: %s\n%s", err.text, r->out);
    return root;
}

static long long machine_int(json_t *root, const char *key)
{
    json_t *v = json_object_get(json_object_get(root, "machine"), key);
    cr_assert(json_is_integer(v), "machine.%s is an integer", key);
    return json_integer_value(v);
}

static bool limited_by(json_t *root, const char *what)
{
    json_t *by = json_object_get(json_object_get(root, "machine"), "usable_limited_by");
    cr_assert(json_is_array(by), "machine.usable_limited_by is an array");
    size_t i;
    json_t *x;
    json_array_foreach(by, i, x) if (strcmp(json_string_value(x), what) == 0) return true;
    return false;
}

Test(cli_limits, info_counts_the_cpus_this_process_may_use)
{
    struct run r;
    run_matbench(&r, "", "info --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    /* the kernel keeps the affinity mask within the cgroup cpuset */
    cr_assert_eq(machine_int(root, "usable_cpus"), ncpus);
    long long cores = machine_int(root, "usable_cores");
    cr_assert_geq(cores, 1);
    cr_assert_leq(cores, machine_int(root, "physical_cores"));
    cr_assert_leq(cores, ncpus);
    json_t *m = json_object_get(root, "machine");
    cr_assert(json_is_string(json_object_get(m, "usable_cpu_list")));
    json_t *q = json_object_get(m, "usable_quota");
    cr_assert(json_is_null(q) || json_number_value(q) > 0, "a quota in CPUs, or null");
    json_decref(root);
}

Test(cli_limits, under_taskset_one_cpu_is_usable_and_the_machine_stays_the_machine)
{
    need_taskset();
    struct run whole, pinned;
    run_matbench(&whole, "", "info --format json");
    run_pinned(&pinned, "info --format json");
    cr_assert_eq(pinned.code, 0, "%s", pinned.err);
    json_t *w = parse(&whole), *p = parse(&pinned);
    cr_assert_eq(machine_int(p, "usable_cores"), 1);
    cr_assert_eq(machine_int(p, "usable_cpus"), 1);
    char cpu[16];
    snprintf(cpu, sizeof cpu, "%d", first_cpu);
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(p, "machine"), "usable_cpu_list")), cpu);
    cr_assert_eq(machine_int(p, "physical_cores"), machine_int(w, "physical_cores"));
    cr_assert_eq(machine_int(p, "logical_cores"), machine_int(w, "logical_cores"));
    /* on a one-CPU machine the one CPU is the whole machine: nothing limits */
    cr_assert_eq(limited_by(p, "affinity") || limited_by(p, "cpuset"),
                 machine_int(w, "logical_cores") > 1);
    json_decref(w);
    json_decref(p);
}

Test(cli_limits, under_taskset_the_text_says_what_limits_it)
{
    need_taskset();
    struct run info, json;
    run_pinned(&info, "info");
    run_pinned(&json, "info --format json");
    cr_assert_eq(info.code, 0, "%s", info.err);
    json_t *root = parse(&json);
    if (machine_int(root, "logical_cores") > 1) {
        char want[96];
        snprintf(want, sizeof want, "; 1 usable by this process (affinity: CPU %d)\n", first_cpu);
        cr_assert_not_null(strstr(info.out, want), "info says %s:\n%s", want, info.out);
        snprintf(want, sizeof want, "%lld physical cores;", machine_int(root, "physical_cores"));
        cr_assert_not_null(strstr(info.out, want), "and the machine's cores:\n%s", info.out);
    } else {
        cr_assert_null(strstr(info.out, "usable by this process"), "%s", info.out);
    }
    json_decref(root);
}

Test(cli_limits, under_taskset_the_default_sweep_is_one_thread)
{
    need_taskset();
    struct run r;
    run_pinned(&r, "64 --kernels dgemm --no-peak --repeat 1 --warmup 0 --format json --quiet");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    json_t *threads = json_object_get(json_object_get(root, "settings"), "threads");
    cr_assert_eq(json_array_size(threads), 1, "one thread count");
    cr_assert_eq(json_integer_value(json_array_get(threads, 0)), 1);
    json_t *results = json_object_get(root, "results");
    cr_assert_eq(json_array_size(results), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(results, 0), "threads")), 1);
    json_decref(root);
}

Test(cli_limits, under_taskset_cores_in_a_thread_list_is_the_usable_one)
{
    need_taskset();
    struct run r;
    run_pinned(&r, "64 --kernels dgemm --no-peak --repeat 1 --warmup 0 --threads max,2*cores "
                   "--format json --quiet");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    json_t *threads = json_object_get(json_object_get(root, "settings"), "threads");
    cr_assert_eq(json_array_size(threads), 2);
    cr_assert_eq(json_integer_value(json_array_get(threads, 0)), 1, "max is 1");
    cr_assert_eq(json_integer_value(json_array_get(threads, 1)), 2, "2*cores is 2");
    json_decref(root);
}

Test(cli_limits, under_taskset_two_threads_are_named_oversubscribed)
{
    need_taskset();
    struct run r;
    run_pinned(&r, "64 --kernels dgemm --no-peak --repeat 1 --warmup 0 --threads 2 --quiet");
    cr_assert_eq(r.code, 0, "a thread count above the usable cores is allowed: %s", r.err);
    cr_assert_not_null(strstr(r.out, "2 threads on 1 usable CPU: oversubscribed"), "%s", r.out);
}

Test(cli_limits, under_taskset_the_peak_runs_on_one_core)
{
    need_taskset();
    struct run r;
    run_pinned(&r, "peak --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(root, "peak"), "cores")), 1);
    json_decref(root);
}

/* ---- in this process, pinned to one CPU -------------------------------- */

/* mb_cli_parse on "matbench ARGS..." after pinning this test's process
 * (Criterion runs each test in a process of its own) to its first CPU. */
static void parse_pinned(struct mb_options *o, const char **args)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first_cpu, &one);
    cr_assert_eq(sched_setaffinity(0, sizeof one, &one), 0);
    char *argv[16] = {"matbench"};
    int argc = 1;
    for (; args[argc - 1] != NULL; argc++) {
        cr_assert_lt(argc, 15);
        argv[argc] = (char *)args[argc - 1];
    }
    argv[argc] = NULL;
    unsetenv("OPENBLAS_NUM_THREADS");
    struct mb_diag d = {0};
    cr_assert_eq(mb_cli_parse(argc, argv, o, &d), MB_OK, "%s", d.msg);
}

Test(cli_limits, pinned_the_ladder_runs_at_one_thread_only)
{
    struct mb_options o;
    parse_pinned(&o, (const char *[]){"48", "--kernels", "ladder", NULL});
    cr_assert_eq(o.machine.usable_cores, 1);
    cr_assert_eq(o.plan.threads.n, 1, "1 and the usable cores are one count");
    cr_assert_eq(o.plan.threads.v[0], 1);
}

Test(cli_limits, pinned_the_default_sweep_is_one_thread)
{
    struct mb_options o;
    parse_pinned(&o, (const char *[]){"48", "--kernels", "dgemm", NULL});
    cr_assert_eq(o.plan.threads.n, 1);
    cr_assert_eq(o.plan.threads.v[0], 1);
    cr_assert_geq(o.machine.physical_cores, 1, "the machine's count is kept");
}
