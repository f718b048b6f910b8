/* Scaling analysis across thread counts and sizes: the Karp–Flatt
 * experimentally determined serial fraction, an Amdahl fit, and the size
 * where threads start to pay. Pure arithmetic on measured speed-ups; the
 * reporters say what the figures mean. */
#ifndef MATBENCH_SCALING_H
#define MATBENCH_SCALING_H

#include <stdbool.h>
#include <stddef.h>

/* Karp & Flatt (CACM 33(5), 1990): from the speed-up S on p processors,
 * e = (1/S - 1/p) / (1 - 1/p), the serial fraction that would explain S
 * under Amdahl's law. 0 for a perfect speed-up, 1 for none, negative
 * above p (superlinear), above 1 when p threads are slower than one. NAN
 * when p < 2 or S is not a positive number. */
double mb_karp_flatt(double speedup, int p);

/* The serial fraction f of Amdahl's law, S(p) = 1 / (f + (1 - f) / p),
 * fitted to count measured (p, S) pairs by least squares on 1/S, where it
 * is linear: 1/S - 1/p = f (1 - 1/p). Points with p < 2 or S not positive
 * say nothing about f and are left out. NAN unless three or more thread
 * counts (the one-thread run that the speed-ups are against counted
 * among them) remain; that is, two or more points with p >= 2. The fit
 * may come out negative (superlinear) or above 1 (threads slow it down);
 * it is returned as fitted. */
double mb_amdahl_serial_fraction(const int *p, const double *speedup, size_t count);

/* True when Karp–Flatt e grows with p over the points (p ascending, at
 * least two with p >= 2): each e above the one before by more than
 * MB_SCALING_E_GROWS. A growing e means overhead that grows with the
 * threads (synchronisation, memory bandwidth), not a fixed serial part. */
#define MB_SCALING_E_GROWS 0.01
bool mb_karp_flatt_grows(const int *p, const double *speedup, size_t count);

/* The size where more threads first beat one thread by threshold (a gain
 * of 1.10: 10 %): over count sizes n ascending with the gain (rate on the
 * most threads over the rate on one) at each, the first n whose gain
 * reaches threshold, interpolated linearly in n between it and the size
 * before (whose gain is below). *below_smallest is set when the smallest
 * size already reaches it (the crossover is there or below: the result
 * is that size). NAN when no size reaches it, or count is 0. Gains that
 * are not numbers are skipped. */
#define MB_CROSSOVER_GAIN 1.10
double mb_crossover_n(const size_t *n, const double *gain, size_t count, double threshold,
                      bool *below_smallest);

/* ---- over a run's results ------------------------------------------- */

struct mb_results;
struct mb_kernel;

/* The speed-ups of kernel k at size n against its one-thread result
 * (median times), thread counts ascending, into p and speedup (cap
 * entries at most), the one-thread point first. 0 when k did not run at
 * one thread and at another thread count at n. */
size_t mb_scaling_points(const struct mb_results *rs, const struct mb_kernel *k, size_t n, int *p,
                         double *speedup, size_t cap);

/* The crossover size of kernel k over the sizes where it ran at one thread
 * and more (mb_crossover_n of the gain of its most threads over one, at
 * MB_CROSSOVER_GAIN); NAN when fewer than one such size or none reaches
 * it. *sizes is set to the sizes it had. */
double mb_scaling_crossover(const struct mb_results *rs, const struct mb_kernel *k,
                            bool *below_smallest, size_t *sizes);

#endif /* MATBENCH_SCALING_H */
