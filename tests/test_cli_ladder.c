/* cli, ladder: the real binary listing its kernels (matbench kernels) and
 * running the hand-written ladder as a user does: --kernels ladder, the
 * ladder table, the processes naive-procs ran in, threads and processes in
 * JSON. Tiny matrices, one repetition; shapes and words, never timings. */
#include <jansson.h>
#include <unistd.h>

#include "mb_test.h"

#define QUICK "--repeat 1 --warmup 0 --min-time 0 --no-peak --naive-budget 0"

static json_t *parse(const struct run *r)
{
    json_error_t err;
    json_t *root = json_loads(r->out, 0, &err);
    cr_assert_not_null(root, "JSON: %s\n%s\nstderr: %s", err.text, r->out, r->err);
    return root;
}

Test(cli_ladder, kernels_lists_every_kernel_with_what_it_runs_on)
{
    struct run r;
    run_matbench(&r, "", "kernels");
    cr_assert_eq(r.code, 0, "%s", r.err);
    static const char *const expect[][2] = {
        {"naive ", "one core"},
        {"naive-threads", "threads"},
        {"naive-procs", "processes"},
        {"ikj", "one core"},
        {"tiled ", "one core"},
        {"tiled-threads", "threads"},
        {"dgemm", "BLAS threads"},
        {"dgetrf", "LAPACK on BLAS threads"},
        {"dgeqrf", "4n^3/3 + 2n^2 + 14n/3"},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        const char *line = strstr(r.out, expect[i][0]);
        cr_assert_not_null(line, "lists %s:\n%s", expect[i][0], r.out);
        const char *eol = strchr(line, '\n');
        cr_assert(strstr(line, expect[i][1]) != NULL && strstr(line, expect[i][1]) < eol,
                  "%s runs on %s:\n%s", expect[i][0], expect[i][1], r.out);
    }
    cr_assert(strstr(r.out, "C has no GIL") != NULL, "with the lessons:\n%s", r.out);
}

Test(cli_ladder, kernels_in_json_carry_the_traits)
{
    struct run r;
    run_matbench(&r, "", "kernels --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    json_t *list = json_object_get(root, "kernels");
    cr_assert(json_array_size(list) >= 11, "every kernel");
    size_t i;
    json_t *k;
    bool saw_procs = false;
    json_array_foreach(list, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "name"));
        cr_assert_not_null(name);
        cr_assert_not_null(json_string_value(json_object_get(k, "lesson")), "%s", name);
        cr_assert_not_null(json_string_value(json_object_get(k, "flops")), "%s", name);
        if (strcmp(name, "naive-procs") == 0) {
            saw_procs = true;
            cr_assert(json_is_true(json_object_get(k, "processes")));
            cr_assert(json_is_true(json_object_get(k, "threads")), "runs at each count");
            cr_assert(json_is_false(json_object_get(k, "blas")));
        }
        if (strcmp(name, "naive") == 0)
            cr_assert(json_is_false(json_object_get(k, "threads")));
    }
    cr_assert(saw_procs);
    json_decref(root);
}

Test(cli_ladder, kernels_takes_no_size_and_no_csv)
{
    struct run r;
    run_matbench(&r, "", "kernels 100");
    cr_assert_eq(r.code, 2, "%s", r.out);
    cr_assert(strstr(r.err, "'100'") != NULL, "%s", r.err);
    run_matbench(&r, "", "kernels --format csv");
    cr_assert_eq(r.code, 2);
    cr_assert(strstr(r.err, "csv") != NULL, "%s", r.err);
}

Test(cli_ladder, the_ladder_runs_every_step_at_one_and_all_threads)
{
    struct run r;
    run_matbench(&r, "", "48 --kernels ladder " QUICK " --format json --quiet");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    json_t *threads = json_object_get(json_object_get(root, "settings"), "threads");
    cr_assert_eq(json_integer_value(json_array_get(threads, 0)), 1, "1 thread first");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(root, "settings"), "threads_source")),
        "ladder", "1 and the physical cores, the ladder's default");
    json_t *results = json_object_get(root, "results");
    size_t i;
    json_t *x;
    size_t procs = 0;
    json_array_foreach(results, i, x)
    {
        const char *name = json_string_value(json_object_get(x, "kernel"));
        cr_assert(json_is_true(json_object_get(x, "verified")), "%s verified", name);
        cr_assert(json_is_number(json_object_get(x, "speedup_vs_naive")),
                  "%s computes the naive loop's product", name);
        json_t *pids = json_object_get(x, "pids");
        if (strcmp(name, "naive-procs") == 0) {
            procs++;
            cr_assert_eq(json_array_size(pids),
                         (size_t)json_integer_value(json_object_get(x, "threads")),
                         "a process per worker");
            cr_assert_neq(json_integer_value(json_array_get(pids, 0)), (json_int_t)getpid());
        } else {
            cr_assert_null(pids, "%s ran in no child process", name);
        }
    }
    cr_assert_eq(procs, json_array_size(threads), "naive-procs at each thread count");
    json_decref(root);
}

Test(cli_ladder, the_table_shows_the_ladder_the_processes_and_the_lesson)
{
    struct run r;
    run_matbench(&r, "", "48 --kernels ladder --threads 1,2 " QUICK);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "The ladder at n = 48") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "x previous") && strstr(r.out, "of dgemm"), "%s", r.out);
    cr_assert(strstr(r.out, "naive-procs n=48 threads=2 ran in processes") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "No GIL in C: on 2 workers") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "On one core: ikj") != NULL, "%s", r.out);
}

Test(cli_ladder, two_kernels_are_not_a_ladder)
{
    struct run r;
    run_matbench(&r, "", "48 --kernels naive,dgemm --threads 1 " QUICK);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "The ladder"), "%s", r.out);
}

Test(cli_ladder, slow_kernels_are_time_boxed_and_estimated)
{
    struct run r;
    /* a budget far below one pass at n = 600: one row block, then stop */
    run_matbench(&r, "",
                 "600 --kernels naive-threads,naive-procs,ikj --threads 2 --repeat 1 --warmup 0 "
                 "--no-peak --naive-budget 0.000001 --format json --quiet");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = parse(&r);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(root, "results"), i, x)
    {
        const char *name = json_string_value(json_object_get(x, "kernel"));
        json_int_t rows = json_integer_value(json_object_get(x, "rows_done"));
        cr_assert(rows >= 1 && rows < 600, "%s stopped early: %lld rows", name, (long long)rows);
        cr_assert(json_is_true(json_object_get(x, "estimated")), "%s is an estimate", name);
        cr_assert(json_is_true(json_object_get(x, "verified")), "%s's rows are checked", name);
    }
    json_decref(root);
}
