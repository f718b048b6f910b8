/* This file is private to src/plan: what its sources share. */
#ifndef MATBENCH_PLAN_INTERNAL_H
#define MATBENCH_PLAN_INTERNAL_H

#include <stddef.h>

int mb__parse_decimal(const char *s, size_t len, unsigned long long max, unsigned long long *out);
unsigned mb__plan_group_bit(const char *name);

#endif /* MATBENCH_PLAN_INTERNAL_H */
