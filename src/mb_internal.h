/* This file is private to libmatbench: what its source files share and
 * nothing outside them may use. Names start with mb__. */
#ifndef MATBENCH_MB_INTERNAL_H
#define MATBENCH_MB_INTERNAL_H

#include <jansson.h>
#include <stdio.h>

#include "matbench/blas.h"
#include "matbench/machine.h"
#include "matbench/peak.h"
#include "matbench/status.h"

json_t *mb__json_num(double x);
json_t *mb__json_machine(const struct mb_machine *m);
json_t *mb__json_blas(const struct mb_blas_info *b);
json_t *mb__json_peak(const struct mb_peak *pk);
enum mb_status mb__json_dump(FILE *out, json_t *root, struct mb_diag *d);

#endif /* MATBENCH_MB_INTERNAL_H */
