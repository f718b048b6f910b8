/* cli, the cores: matbench peak, the per-CPU and peak figures a run
 * reports, and the flags that switch them off (--no-monitor, --no-peak,
 * --live off a terminal). The real binary, as a user runs it; shapes and
 * messages, never timings. */
#include <jansson.h>
#include <unistd.h>

#include "matbench/coretype.h"
#include "matbench/peak.h"
#include "mb_test.h"

static json_t *parse(const struct run *r)
{
    json_error_t err;
    json_t *root = json_loads(r->out, 0, &err);
    cr_assert_not_null(root, "JSON: %s\n%s\nstderr: %s", err.text, r->out, r->err);
    return root;
}

static const char *widest_isa(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return "avx512";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "avx2+fma";
    return "sse2";
}

Test(peak_cmd, json_names_the_widest_isa_and_every_one_measured)
{
    struct run r;
    run_matbench(&r, "", "peak --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    json_t *pk = json_object_get(root, "peak");
    cr_assert_str_eq(json_string_value(json_object_get(pk, "isa")), widest_isa());
    cr_assert_gt(json_number_value(json_object_get(pk, "per_core_gflops")), 0);
    cr_assert_gt(json_number_value(json_object_get(pk, "all_cores_gflops")), 0);
    /* the all-cores figure runs a thread on each core this process may use:
     * every physical core, or fewer under taskset, a cpuset or a CPU quota */
    json_int_t cores = json_integer_value(json_object_get(pk, "cores"));
    json_t *usable = json_object_get(json_object_get(root, "machine"), "usable_cores");
    if (usable != NULL)
        cr_assert_eq(cores, json_integer_value(usable), "the usable cores");
    cr_assert_geq(cores, 1);
    cr_assert_leq(cores, json_integer_value(
                             json_object_get(json_object_get(root, "machine"), "physical_cores")));
    json_t *isas = json_object_get(root, "isas");
    cr_assert_geq(json_array_size(isas), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(isas, 0), "isa")),
                     widest_isa());
    json_t *last = json_array_get(isas, json_array_size(isas) - 1);
    cr_assert_str_eq(json_string_value(json_object_get(last, "isa")), "sse2");
    cr_assert_eq(json_integer_value(json_object_get(last, "flops_per_instruction")), 2);
    cr_assert_eq(json_integer_value(json_object_get(last, "lanes")), 2);
    json_decref(root);
}

Test(peak_cmd, table_lists_the_isas)
{
    struct run r;
    run_matbench(&r, "", "peak");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "one core GFLOP/s") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\nsse2 ") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "<- runs compare with this one") != NULL, "%s", r.out);
    cr_assert_str_eq(r.err, "", "nothing on stderr off a terminal");
}

Test(peak_cmd, refuses_other_formats_and_arguments)
{
    struct run r;
    run_matbench(&r, "", "peak --format csv");
    cr_assert_eq(r.code, 2);
    cr_assert_str_eq(r.err, "matbench: format: 'csv' is not available for peak (table, json)\n");
    run_matbench(&r, "", "peak 100");
    cr_assert_eq(r.code, 2);
    cr_assert_str_eq(r.err, "matbench: unexpected argument '100' (see matbench --help)\n");
    cr_assert_str_eq(r.out, "");
}

Test(run_cores, json_results_carry_the_monitor_and_the_peak)
{
    struct run r;
    run_matbench(&r, "", "64 --kernels naive,dgemm --threads 1 --format json --quiet");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    json_t *pk = json_object_get(root, "peak");
    cr_assert(json_is_object(pk));
    cr_assert_str_eq(json_string_value(json_object_get(pk, "isa")), widest_isa());
    json_t *mon = json_object_get(root, "monitor");
    cr_assert(json_is_object(mon));
    cr_assert_float_eq(json_number_value(json_object_get(mon, "interval_s")), 0.1, 1e-12);
    cr_assert(json_is_integer(json_object_get(mon, "samples")));
    json_t *rs = json_object_get(root, "results");
    cr_assert_eq(json_array_size(rs), 2);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    for (size_t i = 0; i < 2; i++) {
        json_t *x = json_array_get(rs, i);
        json_t *busy = json_object_get(x, "per_core_busy");
        cr_assert(json_is_array(busy));
        cr_assert_geq(json_array_size(busy), (size_t)online);
        for (size_t c = 0; c < json_array_size(busy); c++) {
            json_t *b = json_array_get(busy, c);
            /* a region this short is below /proc/stat's resolution: null is honest */
            cr_assert(json_is_null(b) || (json_number_value(b) >= 0 && json_number_value(b) <= 1));
        }
        /* this thread and the monitor's, at least */
        cr_assert_geq(json_integer_value(json_object_get(x, "max_threads_seen")), 2);
        /* One thread's peak is the per-core figure capped at the all-cores
         * one (mb_peak_for_threads), recomputed here from the figures the
         * JSON reports. Not simply per_core_gflops: when the all-cores
         * round had fewer CPUs than threads (taskset -c 0, a CPU quota, or
         * a busy machine) it measures about one core and, by noise, may
         * come out below the per-core figure. */
        double gflops = json_number_value(json_object_get(x, "gflops"));
        double frac = json_number_value(json_object_get(x, "peak_fraction"));
        const struct mb_peak measured = {
            .per_core_gflops = json_number_value(json_object_get(pk, "per_core_gflops")),
            .all_cores_gflops = json_number_value(json_object_get(pk, "all_cores_gflops")),
            .cores = (int)json_integer_value(json_object_get(pk, "cores"))};
        double peak = mb_peak_for_threads(&measured, 1);
        cr_assert(peak > 0, "a measured peak: %s", r.out);
        cr_assert_float_eq(frac, gflops / peak, 1e-9 * frac, "one thread: %g of %g GFLOP/s", gflops,
                           peak);
    }
    json_t *settings = json_object_get(root, "settings");
    cr_assert(json_is_true(json_object_get(settings, "monitor")));
    cr_assert(json_is_true(json_object_get(settings, "peak")));
    cr_assert(json_is_false(json_object_get(settings, "live")));
    json_decref(root);
}

Test(run_cores, no_monitor_and_no_peak_leave_nulls)
{
    struct run r;
    run_matbench(&r, "",
                 "32 --kernels dgemm --threads 1 --format json --quiet --no-monitor --no-peak");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    cr_assert(json_is_null(json_object_get(root, "peak")));
    cr_assert(json_is_null(json_object_get(root, "monitor")));
    json_t *x = json_array_get(json_object_get(root, "results"), 0);
    cr_assert(json_is_null(json_object_get(x, "per_core_busy")));
    cr_assert(json_is_null(json_object_get(x, "max_threads_seen")));
    cr_assert(json_is_null(json_object_get(x, "peak_fraction")));
    json_t *settings = json_object_get(root, "settings");
    cr_assert(json_is_false(json_object_get(settings, "monitor")));
    cr_assert(json_is_false(json_object_get(settings, "peak")));
    json_decref(root);
}

Test(run_cores, the_flags_work_from_a_config_file)
{
    char ini[64];
    write_temp(ini, sizeof ini, "/tmp/mb_cores_ini",
               "[run]\nno-peak = true\nno-monitor = yes\n[output]\nlive = true\n");
    char args[256];
    snprintf(args, sizeof args, "16 --kernels dgemm --threads 1 --format json --quiet --config %s",
             ini);
    struct run r;
    run_matbench(&r, "", args);
    unlink(ini);
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    json_t *settings = json_object_get(root, "settings");
    cr_assert(json_is_false(json_object_get(settings, "peak")));
    cr_assert(json_is_false(json_object_get(settings, "monitor")));
    cr_assert(json_is_true(json_object_get(settings, "live")));
    json_decref(root);
}

Test(run_cores, a_bad_flag_value_in_a_config_names_it)
{
    char ini[64];
    write_temp(ini, sizeof ini, "/tmp/mb_cores_ini", "[output]\nlive = sometimes\n");
    char args[128];
    snprintf(args, sizeof args, "16 --config %s", ini);
    struct run r;
    run_matbench(&r, "", args);
    unlink(ini);
    cr_assert_eq(r.code, 2);
    cr_assert(strstr(r.err, ":2: live: 'sometimes'") != NULL, "%s", r.err);
    cr_assert_str_eq(r.out, "");
}

Test(run_cores, live_off_a_terminal_draws_nothing)
{
    struct run r;
    run_matbench(&r, "", "64 --kernels dgemm --threads 1 --live --no-peak --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_null(strchr(r.err, '\033'), "no escape sequences off a terminal: %s", r.err);
    cr_assert_null(strstr(r.err, "cpu0 ["), "%s", r.err);
    cr_assert(strstr(r.out, "kernel,n,threads,") == r.out, "%s", r.out);
}

Test(run_cores, header_states_the_peak_unless_skipped)
{
    struct run r;
    run_matbench(&r, "", "16 --kernels dgemm --threads 1");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\nPeak      ") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, " FMA, measured: ") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "of peak") != NULL && strstr(r.out, "busy per CPU %") != NULL, "%s",
              r.out);
    run_matbench(&r, "", "16 --kernels dgemm --threads 1 --no-peak");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "\nPeak      "), "%s", r.out);
}

Test(run_cores, info_shows_caches_and_smt)
{
    struct run r;
    run_matbench(&r, "", "info --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    json_t *m = json_object_get(root, "machine");
    cr_assert(json_is_integer(json_object_get(m, "smt")));
    cr_assert_geq(json_integer_value(json_object_get(m, "smt")), 1);
    json_t *caches = json_object_get(m, "caches");
    cr_assert(json_is_object(caches));
    static const char *const levels[] = {"l1d", "l2", "l3"};
    for (size_t i = 0; i < 3; i++) {
        json_t *c = json_object_get(caches, levels[i]);
        cr_assert(json_is_null(c) || (json_integer_value(json_object_get(c, "bytes")) > 0 &&
                                      json_integer_value(json_object_get(c, "count")) > 0),
                  "%s", levels[i]);
    }
    json_decref(root);
    run_matbench(&r, "", "info");
    cr_assert(strstr(r.out, "caches: L1d ") != NULL, "%s", r.out);
}

/* ---- core types ---------------------------------------------------------- */

Test(coretype_flag, unknown_or_unsafe_names_are_refused_before_anything_runs)
{
    struct run r;
    run_matbench(&r, "", "64 --coretype Pentium9");
    cr_assert_eq(r.code, 2);
    cr_assert(strstr(r.err, "matbench: coretype: 'Pentium9' is not an OpenBLAS core type this CPU "
                            "can run (Prescott, ") == r.err,
              "%s", r.err);
    cr_assert(strstr(r.err, ", or best)\n") != NULL, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    __builtin_cpu_init();
    if (__builtin_cpu_supports("fma4"))
        cr_skip_test("this CPU has FMA4, so Bulldozer is safe here");
    run_matbench(&r, "", "64 --coretype bulldozer");
    cr_assert_eq(r.code, 2);
    cr_assert_str_eq(r.err, "matbench: coretype: 'Bulldozer' needs fma4, which this CPU does not "
                            "have (see matbench coretypes)\n");
}

Test(coretype_flag, reruns_under_the_core_type_and_says_so)
{
    struct run r;
    run_matbench(&r, "OPENBLAS_CORETYPE=Prescott",
                 "32 --kernels dgemm --threads 1 --no-peak --coretype haswell --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "blas"), "core")),
                     "Haswell");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(root, "settings"), "coretype")),
        "Haswell");
    json_decref(root);
    cr_assert(strstr(r.err, "core type Haswell forced (--coretype Haswell; without it OpenBLAS "
                            "used Prescott)") != NULL,
              "the header on stderr: %s", r.err);
}

Test(coretype_flag, from_a_config_file)
{
    char ini[64];
    write_temp(ini, sizeof ini, "/tmp/mb_cores_ini", "[run]\ncoretype = Haswell\n");
    char args[160];
    snprintf(args, sizeof args,
             "16 --kernels dgemm --threads 1 --no-peak --quiet --format json "
             "--config %s",
             ini);
    struct run r;
    run_matbench(&r, "", args);
    unlink(ini);
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "blas"), "core")),
                     "Haswell");
    json_decref(root);
}

Test(coretype_hint, a_narrower_core_type_than_the_cpu_gets_the_command_to_try)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f"))
        cr_skip_test("the hint needs a CPU wider than Haswell's AVX2");
    struct run r;
    run_matbench(&r, "OPENBLAS_CORETYPE=Haswell", "32 --kernels dgemm --threads 1 --no-peak");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\nHint: OPENBLAS_CORETYPE=Haswell in the environment makes OpenBLAS "
                            "use its Haswell kernels (avx2) but this CPU has avx512; try  "
                            "matbench 32 --coretype SkylakeX  (compare them all: matbench "
                            "coretypes 32)\n") != NULL,
              "%s", r.out);
    /* CSV keeps stdout for data: the hint goes to stderr, and --quiet drops it */
    run_matbench(&r, "OPENBLAS_CORETYPE=Haswell",
                 "32 --kernels dgemm --threads 1 --no-peak --format csv");
    cr_assert_null(strstr(r.out, "Hint"), "%s", r.out);
    cr_assert(strstr(r.err, "Hint: ") != NULL, "%s", r.err);
    run_matbench(&r, "OPENBLAS_CORETYPE=Haswell",
                 "32 --kernels dgemm --threads 1 --no-peak --format csv --quiet");
    cr_assert_str_eq(r.err, "");
    /* a core type as wide as the CPU: no hint */
    run_matbench(&r, "OPENBLAS_CORETYPE=SkylakeX", "32 --kernels dgemm --threads 1 --no-peak");
    cr_assert_null(strstr(r.out, "Hint"), "%s", r.out);
}

Test(coretypes_cmd, refuses_bad_sizes_and_formats)
{
    struct run r;
    run_matbench(&r, "", "coretypes 0");
    cr_assert_eq(r.code, 2);
    cr_assert(strstr(r.err, "N: '0'") != NULL, "%s", r.err);
    run_matbench(&r, "", "coretypes 64 --format csv");
    cr_assert_eq(r.code, 2);
    cr_assert_str_eq(r.err,
                     "matbench: format: 'csv' is not available for coretypes (table, json)\n");
    run_matbench(&r, "", "coretypes 64 65");
    cr_assert_eq(r.code, 2);
    cr_assert_str_eq(r.err, "matbench: unexpected argument '65' (see matbench --help)\n");
}

Test(coretypes_cmd, tries_every_safe_core_type_in_a_child, .timeout = 240)
{
    struct run r;
    run_matbench(&r, "OPENBLAS_CORETYPE=Haswell", "coretypes 48 --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(root, "in_use")), "Haswell");
    cr_assert_str_eq(json_string_value(json_object_get(root, "env_coretype")), "Haswell");
    cr_assert(json_is_false(json_object_get(root, "interrupted")), "a complete list");
    json_t *rows = json_object_get(root, "coretypes");
    cr_assert_eq(json_array_size(rows), mb_coretype_count());
    size_t tried = 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        const struct mb_coretype *ct = mb_coretype_at(i);
        cr_assert_str_eq(json_string_value(json_object_get(row, "name")), ct->name);
        const char *missing = mb_coretype_missing(ct, NULL);
        cr_assert_eq(json_is_true(json_object_get(row, "tried")), missing == NULL, "%s", ct->name);
        if (missing != NULL) {
            cr_assert_str_eq(json_string_value(json_object_get(row, "missing")), missing);
            cr_assert(json_is_null(json_object_get(row, "gflops")));
            continue;
        }
        tried++;
        cr_assert(json_is_true(json_object_get(row, "ok")), "%s: %s", ct->name,
                  json_string_value(json_object_get(row, "error")));
        cr_assert_gt(json_number_value(json_object_get(row, "gflops")), 0);
        cr_assert(json_is_string(json_object_get(row, "core")));
    }
    cr_assert_gt(tried, 0);
    cr_assert(json_is_string(json_object_get(root, "best")));
    json_decref(root);
}
