/* matbench-mpi's MPI-free part: the grid, the block size, the kernel list
 * and the local extents the memory check uses (ScaLAPACK's numroc). */
#include <criterion/criterion.h>
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
    cr_assert_eq(mb_dist_kernel_count(), 3);
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
