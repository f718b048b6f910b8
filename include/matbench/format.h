/* The report module's output formats (--format): one row per format with
 * its name, its reporter and its traits (src/report/formats.c). Apart from
 * report.h so that plan.h can hold a format without depending on the
 * reporters. Adding a format is its reporter's file and one row. */
#ifndef MATBENCH_FORMAT_H
#define MATBENCH_FORMAT_H

#include <stddef.h>
#include <stdio.h>

#include "matbench/status.h"

/* Indexes the rows of the format table, in the order of its rows. */
enum mb_format { MB_FORMAT_TABLE, MB_FORMAT_CSV, MB_FORMAT_JSON, MB_FORMAT_MARKDOWN };

/* What a format does beyond writing the results: a row's traits bits. */
enum mb_format_traits {
    MB_FORMAT_HEADER_ON_STDOUT = 1u << 0, /* the run header goes before it, in the same output */
    MB_FORMAT_SHOWS_HINT = 1u << 1,       /* it prints the hint itself (not on stderr) */
    MB_FORMAT_FOR_COMMANDS = 1u << 2,     /* info, peak, kernels, coretypes can write it */
    MB_FORMAT_DOCUMENT = 1u << 3,         /* one structured document (JSON) */
};

struct mb_report_ctx;
typedef enum mb_status mb_report_fn(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d);

struct mb_format_row {
    const char *name; /* as --format takes it */
    mb_report_fn *write;
    unsigned traits; /* enum mb_format_traits bits */
};

const struct mb_format_row *mb_format_row(enum mb_format f);
const char *mb_format_names(unsigned traits, char *buf, size_t cap);
enum mb_status mb_parse_format(const char *s, enum mb_format *out, struct mb_diag *d);
const char *mb_format_name(enum mb_format f);
mb_report_fn *mb_report_for(enum mb_format f);

#endif /* MATBENCH_FORMAT_H */
