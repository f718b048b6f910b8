/* This file is private to libmatbench: what its source files share and
 * nothing outside them may use. Names start with mb__. */
#ifndef MATBENCH_MB_INTERNAL_H
#define MATBENCH_MB_INTERNAL_H

#include <stdio.h>

#include "matbench/blas.h"
#include "matbench/machine.h"
#include "matbench/peak.h"
#include "matbench/status.h"

#define MB__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* s made printable for a message, in a 64-byte buffer of the caller's
 * statement (mb_printable). */
#define SHOWN(s) mb_printable((s), (char[64]){0}, 64)

/* cli/coretypes.c, for cli/cli.c */
struct mb_options;
enum mb_status mb__coretype_check(const char *name, struct mb_diag *d);
enum mb_status mb__cli_coretypes(const struct mb_options *o, FILE *out, struct mb_diag *d);
enum mb_status mb__cli_coretype_exec(const struct mb_options *o, char **argv, struct mb_diag *d);
void mb__coretype_note(const struct mb_blas_info *b, char *buf, size_t cap);
void mb__coretype_hint(const struct mb_blas_info *b, size_t n, char *buf, size_t cap);

#endif /* MATBENCH_MB_INTERNAL_H */
