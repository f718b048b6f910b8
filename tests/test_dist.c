/* matbench-mpi's MPI-free part: the grid, the block size, the kernel list,
 * the local extents the memory check uses (ScaLAPACK's numroc), and the
 * report of hand-built rows in its formats. */
#define _GNU_SOURCE /* open_memstream */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/dist.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

Test(dist, the_default_grid_is_the_squarest_with_p_at_most_q)
{
    static const struct {
        int ranks, p, q;
    } cases[] = {{1, 1, 1}, {2, 1, 2},  {3, 1, 3},  {4, 2, 2}, {6, 2, 3}, {8, 2, 4},
                 {9, 3, 3}, {12, 3, 4}, {16, 4, 4}, {7, 1, 7}, {18, 3, 6}};
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct mb_dist_grid g = mb_dist_default_grid(cases[i].ranks);
        cr_expect(g.p == cases[i].p && g.q == cases[i].q, "%d ranks: %dx%d, want %dx%d",
                  cases[i].ranks, g.p, g.q, cases[i].p, cases[i].q);
        cr_expect_eq(mb_dist_check_grid(g, cases[i].ranks, NULL), MB_OK);
    }
}

Test(dist, grids_parse_as_p_x_q_and_must_match_the_ranks)
{
    struct mb_dist_grid g;
    struct mb_diag d = {0};
    cr_assert_eq(mb_dist_parse_grid("2x3", &g, &d), MB_OK, "%s", d.msg);
    cr_assert(g.p == 2 && g.q == 3);
    cr_assert_eq(mb_dist_check_grid(g, 6, &d), MB_OK);
    cr_assert_eq(mb_dist_check_grid(g, 4, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "'2x3' needs 6 ranks but 4 run") != NULL, "%s", d.msg);
    cr_assert(strstr(d.msg, "default is 2x2") != NULL, "%s", d.msg);
    static const char *const bad[] = {"",     "2",   "x2",   "2x",   "0x2",        "2x0", "2x2x2",
                                      "-1x2", "2X2", " 2x2", "2x2 ", "99999999x1", "axb"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct mb_diag e = {0};
        cr_expect_eq(mb_dist_parse_grid(bad[i], &g, &e), MB_USAGE, "'%s'", bad[i]);
        char quoted[32];
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        cr_expect(strstr(e.msg, quoted) != NULL, "names the value: %s", e.msg);
    }
}

Test(dist, the_block_size_is_1_to_n)
{
    struct mb_diag d = {0};
    cr_expect_eq(mb_dist_check_nb(1, 1, &d), MB_OK);
    cr_expect_eq(mb_dist_check_nb(64, 64, &d), MB_OK);
    cr_expect_eq(mb_dist_check_nb(65, 64, &d), MB_USAGE);
    cr_expect(strstr(d.msg, "'65'") && strstr(d.msg, "n = 64"), "%s", d.msg);
    cr_expect_eq(mb_dist_check_nb(0, 64, &d), MB_USAGE);
    cr_expect_eq(mb_dist_check_nb(MB_DIST_NB_MAX + 1, 1000000, &d), MB_USAGE);
}

Test(dist, kernel_lists_keep_the_order_given_and_run_a_kernel_once)
{
    struct mb_dist_kernel_list k;
    struct mb_diag d = {0};
    cr_assert_eq(mb_dist_parse_kernels("pdpotrf,pdgemm,pdpotrf", &k, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(k.n, 2);
    cr_assert_str_eq(k.v[0]->name, "pdpotrf");
    cr_assert_str_eq(k.v[1]->name, "pdgemm");
    static const char *const bad[] = {"",      "pdgemm,",        ",pdgemm",
                                      "dgemm", "pdgemm,,pdgesv", "PDGEMM"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        cr_expect_eq(mb_dist_parse_kernels(bad[i], &k, &d), MB_USAGE, "'%s'", bad[i]);
        cr_expect_eq(k.n, 0);
    }
    cr_assert_eq(mb_dist_kernel_count(), 4);
    for (size_t i = 0; i < mb_dist_kernel_count(); i++) {
        const struct mb_dist_kernel *x = mb_dist_kernel_at(i);
        cr_expect(x->flops != NULL && x->check != NULL && x->lesson != NULL, "%s", x->name);
        cr_expect_eq(mb_dist_kernel_find(x->name), x);
    }
}

/* numroc's definition: nb blocks dealt round-robin from process 0; the
 * extents of all processes add up to n. */
Test(dist, local_extents_deal_the_blocks_round_robin_and_add_up_to_n)
{
    static const size_t ns[] = {1, 2, 33, 130, 257, 1000};
    static const unsigned nbs[] = {1, 7, 64, 128};
    for (size_t a = 0; a < COUNT(ns); a++)
        for (size_t b = 0; b < COUNT(nbs); b++)
            for (int procs = 1; procs <= 5; procs++) {
                size_t sum = 0;
                for (int p = 0; p < procs; p++) {
                    size_t want = 0; /* count the rows block by block */
                    for (size_t row = 0; row < ns[a]; row++)
                        want += (int)(row / nbs[b] % (size_t)procs) == p;
                    size_t got = mb_dist_local_extent(ns[a], nbs[b], p, procs);
                    cr_expect_eq(got, want, "n %zu nb %u: process %d of %d", ns[a], nbs[b], p,
                                 procs);
                    sum += got;
                }
                cr_expect_eq(sum, ns[a]);
            }
}

/* ---- the report of hand-built rows -------------------------------------- */

/* Two rows as a run of 4 ranks x 1 thread on 2 CPUs would give: pdgemm
 * at half the one-rank rate, pdgesv with no comparison (and why). */
static struct mb_dist_result rows[2];
static struct mb_dist_header header = {.mpi_library = "Open MPI v4.1.4",
                                       .scalapack = "2.2.1",
                                       .blas = "OpenBLAS 0.3.21 (pthreads, core Haswell)",
                                       .hosts = "node1 (4 ranks)",
                                       .ranks = 4,
                                       .nhosts = 1,
                                       .grid = {2, 2},
                                       .nb = 64,
                                       .threads_per_rank = 1,
                                       .peak_gflops = 200};

static void make_rows(void)
{
    for (size_t i = 0; i < COUNT(rows); i++)
        rows[i] = (struct mb_dist_result){
            .kernel = mb_dist_kernel_find(i == 0 ? "pdgemm" : "pdgesv"),
            .n = 1000,
            .ranks = 4,
            .hosts = 1,
            .threads_per_rank = 1,
            .grid = {2, 2},
            .nb = 64,
            .repeat = 3,
            .warmup = 1,
            .time_s = {.min = 0.04, .median = 0.05, .max = 0.06, .mean = 0.05, .stddev = 0.01},
            .gflops = 40,
            .gflops_per_rank = 10,
            .imbalance = 1.25,
            .verified = true,
            .residual = 0.5,
            .limit = i == 0 ? 4.5 : 16,
            .peak_fraction = 0.2,
            .one_rank_gflops = i == 0 ? 80 : NAN,
            .one_rank_threads = 2,
            .efficiency = i == 0 ? 0.5 : NAN,
            .one_process_gflops = i == 0 ? 100 : NAN,
            .vs_one_process = i == 0 ? 0.4 : NAN};
    snprintf(rows[1].one_rank_why, sizeof rows[1].one_rank_why, "the ranks run on several hosts");
    snprintf(rows[1].one_process_why, sizeof rows[1].one_process_why, "no matbench beside it");
}

/* The report of the rows in format f, as a string to free. */
static char *report(enum mb_format f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    struct mb_diag d = {0};
    cr_assert_eq(mb_report_dist(out, f, &header, rows, COUNT(rows), &d), MB_OK, "%s", d.msg);
    fclose(out);
    return buf;
}

Test(dist_report, the_lesson_says_what_the_message_passing_cost_and_why_a_comparison_is_missing,
     .init = make_rows)
{
    char *text = report(MB_FORMAT_TABLE);
    static const char *const says[] = {
        "pdgemm at n = 1000: 4 ranks x 1 thread 40.0 GFLOP/s, 1 rank x 2 threads on the same "
        "CPUs 80.0: efficiency 0.50; passing blocks between the ranks cost 50% of the rate, and "
        "the 4 ranks' threads share 2 CPUs",
        "LAPACK's dgemm in one process on the same CPUs: 100.0 GFLOP/s; pdgemm on the ranks is "
        "0.40 of it.",
        "No one-rank comparison: the ranks run on several hosts.",
        "No one-process comparison: no matbench beside it.",
        "bench/hpl-compare.sh 1000 64 2 2 runs HPL",
        "4 ranks on 1 host (node1 (4 ranks)), grid 2x2, nb 64",
        "Peak: 200.0 GFLOP/s"};
    for (size_t i = 0; i < COUNT(says); i++)
        cr_expect(strstr(text, says[i]) != NULL, "missing: %s\nin:\n%s", says[i], text);
    free(text);
}

Test(dist_report, the_json_rows_carry_the_comparisons_and_null_where_none_ran, .init = make_rows)
{
    char *text = report(MB_FORMAT_JSON);
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    cr_assert_not_null(doc, "%s: %s", err.text, text);
    json_t *mpi = json_object_get(doc, "mpi"), *res = json_object_get(doc, "results");
    cr_assert_eq(json_integer_value(json_object_get(mpi, "ranks")), 4);
    cr_assert_eq(json_array_size(res), 2);
    json_t *gemm = json_array_get(res, 0), *gesv = json_array_get(res, 1);
    static const char *const keys[] = {"kernel",
                                       "n",
                                       "ranks",
                                       "grid",
                                       "nb",
                                       "threads_per_rank",
                                       "hosts",
                                       "time_s",
                                       "gflops",
                                       "gflops_per_rank",
                                       "imbalance",
                                       "verified",
                                       "residual",
                                       "residual_limit",
                                       "peak_fraction",
                                       "one_rank_gflops",
                                       "efficiency",
                                       "one_process_gflops",
                                       "vs_one_process"};
    for (size_t i = 0; i < COUNT(keys); i++)
        cr_expect_not_null(json_object_get(gemm, keys[i]), "%s", keys[i]);
    cr_expect_str_eq(json_string_value(json_object_get(gemm, "grid")), "2x2");
    cr_expect_float_eq(json_real_value(json_object_get(gemm, "efficiency")), 0.5, 1e-12);
    cr_expect_eq(json_integer_value(json_object_get(gemm, "one_rank_threads")), 2);
    cr_expect(json_is_null(json_object_get(gesv, "efficiency")));
    cr_expect(json_is_null(json_object_get(gesv, "vs_one_process")));
    cr_expect_null(json_object_get(gesv, "one_rank_threads"), "no one-rank run: no threads");
    cr_expect_str_eq(json_string_value(json_object_get(gesv, "one_rank_why")),
                     "the ranks run on several hosts");
    json_decref(doc);
    free(text);
}

Test(dist_report, the_csv_has_one_column_per_header_field_and_empty_fields_for_none,
     .init = make_rows)
{
    char *text = report(MB_FORMAT_CSV);
    char *second = strchr(text, '\n') + 1, *third = strchr(second, '\n') + 1;
    size_t commas[3] = {0};
    for (const char *p = text; *p; p++)
        commas[p < second ? 0 : p < third ? 1 : 2] += *p == ',';
    cr_expect_eq(commas[0], commas[1]);
    cr_expect_eq(commas[0], commas[2]);
    cr_expect(strstr(text, "one_rank_gflops,efficiency,one_process_gflops,vs_one_process") != NULL);
    cr_expect(strstr(third, ",,,,true,false") != NULL, "pdgesv's comparisons are empty: %s", third);
    free(text);
}
