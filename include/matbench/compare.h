/* matbench compare OLD.json NEW.json: is NEW really faster? Reads two sets
 * of matbench JSON reports (each side one file, or several whose samples
 * are merged row by row), matches their results by kernel, n, threads (and
 * BLAS, ranks and grid when present), and for each pair gives the ratio
 * new/old of the median times with a bootstrap interval, the Mann–Whitney
 * U p-value and a verdict (compare_stats.h); then the geometric mean of the
 * ratios, the rows found on one side only, and the environment fields that
 * differ. */
#ifndef MATBENCH_COMPARE_H
#define MATBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "matbench/compare_stats.h"
#include "matbench/status.h"

/* Below this many samples a side is warned about: with fewer than 4 a side
 * the two-sided U test cannot reach p < 0.05 at all (2 / C(7, 3) = 0.057),
 * and 5 is the first count that leaves some room. */
#define MB_COMPARE_FEW 5
/* --fail-if-slower fails on a slower row only when its p is below this. */
#define MB_COMPARE_ALPHA 0.05
#define MB_COMPARE_FILES_MAX 256 /* files on one side */
#define MB_COMPARE_ENV_MAX 32
#define MB_COMPARE_FILE_MAX ((long long)1 << 30) /* bytes of one report, at most */
/* A sample above this (a month) is not a time matbench measured. */
#define MB_COMPARE_SAMPLE_MAX_S 2.6e6
/* A side's samples beyond this many are thinned, evenly in the order
 * measured, before the statistics (the bootstrap costs resamples x
 * samples): the row says so. */
#define MB_COMPARE_SAMPLES_USED 5000

/* One environment field that differs between the sides (their first files). */
struct mb_compare_env {
    char field[48];
    char old_value[160], new_value[160];
};

/* One result found on both sides. */
struct mb_compare_row {
    char label[400]; /* "dgemm n=3000 threads=2", with blas=, ranks=, grid= when present;
                        "... vs ..." when the sides differ in a field not matched */
    char kernel[48];
    size_t n;
    int threads; /* -1: the rows have none */
    char blas[64];
    int ranks; /* -1: none */
    char grid[32];
    size_t old_count, new_count; /* samples */
    double *old_samples, *new_samples;
    double old_median_s, new_median_s;
    double ratio;  /* new over old median time: below 1 is faster */
    double lo, hi; /* its bootstrap interval (MB_COMPARE_LEVEL) */
    struct mb_mwu u;
    enum mb_verdict verdict;
    bool few;     /* a side has fewer than MB_COMPARE_FEW samples */
    bool thinned; /* a side had more than MB_COMPARE_SAMPLES_USED: those were used */
    bool fail;    /* slower by more than --fail-if-slower with p < MB_COMPARE_ALPHA */
};

struct mb_compare {
    const char *old_arg, *new_arg; /* as given */
    size_t old_files, new_files;
    struct mb_compare_row *rows;
    size_t count;
    char **only_old, **only_new; /* labels of the rows on one side only */
    size_t nonly_old, nonly_new;
    char **no_samples; /* labels of matched rows a side has no samples for */
    size_t nno_samples;
    size_t old_skipped, new_skipped;       /* results not timed, or not matbench's */
    size_t old_duplicates, new_duplicates; /* results met twice in one file (merged) */
    struct mb_compare_env env[MB_COMPARE_ENV_MAX];
    size_t nenv;
    double geomean;        /* of the ratios over the rows; NAN */
    double threshold;      /* a fraction: 0.02 */
    double fail_if_slower; /* a fraction; NAN: not asked */
    size_t failed;         /* rows with fail set */
    unsigned match;        /* MB_COMPARE_MATCH_* */
    unsigned resamples;
    uint64_t seed;
    double level;
};

/* The fields results are matched by (--match): kernel and n always, the
 * others unless left out, so that, say, two thread counts can be compared
 * (--match kernel,n). */
enum {
    MB_COMPARE_MATCH_THREADS = 1u << 0,
    MB_COMPARE_MATCH_BLAS = 1u << 1,
    MB_COMPARE_MATCH_RANKS = 1u << 2,
    MB_COMPARE_MATCH_GRID = 1u << 3,
    MB_COMPARE_MATCH_ALL = 15u
};
enum mb_status mb_compare_parse_match(const char *list, unsigned *match, struct mb_diag *d);

enum mb_status mb_compare_files(const char *old_list, const char *new_list, double threshold,
                                double fail_if_slower, struct mb_compare *out, struct mb_diag *d);
enum mb_status mb_compare_files_ex(const char *old_list, const char *new_list, double threshold,
                                   double fail_if_slower, unsigned match, struct mb_compare *out,
                                   struct mb_diag *d);
void mb_compare_free(struct mb_compare *c);
const char *mb_compare_verdict_name(enum mb_verdict v);

#endif /* MATBENCH_COMPARE_H */
