/* The notes under a table or Markdown (noisy results, worker processes)
 * and the ladder table, shared by both. */
#include <math.h>
#include <string.h>

#include "mb_internal.h"
#include "report_internal.h"

/* How many results spread more than MB_NOISY_SPREAD. */
size_t mb__count_noisy(const struct mb_results *rs)
{
    size_t k = 0;
    for (size_t i = 0; i < rs->count; i++)
        k += mb__noisy(&rs->items[i]);
    return k;
}

/* The note under the table when results are noisy; nothing otherwise. */
void mb__noisy_note(FILE *out, const struct mb_results *rs)
{
    size_t k = mb__count_noisy(rs);
    if (k > 0)
        fprintf(out,
                "! The repetitions of %zu of %zu results spread more than %.0f%% (max/min): the "
                "machine was busy or noisy\n  while they ran. The medians are reported; more "
                "--repeat or a quieter machine gives steadier figures.\n",
                k, rs->count, (MB_NOISY_SPREAD - 1) * 100);
}

/* Which processes the process kernels ran in: the last pass's children
 * (each pass forks its own). */
void mb__pids_note(FILE *out, const struct mb_results *rs)
{
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *r = &rs->items[i];
        if (r->npids == 0)
            continue;
        fprintf(out, "%s n=%zu threads=%d ran in processes", r->kernel->name, r->n, r->threads);
        for (size_t k = 0; k < r->npids; k++)
            fprintf(out, "%s %d", k ? "," : "", r->pids[k]);
        fprintf(out, " (the last pass's; each pass forks its own).\n");
    }
}

/* The results at the largest size of the kernels that compute the product
 * (MB_GEMM), in run order: the ladder, when at least three steps ran. */
static size_t ladder_rows(const struct mb_results *rs, const struct mb_result **rows, size_t cap)
{
    size_t n = 0, count = 0, kernels = 0;
    const struct mb_kernel *last = NULL;
    for (size_t i = 0; i < rs->count; i++)
        if (rs->items[i].n > n)
            n = rs->items[i].n;
    for (size_t i = 0; i < rs->count && count < cap; i++) {
        const struct mb_result *r = &rs->items[i];
        if (r->n != n || !(r->kernel->traits & MB_GEMM))
            continue;
        kernels += r->kernel != last;
        last = r->kernel;
        rows[count++] = r;
    }
    return kernels >= 3 ? count : 0;
}

/* The ladder table: each step's GFLOP/s, its gain over the step before,
 * its share of the FMA peak and of the reference (dgemm) on as many
 * threads. Markdown
 * when markdown is true. */
void mb__ladder_table(FILE *out, const struct mb_results *rs, bool markdown)
{
    const struct mb_result *rows[MB_PLAN_MAX_KERNELS * MB_PLAN_MAX_THREADS];
    size_t count = ladder_rows(rs, rows, MB__ARRAY_SIZE(rows));
    if (count == 0)
        return;
    const struct mb_kernel *reference = mb_kernel_with(MB_REFERENCE);
    int width = 4;
    for (size_t i = 0; i < count; i++)
        width = (int)fmax(width, (double)strlen(rows[i]->kernel->name));
    fprintf(out, "The ladder at n = %zu, each step against the one before it:\n%s", rows[0]->n,
            markdown ? "\n" : "");
    if (markdown)
        fputs("| step | threads | GFLOP/s | x previous | of peak | of dgemm |\n"
              "|:--|--:|--:|--:|--:|--:|\n",
              out);
    else
        fprintf(out, "%-*s %7s %9s %10s %8s %9s\n", width, "step", "threads", "GFLOP/s",
                "x previous", "of peak", "of dgemm");
    for (size_t i = 0; i < count; i++) {
        const struct mb_result *r = rows[i];
        const struct mb_result *g =
            reference != NULL ? mb_results_find(rs, reference, r->n, r->threads) : NULL;
        char gf[32], prev[32], peak[32], of_dgemm[32];
        snprintf(gf, sizeof gf, "%.*f", r->gflops < 10 ? 2 : 1, r->gflops);
        mb__format_ratio(prev, sizeof prev, i > 0 ? r->gflops / rows[i - 1]->gflops : NAN, 2, "x");
        mb__format_ratio(peak, sizeof peak, r->peak_fraction * 100, r->peak_fraction < 0.1 ? 1 : 0,
                         "%");
        mb__format_ratio(of_dgemm, sizeof of_dgemm, g != NULL ? r->gflops / g->gflops * 100 : NAN,
                         g != NULL && r->gflops < 0.1 * g->gflops ? 1 : 0, "%");
        if (markdown)
            fprintf(out, "| %s | %d | %s | %s | %s | %s |\n", r->kernel->name, r->threads, gf, prev,
                    peak, of_dgemm);
        else
            fprintf(out, "%-*s %7d %9s %10s %8s %9s\n", width, r->kernel->name, r->threads, gf,
                    prev, peak, of_dgemm);
    }
    fputc('\n', out);
}
