/* Renders a run: the header (machine, BLAS, settings), the results as a
 * table, Markdown, CSV or JSON, and the closing lesson; the text and JSON of
 * info, peak, kernels and coretypes. Reporters only format; they never
 * measure. The formats and their traits are in format.h. */
#ifndef MATBENCH_REPORT_H
#define MATBENCH_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "matbench/blas.h"
#include "matbench/blaslib.h"
#include "matbench/compare.h"
#include "matbench/coretype.h"
#include "matbench/format.h"
#include "matbench/front.h"
#include "matbench/machine.h"
#include "matbench/peak.h"
#include "matbench/pitfalls.h"
#include "matbench/plan.h"
#include "matbench/results.h"
#include "matbench/status.h"

struct mb_report_ctx {
    const struct mb_machine *machine;
    const struct mb_blas_info *blas;
    const struct mb_plan *plan;
    const struct mb_front *front; /* format, live view, config file, --coretype */
    const struct mb_results *results;
    long pid;
    bool interrupted;
    bool fancy;                 /* the table may draw bars and colour (a terminal, no NO_COLOR) */
    int columns;                /* the terminal's width in cells; 0: unknown, not a terminal */
    const struct mb_peak *peak; /* the measured FMA peak; NULL when not measured */
    const char *coretype_note;  /* how --coretype forced the core type; "" or NULL when not */
    const char *hint;           /* a one-line hint after the lesson; "" or NULL for none */
    struct {
        bool on;           /* the monitor ran */
        double interval_s; /* between samples */
        size_t samples;
        double cpu_s;  /* CPU time the monitor's thread used */
        double wall_s; /* how long the run took */
    } monitor;
};

/* matbench coretypes: each core type of the table, tried or skipped. */
struct mb_coretype_row {
    const struct mb_coretype *type;
    const char *missing;            /* the feature the CPU lacks (not tried); NULL when tried */
    struct mb_coretype_probe probe; /* the child's result, when tried */
};

struct mb_coretype_report {
    const struct mb_machine *machine;
    size_t n;
    int threads;
    const char *detected; /* the core type OpenBLAS uses without --coretype */
    const char *env;      /* OPENBLAS_CORETYPE from the environment, or NULL */
    bool interrupted;     /* a stop signal ended the probes: rows holds those finished */
    const struct mb_coretype_row *rows;
    size_t count;
    int best;     /* the fastest row, -1 when none ran */
    int baseline; /* the row that ran the core type in use, -1 when none */
};

/* matbench blas: each library x kernel x n x threads. */
struct mb_blas_report {
    const struct mb_machine *machine;
    const struct mb_blaslib_set *found; /* the folder looked in, its alternative */
    const struct mb_blaslib_set *libs;  /* the libraries compared */
    const struct mb_plan *plan;         /* sizes, threads, warm-up, repeat, seed, verify */
    const struct mb_kernel_list *kernels;
    const struct mb_blaslib_row *rows;
    size_t count;
    const struct mb_peak *peak; /* NULL: not measured */
    double time_limit_s, max_sampling_s;
    bool interrupted;
};

mb_report_fn mb_report_table;
mb_report_fn mb_report_csv;
mb_report_fn mb_report_json;
mb_report_fn mb_report_markdown;
void mb_report_info(FILE *out, const struct mb_machine *m, const struct mb_blas_info *b);
enum mb_status mb_report_info_json(FILE *out, const struct mb_machine *m,
                                   const struct mb_blas_info *b, struct mb_diag *d);
void mb_report_peak(FILE *out, const struct mb_machine *m, const struct mb_peak *pk, size_t count);
enum mb_status mb_report_peak_json(FILE *out, const struct mb_machine *m, const struct mb_peak *pk,
                                   size_t count, struct mb_diag *d);
void mb_report_kernels(FILE *out);
enum mb_status mb_report_kernels_json(FILE *out, struct mb_diag *d);
void mb_report_coretypes(FILE *out, const struct mb_coretype_report *r);
enum mb_status mb_report_coretypes_json(FILE *out, const struct mb_coretype_report *r,
                                        struct mb_diag *d);
void mb_report_bar(char *buf, size_t cap, double value, double max, int width);
size_t mb_report_cells(const char *s);
void mb_report_header(FILE *out, const struct mb_report_ctx *ctx);
void mb_report_lesson(FILE *out, const struct mb_report_ctx *ctx);

enum mb_status mb_report_blas(FILE *out, enum mb_format f, const struct mb_blas_report *r,
                              struct mb_diag *d);
enum mb_status mb_report_blas_json(FILE *out, const struct mb_blas_report *r, struct mb_diag *d);
void mb_blas_lesson(FILE *out, const struct mb_blas_report *r);

/* matbench pitfalls: each scenario's result. */
struct mb_pitfall_report {
    const struct mb_machine *machine;
    size_t n;
    double min_time_s, time_limit_s;
    const char *omp_dir; /* the OpenMP build's folder; "" when not installed */
    const struct mb_pitfall_result *results;
    size_t count;
    bool interrupted;
};
enum mb_status mb_report_pitfalls(FILE *out, enum mb_format f, const struct mb_pitfall_report *r,
                                  struct mb_diag *d);
enum mb_status mb_report_pitfalls_json(FILE *out, const struct mb_pitfall_report *r,
                                       struct mb_diag *d);

/* matbench compare: the matched rows and what differs. */
enum mb_status mb_report_compare(FILE *out, enum mb_format f, const struct mb_compare *c,
                                 struct mb_diag *d);
enum mb_status mb_report_compare_json(FILE *out, const struct mb_compare *c, struct mb_diag *d);

/* What a core-type probe reads back from a run's JSON report: blas.core
 * and the first result. */
struct mb_report_summary {
    char core[64]; /* blas.core; "" when the document has none */
    double gflops; /* results[0].gflops */
    bool verified; /* results[0].verified */
};
bool mb_report_json_summary(const char *doc, size_t len, struct mb_report_summary *out, char *why,
                            size_t cap);

#endif /* MATBENCH_REPORT_H */
