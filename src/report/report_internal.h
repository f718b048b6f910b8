/* This file is private to src/report: what the reporters share (the cells
 * of one result, the notes under a table, the ladder table) and nothing
 * outside them may use. Names start with mb__. */
#ifndef MATBENCH_REPORT_INTERNAL_H
#define MATBENCH_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "matbench/report.h"

/* A result whose repetitions spread more than this (max / min) is marked:
 * the machine was busy while it ran. */
#define MB_NOISY_SPREAD 1.10

/* Up to this many CPUs the per-CPU cell lists percentages ("99 2"); beyond,
 * one block glyph per CPU, its height the busy fraction. */
#define MB_PER_CPU_NUMBERS 8

/* One result's figures as text, shared by the table and Markdown. */
struct mb__cells {
    char time[32], spread[32], gflops[32], peak[32], busy[32], per_cpu[1024], speedup[32], eff[32],
        ver[64];
};

/* cells.c */
void mb__format_ratio(char *buf, size_t cap, double x, int decimals, const char *suffix);
void mb__format_per_cpu(char *buf, size_t cap, const struct mb_result *r);
bool mb__noisy(const struct mb_result *r);
void mb__make_cells(struct mb__cells *c, const struct mb_plan *p, const struct mb_result *r);
void mb__csv_text_end(FILE *out, const char *s, char end);
void mb__csv_text(FILE *out, const char *s);
void mb__csv_num(FILE *out, double x);
void mb__csv_int(FILE *out, int x);

/* notes.c */
size_t mb__count_noisy(const struct mb_results *rs);
void mb__noisy_note(FILE *out, const struct mb_results *rs);
void mb__pids_note(FILE *out, const struct mb_results *rs);
void mb__ladder_table(FILE *out, const struct mb_results *rs, bool markdown);

#endif /* MATBENCH_REPORT_INTERNAL_H */
