/* Clocks for measurement: monotonic wall time and the process's CPU time. */
#ifndef MATBENCH_CLOCK_H
#define MATBENCH_CLOCK_H

double mb_clock_now_s(void);
double mb_clock_cpu_s(void);

#endif /* MATBENCH_CLOCK_H */
