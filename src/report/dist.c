/* matbench-mpi's report: a header naming the libraries, hosts and grid,
 * then its rows as a table, markdown or CSV (JSON is in json.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "matbench/dist.h"
#include "matbench/report.h"
#include "mb_internal.h"

static void write_header(FILE *out, const struct mb_dist_header *h)
{
    fprintf(out,
            "matbench-mpi: %d rank%s on %d host%s (%s), grid %dx%d, nb %u, %d BLAS thread%s "
            "per rank%s\n",
            h->ranks, h->ranks == 1 ? "" : "s", h->nhosts, h->nhosts == 1 ? "" : "s", h->hosts,
            h->grid.p, h->grid.q, h->nb, h->threads_per_rank, h->threads_per_rank == 1 ? "" : "s",
            h->singleton ? " (started without mpirun: one rank, an MPI singleton)" : "");
    fprintf(out, "MPI: %s\nScaLAPACK: %s\nBLAS: %s\n", h->mpi_library, h->scalapack, h->blas);
    if (!isnan(h->peak_gflops))
        fprintf(out,
                "Peak: %.1f GFLOP/s, each host's one-core FMA peak times the cores its ranks "
                "use, added up\n",
                h->peak_gflops);
}

/* x to 4 significant figures, or "-" when unknown. */
static const char *num(char *buf, size_t cap, double x)
{
    if (isnan(x))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.4g", x);
    return buf;
}

static void write_rows(FILE *out, const struct mb_dist_result *r, size_t count, bool markdown)
{
    if (markdown)
        fputs("| kernel | n | ranks | grid | nb | threads/rank | time (s) | GFLOP/s | per rank | "
              "imbalance | of peak | vs 1 rank | vs LAPACK | verified |\n"
              "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n",
              out);
    else
        fprintf(out, "\n%-8s %7s %5s %6s %4s %8s %10s %9s %9s %9s %7s %9s %9s  %s\n", "kernel", "n",
                "ranks", "grid", "nb", "thr/rank", "time (s)", "GFLOP/s", "per rank", "imbalance",
                "of peak", "vs 1 rank", "vs LAPACK", "verified");
    for (size_t i = 0; i < count; i++) {
        const struct mb_dist_result *x = &r[i];
        char grid[24], t[32], g[32], pr[32], im[32], pk[32], ef[32], vp[32], res[64];
        snprintf(grid, sizeof grid, "%dx%d", x->grid.p, x->grid.q);
        if (isnan(x->residual))
            snprintf(res, sizeof res, "%s", x->verified ? "yes" : "not checked");
        else
            snprintf(res, sizeof res, "%s (resid %.2g)", x->verified ? "yes" : "NO", x->residual);
        const char *cells[] = {num(t, sizeof t, x->time_s.median),
                               num(g, sizeof g, x->gflops),
                               num(pr, sizeof pr, x->gflops_per_rank),
                               num(im, sizeof im, x->imbalance),
                               pk,
                               num(ef, sizeof ef, x->efficiency),
                               num(vp, sizeof vp, x->vs_one_process)};
        if (isnan(x->peak_fraction))
            snprintf(pk, sizeof pk, "-");
        else
            snprintf(pk, sizeof pk, "%.0f%%", 100 * x->peak_fraction);
        if (markdown)
            fprintf(out,
                    "| %s | %zu | %d | %s | %u | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                    x->kernel->name, x->n, x->ranks, grid, x->nb, x->threads_per_rank, cells[0],
                    cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], res);
        else
            fprintf(out, "%-8s %7zu %5d %6s %4u %8d %10s %9s %9s %9s %7s %9s %9s  %s\n",
                    x->kernel->name, x->n, x->ranks, grid, x->nb, x->threads_per_rank, cells[0],
                    cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], res);
    }
}

/* "n thread(s)" */
static const char *plural(int n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The comparison with the same kernel on one rank with all the threads. */
static void lesson_one_rank(FILE *out, const struct mb_dist_result *x)
{
    double e = x->efficiency;
    fprintf(out,
            "%s at n = %zu: %d ranks x %d %s %.1f GFLOP/s, 1 rank x %d %s on the same CPUs "
            "%.1f: efficiency %.2f; ",
            x->kernel->name, x->n, x->ranks, x->threads_per_rank,
            plural(x->threads_per_rank, "thread", "threads"), x->gflops, x->one_rank_threads,
            plural(x->one_rank_threads, "thread", "threads"), x->one_rank_gflops, e);
    if (e >= 1.05)
        fputs("here the ranks beat one rank's BLAS threads", out);
    else if (e > 0.95)
        fputs("the ranks and one rank's BLAS threads were level (within 5%)", out);
    else
        fprintf(out, "passing blocks between the ranks cost %.0f%% of the rate", 100 * (1 - e));
    if (x->ranks * x->threads_per_rank > x->one_rank_threads)
        fprintf(out,
                ", and the %d ranks' threads share %d CPUs (a rank waiting for a message "
                "spins on a CPU another needs)",
                x->ranks, x->one_rank_threads);
    fputs(".\n", out);
}

/* The comparison with LAPACK (OpenBLAS's own threaded code) in one process. */
static void lesson_one_process(FILE *out, const struct mb_dist_result *x)
{
    fprintf(out,
            "  LAPACK's %s in one process on the same CPUs: %.1f GFLOP/s; %s on %s is %.2f "
            "of it%s\n",
            x->kernel->single, x->one_process_gflops, x->kernel->name,
            x->ranks == 1 ? "one rank" : "the ranks", x->vs_one_process,
            x->vs_one_process >= 1 || strcmp(x->kernel->name, "pdgemm") == 0 ? "."
            : strcmp(x->kernel->name, "pdpotrf") == 0
                ? " (the same flops by another algorithm: ScaLAPACK's block by block on the "
                  "grid, OpenBLAS's own threaded Cholesky)."
                : " (the same flops by another algorithm: ScaLAPACK's block by block on the "
                  "grid, OpenBLAS's own recursive, threaded LU).");
}

/* The lesson in sentences, from the measured rows: each kernel against
 * the same kernel on one rank with the same cores (what the message
 * passing costs), against LAPACK in one process, and where HPL's figure
 * for the same problem comes from. */
void mb_dist_lesson(FILE *out, const struct mb_dist_result *r, size_t count)
{
    bool told_rank = false, told_process = false;
    for (size_t i = 0; i < count; i++) {
        const struct mb_dist_result *x = &r[i];
        if (x->ranks > 1 && !isnan(x->efficiency))
            lesson_one_rank(out, x);
        else if (x->ranks == 1)
            fprintf(out, "%s at n = %zu on 1 rank x %d %s: %.1f GFLOP/s.\n", x->kernel->name, x->n,
                    x->threads_per_rank, plural(x->threads_per_rank, "thread", "threads"),
                    x->gflops);
        else if (!told_rank && x->one_rank_why[0] != '\0') {
            fprintf(out, "No one-rank comparison: %s.\n", x->one_rank_why);
            told_rank = true;
        }
        if (!isnan(x->vs_one_process))
            lesson_one_process(out, x);
        else if (!told_process && x->one_process_why[0] != '\0') {
            fprintf(out, "No one-process comparison: %s.\n", x->one_process_why);
            told_process = true;
        }
    }
    for (size_t i = 0; i < count; i++)
        if (strcmp(r[i].kernel->name, "pdgesv") == 0) {
            fprintf(
                out,
                "pdgesv solves HPL's problem. HPL factors each panel recursively and looks ahead "
                "to the next one; ScaLAPACK's pdgetrf does neither. bench/hpl-compare.sh %zu %u "
                "%d %d runs HPL (hpcc) on the same N, NB and grid beside it (HPL_NBMIN=NB "
                "HPL_DEPTH=0 takes both away).\n",
                r[i].n, r[i].nb, r[i].grid.p, r[i].grid.q);
            break;
        }
}

/* x as a CSV field: nothing when unknown (NAN). */
static void csv_number(FILE *out, double x)
{
    if (!isnan(x))
        fprintf(out, "%.9g", x);
    fputc(',', out);
}

static void write_csv(FILE *out, const struct mb_dist_header *h, const struct mb_dist_result *r,
                      size_t count)
{
    fputs("kernel,n,ranks,grid,nb,threads_per_rank,hosts,repeat,warmup,time_min_s,time_median_s,"
          "time_max_s,time_mean_s,time_stddev_s,gflops,gflops_per_rank,imbalance,residual,"
          "peak_fraction,one_rank_gflops,efficiency,one_process_gflops,vs_one_process,verified,"
          "interrupted\n",
          out);
    for (size_t i = 0; i < count; i++) {
        const struct mb_dist_result *x = &r[i];
        fprintf(out, "%s,%zu,%d,%dx%d,%u,%d,%d,%u,%u,", x->kernel->name, x->n, x->ranks, x->grid.p,
                x->grid.q, x->nb, x->threads_per_rank, x->hosts, x->repeat, x->warmup);
        const double nums[] = {x->time_s.min,         x->time_s.median,   x->time_s.max,
                               x->time_s.mean,        x->time_s.stddev,   x->gflops,
                               x->gflops_per_rank,    x->imbalance,       x->residual,
                               x->peak_fraction,      x->one_rank_gflops, x->efficiency,
                               x->one_process_gflops, x->vs_one_process};
        for (size_t k = 0; k < MB__ARRAY_SIZE(nums); k++)
            csv_number(out, nums[k]);
        fprintf(out, "%s,%s\n", x->verified ? "true" : "false", h->interrupted ? "true" : "false");
    }
}

/* Writes the report of matbench-mpi's rows in format f. */
enum mb_status mb_report_dist(FILE *out, enum mb_format f, const struct mb_dist_header *h,
                              const struct mb_dist_result *r, size_t count, struct mb_diag *d)
{
    switch (f) {
    case MB_FORMAT_JSON:
        return mb_report_dist_json(out, h, r, count, d);
    case MB_FORMAT_CSV:
        write_csv(out, h, r, count);
        break;
    case MB_FORMAT_MARKDOWN:
        write_header(out, h);
        fputc('\n', out);
        write_rows(out, r, count, true);
        fputc('\n', out);
        mb_dist_lesson(out, r, count);
        if (h->interrupted)
            fprintf(out, "Interrupted by a signal: the rows above are those that had finished.\n");
        break;
    default:
        write_header(out, h);
        write_rows(out, r, count, false);
        fputc('\n', out);
        mb_dist_lesson(out, r, count);
        if (h->interrupted)
            fprintf(out, "Interrupted by a signal: the rows above are those that had finished.\n");
    }
    if (fflush(out) != 0 || ferror(out))
        return mb_diag_set(d, MB_IO, "cannot write the report");
    return MB_OK;
}
