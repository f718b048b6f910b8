/* The matbench version, one place. */
#ifndef MATBENCH_VERSION_H
#define MATBENCH_VERSION_H

#define MB_VERSION_STRING "0.1.0"

#endif /* MATBENCH_VERSION_H */
