/* matbench-mpi: the matrix product and the factorisations on MPI ranks
 * with ScaLAPACK, on a P x Q process grid, timed as HPL times (a barrier,
 * MPI_Wtime, the slowest rank) and verified on the grid.
 *
 *   mpirun -np 4 matbench-mpi 8000 [--grid 2x2] [--nb 128] [--threads 1]
 *
 * Every rank reads the same arguments and reaches the same verdict, so bad
 * input ends every rank with exit 2 and one message from rank 0, before
 * anything is allocated. */
#define _GNU_SOURCE /* cpu_set_t, sched_getaffinity */
#include <getopt.h>
#include <math.h>
#include <mpi.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matbench/blas.h"
#include "matbench/dist.h"
#include "matbench/machine.h"
#include "matbench/peak.h"
#include "matbench/plan.h"
#include "matbench/stats.h"
#include "matbench/version.h"
#include "mpi/keep.h"
#include "mpi/oneproc.h"
#include "mpi/onerank.h"
#include "mpi/pkernels.h"
#include "mpi/scalapack.h"

#ifndef MB_SCALAPACK_VERSION
#define MB_SCALAPACK_VERSION "unknown"
#endif

#define MB_MPI_MAX_HOSTS 256

struct mpi_options {
    struct mb_size_list sizes;
    struct mb_dist_kernel_list kernels;
    struct mb_dist_grid grid;
    bool grid_given, nb_given, verify, one_process, peak, quiet;
    unsigned nb, repeat, warmup, threads;
    uint64_t seed;
    enum mb_format format;
    const char *output;
};

static const char usage[] =
    "Usage: mpirun -np P matbench-mpi [N] [options]\n"
    "       srun -n P matbench-mpi [N] [options]\n"
    "\n"
    "ScaLAPACK on a P x Q grid of MPI ranks: the same matrices as matbench N (same seed,\n"
    "same entries), timed as HPL times (the slowest rank), every result verified.\n"
    "\n"
    "  --sizes LIST     several sizes instead of N (1000,2000 or 1000:4000:1000)\n"
    "  --kernels LIST   pdgemm, pdgesv, pdgetrf, pdpotrf (default pdgemm,pdgesv,pdpotrf;\n"
    "                   pdgetrf is the LU of pdgesv alone)\n"
    "  --grid PxQ       the process grid (default the squarest with P <= Q)\n"
    "  --nb NB          the block size (default 128; HPL's TUNING advises 32..256)\n"
    "  --threads T      BLAS threads per rank (default the node's usable cores over the\n"
    "                   ranks on it)\n"
    "  --repeat R       timed passes (default 3)   --warmup W  untimed first (default 1)\n"
    "  --seed S         seed of the random matrices (default 20260101)\n"
    "  --format F       table, csv, json or markdown (default table)\n"
    "  --output FILE    rank 0 writes the report to FILE instead of stdout\n"
    "  --no-verify      skip the checks\n"
    "  --no-one-process skip the comparison with single-node matbench on the same cores\n"
    "                   (made when every rank is on one host)\n"
    "  --no-peak        do not measure each host's FMA peak first (no \"of peak\")\n"
    "  --quiet          no progress lines on stderr\n"
    "  -h, --help       this help\n"
    "\n"
    "Exit codes: 0 ok, 1 a run failed (memory, verification) on some rank, 2 bad input;\n"
    "130, 143, 129 interrupted by SIGINT, SIGTERM, SIGHUP (rank 0 writes the rows finished;\n"
    "mpirun passes a Ctrl-C on to the ranks as SIGTERM).\n";

static int rank_of_world(void)
{
    int r;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

/* Ends every rank: one message from rank 0, then MPI_Finalize and code. */
static int finish(int code, const struct mb_diag *d)
{
    if (d != NULL && rank_of_world() == 0)
        fprintf(stderr, "matbench-mpi: %s\n", d->msg);
    MPI_Finalize();
    return code;
}

enum {
    O_SIZES = 256,
    O_KERNELS,
    O_GRID,
    O_NB,
    O_THREADS,
    O_REPEAT,
    O_WARMUP,
    O_SEED,
    O_FORMAT,
    O_OUTPUT,
    O_NO_VERIFY,
    O_NO_ONE_PROCESS,
    O_NO_PEAK,
    O_QUIET
};

/* Applies option c (getopt_long's value) with its argument arg. */
static enum mb_status apply_option(int c, const char *arg, struct mpi_options *o, struct mb_diag *d)
{
    switch (c) {
    case O_SIZES:
        return mb_parse_sizes(arg, &o->sizes, d);
    case O_KERNELS:
        return mb_dist_parse_kernels(arg, &o->kernels, d);
    case O_GRID:
        o->grid_given = true;
        return mb_dist_parse_grid(arg, &o->grid, d);
    case O_NB:
        o->nb_given = true;
        return mb_parse_uint("nb", arg, 1, MB_DIST_NB_MAX, &o->nb, d);
    case O_THREADS:
        return mb_parse_uint("threads", arg, 1, 1024, &o->threads, d);
    case O_REPEAT:
        return mb_parse_uint("repeat", arg, 1, MB_REPEAT_MAX, &o->repeat, d);
    case O_WARMUP:
        return mb_parse_uint("warmup", arg, 0, MB_WARMUP_MAX, &o->warmup, d);
    case O_SEED:
        return mb_parse_u64("seed", arg, &o->seed, d);
    case O_FORMAT:
        return mb_parse_format(arg, &o->format, d);
    case O_OUTPUT:
        o->output = arg;
        return MB_OK;
    case O_NO_VERIFY:
        o->verify = false;
        return MB_OK;
    case O_NO_ONE_PROCESS:
        o->one_process = false;
        return MB_OK;
    case O_NO_PEAK:
        o->peak = false;
        return MB_OK;
    case O_QUIET:
        o->quiet = true;
        return MB_OK;
    default:
        return mb_diag_set(d, MB_USAGE, "unknown option (see --help)");
    }
}

static enum mb_status parse_options(int argc, char **argv, struct mpi_options *o, struct mb_diag *d)
{
    static const struct option longs[] = {{"sizes", required_argument, NULL, O_SIZES},
                                          {"kernels", required_argument, NULL, O_KERNELS},
                                          {"grid", required_argument, NULL, O_GRID},
                                          {"nb", required_argument, NULL, O_NB},
                                          {"threads", required_argument, NULL, O_THREADS},
                                          {"repeat", required_argument, NULL, O_REPEAT},
                                          {"warmup", required_argument, NULL, O_WARMUP},
                                          {"seed", required_argument, NULL, O_SEED},
                                          {"format", required_argument, NULL, O_FORMAT},
                                          {"output", required_argument, NULL, O_OUTPUT},
                                          {"no-verify", no_argument, NULL, O_NO_VERIFY},
                                          {"no-one-process", no_argument, NULL, O_NO_ONE_PROCESS},
                                          {"no-peak", no_argument, NULL, O_NO_PEAK},
                                          {"quiet", no_argument, NULL, O_QUIET},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    *o = (struct mpi_options){.nb = MB_DIST_DEFAULT_NB,
                              .repeat = MB_DEFAULT_REPEAT,
                              .warmup = MB_DEFAULT_WARMUP,
                              .seed = MB_DEFAULT_SEED,
                              .format = MB_FORMAT_TABLE,
                              .verify = true,
                              .one_process = true,
                              .peak = true};
    o->sizes.v[0] = MB_DEFAULT_N, o->sizes.n = 1;
    for (size_t i = 0; i < mb_dist_kernel_count(); i++)
        if (mb_dist_kernel_at(i)->by_default)
            o->kernels.v[o->kernels.n++] = mb_dist_kernel_at(i);
    opterr = 0;
    enum mb_status st = MB_OK;
    for (int c; st == MB_OK && (c = getopt_long(argc, argv, ":h", longs, NULL)) != -1;) {
        if (c == 'h')
            return MB_HELP;
        if (c == ':')
            st = mb_diag_set(d, MB_USAGE, "%s needs a value", argv[optind - 1]);
        else if (c == '?')
            st = mb_diag_set(d, MB_USAGE, "unknown option '%s' (see --help)", argv[optind - 1]);
        else
            st = apply_option(c, optarg, o, d);
    }
    if (st == MB_OK && optind < argc) {
        st = mb_parse_size(argv[optind], &o->sizes.v[0], d);
        o->sizes.n = 1;
        if (st == MB_OK && optind + 1 < argc)
            st = mb_diag_set(d, MB_USAGE, "'%s': one size N only (--sizes for several)",
                             argv[optind + 1]);
    }
    return st;
}

/* The hosts of the ranks: "host1 (2 ranks), host2 (1 rank)", the number of
 * hosts, and the ranks on this rank's host. */
static void find_hosts(char *list, size_t cap, int *nhosts, int *on_my_host)
{
    char me[MPI_MAX_PROCESSOR_NAME] = "";
    int len, ranks;
    MPI_Get_processor_name(me, &len);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    char *all = calloc((size_t)ranks, MPI_MAX_PROCESSOR_NAME);
    MPI_Allgather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                  MPI_COMM_WORLD);
    size_t used = 0;
    *nhosts = 0, *on_my_host = 0, list[0] = '\0';
    for (int r = 0; r < ranks; r++) {
        const char *h = all + (size_t)r * MPI_MAX_PROCESSOR_NAME;
        *on_my_host += strcmp(h, me) == 0;
        bool first = true;
        for (int s = 0; s < r && first; s++)
            first = strcmp(h, all + (size_t)s * MPI_MAX_PROCESSOR_NAME) != 0;
        if (!first)
            continue;
        int count = 0;
        for (int s = 0; s < ranks; s++)
            count += strcmp(h, all + (size_t)s * MPI_MAX_PROCESSOR_NAME) == 0;
        ++*nhosts;
        if (used < cap)
            used += (size_t)snprintf(list + used, cap - used, "%s%s (%d rank%s)", used ? ", " : "",
                                     h, count, count == 1 ? "" : "s");
    }
    free(all);
}

/* The BLAS of every rank into out on rank 0: mine when all ranks have the
 * same, else each different one after the host of the first rank that has
 * it ("host1: OpenBLAS ... core Haswell; host2: OpenBLAS ... core Zen"). */
static void every_host_blas(const char *mine, char *out, size_t cap)
{
    enum { LEN = 160 };
    int ranks, len;
    char me[LEN + MPI_MAX_PROCESSOR_NAME] = "", host[MPI_MAX_PROCESSOR_NAME] = "";
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    MPI_Get_processor_name(host, &len);
    snprintf(me, LEN, "%s", mine);
    snprintf(me + LEN, MPI_MAX_PROCESSOR_NAME, "%s", host);
    char *all = rank_of_world() == 0 ? calloc((size_t)ranks, sizeof me) : NULL;
    MPI_Gather(me, sizeof me, MPI_CHAR, all, sizeof me, MPI_CHAR, 0, MPI_COMM_WORLD);
    snprintf(out, cap, "%s", mine);
    bool same = true;
    for (int r = 1; all != NULL && r < ranks; r++)
        same = same && strcmp(all, all + (size_t)r * sizeof me) == 0;
    for (int r = 0, used = 0; all != NULL && !same && r < ranks; r++) {
        const char *b = all + (size_t)r * sizeof me;
        bool first = true;
        for (int q = 0; q < r && first; q++)
            first = strcmp(b, all + (size_t)q * sizeof me) != 0;
        if (first && (size_t)used < cap)
            used +=
                snprintf(out + used, cap - (size_t)used, "%s%s: %s", used ? "; " : "", b + LEN, b);
    }
    free(all);
}

/* Whether every rank said yes. */
static bool all_ok(bool ok)
{
    int mine = ok, every;
    MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return every;
}

/* The memory check, before anything is allocated: the ranks of one host
 * share its memory, so each host's ranks add up their local blocks at
 * the largest size against what the host has available. */
static enum mb_status check_memory(const struct mpi_options *o, int myrow, int mycol,
                                   struct mb_diag *d)
{
    size_t n = mb_plan_largest_size(&(struct mb_plan){.sizes = o->sizes});
    uint64_t mine = mb_pctx_local_bytes(n, o->nb, myrow, mycol, o->grid.p, o->grid.q), host = 0;
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Allreduce(&mine, &host, 1, MPI_UINT64_T, MPI_SUM, node);
    MPI_Comm_free(&node);
    uint64_t avail = 0;
    bool ok = mb_mem_available(&avail, NULL) != MB_OK || host <= avail;
    uint64_t worst_need = ok ? 0 : host, need;
    MPI_Allreduce(&worst_need, &need, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (need > 0)
        return mb_diag_set(d, MB_USAGE,
                           "n = %zu on a %dx%d grid needs %.1f GiB on one host, more than it has "
                           "available; use more hosts or a smaller n",
                           n, o->grid.p, o->grid.q, (double)need / (1 << 30));
    return MB_OK;
}

static struct mb_ppasses passes_of(const struct mpi_options *o)
{
    return (struct mb_ppasses){.warmup = o->warmup, .repeat = o->repeat, .verify = o->verify};
}

/* --threads, else the cores this rank may use (mpirun binds a rank to a
 * core unless told otherwise) but no more than its share of the host's
 * cores; set in the BLAS. Rank 0 warns when a rank has more threads than
 * CPUs it may run on: they would share them. */
static int threads_per_rank(const struct mpi_options *o, int on_host)
{
    struct mb_machine m;
    bool probed = mb_machine_probe(&m, NULL) == MB_OK;
    int usable = probed ? mb_machine_usable_cores(&m) : 1;
    int share = probed && m.physical_cores / on_host > 0 ? m.physical_cores / on_host : 1;
    int threads = o->threads > 0 ? (int)o->threads : (usable < share ? usable : share);
    mb_blas_set_threads(threads, NULL);
    int over = threads > usable ? usable : 0, fewest;
    MPI_Allreduce(&(int){over > 0 ? over : 1 << 30}, &fewest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (rank_of_world() == 0 && fewest != 1 << 30)
        fprintf(stderr,
                "matbench-mpi: note: %d BLAS threads per rank, but a rank may run on %d CPU%s "
                "only, so its threads share %s (mpirun binds each rank to a core: give "
                "--bind-to none, or --map-by slot:PE=%d)\n",
                threads, fewest, fewest == 1 ? "" : "s", fewest == 1 ? "it" : "them", threads);
    return threads;
}

/* Each row against the same kernel on one rank with the run's cores (a
 * 1 x 1 grid in rank 0, one host only) while the others wait without
 * spinning; a run of one rank is its own comparison. */
static void compare_one_rank(const struct mpi_options *o, const struct mb_dist_header *h, int cores,
                             struct mb_dist_result *rows, size_t count)
{
    if (h->ranks == 1) {
        for (size_t i = 0; i < count; i++)
            rows[i].one_rank_gflops = rows[i].gflops, rows[i].efficiency = 1,
            rows[i].one_rank_threads = h->threads_per_rank;
        return;
    }
    struct mb_onerank p = {.ictxt = -1};
    const char *why = h->nhosts > 1 ? "the ranks run on several hosts" : NULL;
    if (why == NULL)
        why = mb_onerank_begin(&p, cores);
    int can = why == NULL; /* rank 0's verdict, the same on every rank */
    MPI_Bcast(&can, 1, MPI_INT, 0, MPI_COMM_WORLD);
    for (size_t i = 0; rank_of_world() == 0 && i < count; i++) {
        struct mb_dist_result *r = &rows[i];
        if (!can) {
            snprintf(r->one_rank_why, sizeof r->one_rank_why, "%s", why);
            continue;
        }
        r->one_rank_gflops = mb_onerank_gflops(&p, r->kernel, r->n, r->nb, o->seed, passes_of(o),
                                               r->one_rank_why, sizeof r->one_rank_why);
        r->efficiency = r->gflops / r->one_rank_gflops;
        r->one_rank_threads = p.threads;
        mb_keep_rows(h, rows, count);
        if (!o->quiet)
            fprintf(stderr,
                    "matbench-mpi: [%zu/%zu] %s n = %zu on 1 rank x %d threads: %.1f GFLOP/s\n",
                    i + 1, count, r->kernel->name, r->n, p.threads, r->one_rank_gflops);
    }
    mb_quiet_barrier();
    mb_onerank_end(&p);
}

/* Each row against single-node matbench on the same cores (one host
 * only), run by rank 0 while the others wait without spinning. */
static void compare_one_process(const struct mpi_options *o, const struct mb_dist_header *h,
                                int cores, struct mb_dist_result *rows, size_t count)
{
    struct mb_machine m;
    const char *cpus = mb_machine_probe(&m, NULL) == MB_OK ? m.usable_cpu_list : "";
    struct mb_oneproc p = {.seed = o->seed, .repeat = o->repeat, .warmup = o->warmup};
    const char *why = h->nhosts > 1 ? "the ranks run on several hosts" : NULL;
    if (why == NULL)
        why = mb_oneproc_prepare(&p, cpus, cores);
    int can = why == NULL; /* rank 0 decides, so that every rank takes the same path */
    MPI_Bcast(&can, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!can && why == NULL)
        why = "rank 0 cannot run it";
    if (can)
        why = NULL;
    for (size_t i = 0; i < count; i++) {
        struct mb_dist_result *r = &rows[i];
        if (why != NULL) {
            snprintf(r->one_process_why, sizeof r->one_process_why, "%s", why);
            continue;
        }
        if (rank_of_world() == 0)
            r->one_process_gflops = mb_oneproc_gflops(
                &p, r->kernel->single, r->n, r->one_process_why, sizeof r->one_process_why);
        r->vs_one_process = r->gflops / r->one_process_gflops;
        if (rank_of_world() == 0)
            mb_keep_rows(h, rows, count);
        if (rank_of_world() == 0 && !o->quiet)
            fprintf(stderr,
                    "matbench-mpi: [%zu/%zu] %s n = %zu in one process (LAPACK): %.1f GFLOP/s\n",
                    i + 1, count, r->kernel->single, r->n, r->one_process_gflops);
        mb_quiet_barrier();
    }
}

/* The FMA peak of the cores the ranks use, all hosts added up: on each
 * host its first rank measures the one-core peak (one core, because mpirun
 * may have bound it to one) while the host's other ranks sleep, times the
 * cores its ranks use (ranks x threads, at most the host's cores; the
 * all-core clock may be lower). NAN with --no-peak or when it fails. */
static double aggregate_peak(const struct mpi_options *o, int threads, int on_host)
{
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int local;
    MPI_Comm_rank(node, &local);
    double host = 0, total = 0;
    if (o->peak && local == 0) {
        struct mb_peak pk;
        struct mb_machine m;
        int cores = mb_machine_probe(&m, NULL) == MB_OK ? m.physical_cores : 1;
        int used = on_host * threads < cores ? on_host * threads : cores;
        if (mb_peak_measure_settled(mb_isa_widest(), 1, MB_PEAK_DEFAULT_PHASE_S, &pk, NULL) ==
            MB_OK)
            host = pk.per_core_gflops * used;
    }
    mb_quiet_barrier();
    MPI_Comm_free(&node);
    bool every = all_ok(!o->peak || local != 0 || host > 0);
    MPI_Allreduce(&host, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return o->peak && every && total > 0 ? total : NAN;
}

/* --output must be a file rank 0 can write, in a folder that exists: bad
 * input, found before anything runs (the report is written at the end). */
static enum mb_status check_output(const char *path, struct mb_diag *d)
{
    if (path == NULL)
        return MB_OK;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash != NULL)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return mb_diag_set(d, MB_USAGE, "output: '%s' is a folder (a file name is allowed)", path);
    bool ok = path[0] != '\0' && access(dir, W_OK | X_OK) == 0 &&
              (access(path, F_OK) != 0 || access(path, W_OK) == 0);
    if (!ok)
        return mb_diag_set(d, MB_USAGE,
                           "output: '%s' cannot be written (no such folder, or no "
                           "permission)",
                           path);
    return MB_OK;
}

/* Rank 0 writes the report to --output or stdout. */
static enum mb_status write_report(const struct mpi_options *o, const struct mb_dist_header *h,
                                   const struct mb_dist_result *rows, size_t count,
                                   struct mb_diag *d)
{
    FILE *out = o->output != NULL ? fopen(o->output, "w") : stdout;
    if (out == NULL)
        return mb_diag_set(d, MB_IO, "output: cannot open '%s' for writing", o->output);
    enum mb_status st = mb_report_dist(out, o->format, h, rows, count, d);
    if (out != stdout && fclose(out) != 0 && st == MB_OK)
        st = mb_diag_set(d, MB_IO, "output: cannot write '%s'", o->output);
    return st;
}

/* Rank 0, after each row: a progress line, and the report a stop signal
 * would write. */
static void row_done(const struct mpi_options *o, const struct mb_dist_header *h,
                     const struct mb_dist_result *rows, size_t count)
{
    const struct mb_dist_result *r = &rows[count - 1];
    if (!o->quiet)
        fprintf(stderr, "matbench-mpi: [%zu/%zu] %s n = %zu: %.4g s, %.1f GFLOP/s, %s\n", count,
                o->sizes.n * o->kernels.n, r->kernel->name, r->n, r->time_s.median, r->gflops,
                !o->verify    ? "not checked"
                : r->verified ? "verified"
                              : "FAILED its check");
    mb_keep_rows(h, rows, count);
}

/* Runs every kernel at every size; stops at the first failure, which every
 * rank reaches together. */
static enum mb_status run_all(const struct mpi_options *o, int ictxt,
                              const struct mb_dist_header *h, struct mb_dist_result *rows,
                              size_t *count, struct mb_diag *d)
{
    enum mb_status st = MB_OK;
    for (size_t s = 0; st == MB_OK && s < o->sizes.n; s++) {
        struct mb_pctx c;
        st = mb_pctx_init(&c, ictxt, MPI_COMM_WORLD, o->sizes.v[s], o->nb, o->seed, d);
        if (!all_ok(st == MB_OK)) {
            mb_pctx_free(&c);
            return st != MB_OK ? st : mb_diag_set(d, MB_NOMEM, "allocation failed on a rank");
        }
        for (size_t k = 0; st == MB_OK && k < o->kernels.n; k++) {
            struct mb_dist_result *r = &rows[(*count)++];
            *r = (struct mb_dist_result){.kernel = o->kernels.v[k],
                                         .n = o->sizes.v[s],
                                         .ranks = h->ranks,
                                         .hosts = h->nhosts,
                                         .threads_per_rank = h->threads_per_rank,
                                         .grid = o->grid,
                                         .nb = o->nb,
                                         .repeat = o->repeat,
                                         .warmup = o->warmup,
                                         .one_rank_gflops = NAN,
                                         .efficiency = NAN,
                                         .one_process_gflops = NAN,
                                         .vs_one_process = NAN};
            st = mb_pkernel_measure(o->kernels.v[k], &c, passes_of(o), r, d);
            r->peak_fraction = r->gflops / h->peak_gflops;
            if (st == MB_USAGE || (st != MB_OK && st != MB_VERIFY))
                --*count; /* not measured */
            else if (rank_of_world() == 0)
                row_done(o, h, rows, *count);
        }
        mb_pctx_free(&c);
    }
    return st;
}

/* The defaults that depend on the run (the grid, an NB that fits every
 * size), then the checks made before anything is allocated. */
static enum mb_status check_options(struct mpi_options *o, int ranks, struct mb_diag *d)
{
    if (!o->grid_given)
        o->grid = mb_dist_default_grid(ranks);
    for (size_t s = 0; !o->nb_given && s < o->sizes.n; s++)
        o->nb = o->sizes.v[s] < o->nb ? (unsigned)o->sizes.v[s] : o->nb;
    enum mb_status st = mb_dist_check_grid(o->grid, ranks, d);
    for (size_t s = 0; st == MB_OK && s < o->sizes.n; s++)
        st = mb_dist_check_nb(o->nb, o->sizes.v[s], d);
    return st == MB_OK ? check_output(o->output, d) : st;
}

/* The text the header points to. */
struct header_text {
    char hosts[1024], library[MPI_MAX_LIBRARY_VERSION_STRING], blas[1024];
};

/* Every rank: where the run is and with what (hosts, MPI, BLAS of every
 * host, the threads per rank, the aggregate peak) into h. */
static void describe_run(const struct mpi_options *o, bool singleton, struct header_text *t,
                         struct mb_dist_header *h)
{
    int nhosts, on_host, len, ranks;
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    find_hosts(t->hosts, sizeof t->hosts, &nhosts, &on_host);
    MPI_Get_library_version(t->library, &len);
    t->library[strcspn(t->library, "\n,")] = '\0';
    int threads = threads_per_rank(o, on_host);
    struct mb_blas_info bi;
    mb_blas_info(&bi);
    char mine[160];
    snprintf(mine, sizeof mine, "%s %s (%s, core %s)", bi.name, bi.version, bi.threading, bi.core);
    every_host_blas(mine, t->blas, sizeof t->blas);
    *h = (struct mb_dist_header){.mpi_library = t->library,
                                 .scalapack = MB_SCALAPACK_VERSION,
                                 .blas = t->blas,
                                 .hosts = t->hosts,
                                 .ranks = ranks,
                                 .nhosts = nhosts,
                                 .grid = o->grid,
                                 .nb = o->nb,
                                 .threads_per_rank = threads,
                                 .singleton = singleton,
                                 .peak_gflops = aggregate_peak(o, threads, on_host)};
    if (singleton && o->format != MB_FORMAT_TABLE && o->format != MB_FORMAT_MARKDOWN)
        fprintf(stderr, "matbench-mpi: started without mpirun: one rank (an MPI singleton); "
                        "mpirun -np P matbench-mpi runs P\n");
}

/* The memory check (bad input: before anything is allocated), the rows
 * on the grid into *rows, then the comparisons. */
static enum mb_status run_and_compare(const struct mpi_options *o, const struct mb_dist_header *h,
                                      struct mb_dist_result **rows, size_t *count,
                                      struct mb_diag *d)
{
    int ictxt, myrow, mycol, nprow, npcol;
    Cblacs_get(-1, 0, &ictxt);
    Cblacs_gridinit(&ictxt, "Row", o->grid.p, o->grid.q);
    Cblacs_gridinfo(ictxt, &nprow, &npcol, &myrow, &mycol);
    enum mb_status st = check_memory(o, myrow, mycol, d);
    if (st == MB_OK) {
        *rows = calloc(o->sizes.n * o->kernels.n, sizeof **rows);
        if (!all_ok(*rows != NULL))
            st = mb_diag_set(d, MB_NOMEM, "cannot allocate the results on a rank");
    }
    if (st == MB_OK && rank_of_world() == 0) {
        mb_keep_start(o->output, o->format);
        mb_keep_rows(h, *rows, 0);
    }
    if (st == MB_OK)
        st = run_all(o, ictxt, h, *rows, count, d);
    Cblacs_gridexit(ictxt);
    if (st == MB_OK && o->one_process) {
        /* the same cores as the run: its ranks x threads, at most the host's CPUs they may use */
        int cpus = mb_host_cpus(), all = h->ranks * h->threads_per_rank;
        int cores = all < cpus ? all : cpus;
        compare_one_rank(o, h, cores, *rows, *count);
        compare_one_process(o, h, cores, *rows, *count);
    }
    return st;
}

/* Rank 0: the report; a stop signal that came while it was written ends
 * the program now, with its code. */
static enum mb_status final_report(const struct mpi_options *o, const struct mb_dist_header *h,
                                   const struct mb_dist_result *rows, size_t count,
                                   struct mb_diag *d)
{
    mb_keep_final(); /* a signal from now on waits for the report */
    enum mb_status st = count > 0 ? write_report(o, h, rows, count, d) : MB_OK;
    int sig = mb_keep_pending();
    if (sig != 0) {
        fprintf(stderr, "matbench-mpi: interrupted by %s; the report is written\n",
                sig == SIGINT    ? "SIGINT"
                : sig == SIGTERM ? "SIGTERM"
                                 : "SIGHUP");
        _exit(128 + sig);
    }
    mb_keep_end();
    return st;
}

int main(int argc, char **argv)
{
    /* mpirun and srun set these before the process starts; a singleton's
     * MPI_Init sets PMIX_RANK itself, so they are read first */
    bool singleton = getenv("OMPI_COMM_WORLD_SIZE") == NULL && getenv("PMIX_RANK") == NULL &&
                     getenv("PMI_RANK") == NULL && getenv("SLURM_PROCID") == NULL;
    MPI_Init(&argc, &argv);
    int rank, ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    struct mb_diag d = {0};
    struct mpi_options o;
    enum mb_status st = parse_options(argc, argv, &o, &d);
    if (st == MB_HELP) {
        if (rank == 0)
            fputs(usage, stdout);
        return finish(0, NULL);
    }
    if (st == MB_OK)
        st = check_options(&o, ranks, &d);
    if (st != MB_OK)
        return finish(mb_exit_code(st), &d);

    struct header_text text;
    struct mb_dist_header h;
    describe_run(&o, singleton, &text, &h);
    struct mb_dist_result *rows = NULL;
    size_t count = 0;
    st = run_and_compare(&o, &h, &rows, &count, &d);
    struct mb_diag wd = {0};
    enum mb_status wst = rank == 0 ? final_report(&o, &h, rows, count, &wd) : MB_OK;
    for (size_t i = 0; rows != NULL && i < count; i++)
        free(rows[i].samples);
    free(rows);
    if (st == MB_OK && wst != MB_OK)
        st = wst, d = wd;
    return finish(mb_exit_code(st), st == MB_OK ? NULL : &d);
}
