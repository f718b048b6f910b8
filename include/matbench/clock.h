/* Clocks for measurement: monotonic wall time, the process's CPU time, and
 * the wait until the process is idle before a timed region. */
#ifndef MATBENCH_CLOCK_H
#define MATBENCH_CLOCK_H

double mb_clock_now_s(void);
double mb_clock_cpu_s(void);
void mb_clock_settle(void);

#endif /* MATBENCH_CLOCK_H */
