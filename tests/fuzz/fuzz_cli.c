/* libFuzzer harness for the command line, mb_cli_parse, on a fake argv.
 *
 * Input: words separated by NUL or newline bytes (at most MAX_WORDS; argv[0]
 * is "matbench"), then optionally a 0x1e byte and the text of a config file.
 * A word "@", or one ending in "=@", names that file (kept in memory, see
 * fuzz_file_write), so --config @ runs the INI keys through the real
 * option table. Inputs with a '/' in a word are skipped: the harness must
 * not make matbench read files of the machine (--config /dev/stdin).
 *
 * Each call probes the machine with hwloc and reads /proc/meminfo, as the
 * real front end does; that keeps it honest and costs speed. One hwloc
 * topology stays open for the process (never loaded): without it hwloc
 * dlopens and dlcloses its plugins (OpenCL, GL, ...) on every probe, which
 * took 5 times as long as the probe itself. */
#include <hwloc.h>
#include <stdbool.h>

#include "fuzz_common.h"
#include "matbench/blas.h"
#include "matbench/cli.h"
#include "matbench/plan.h"

#define MAX_WORDS 32
#define CONFIG_MARK 0x1e

/* Checks what mb_cli_parse promises about a plan it accepted. */
static void check_plan(const struct mb_options *o)
{
    const struct mb_plan *p = &o->plan;
    if (o->command != MB_CMD_RUN && o->command != MB_CMD_CORETYPES)
        return;
    FUZZ_CHECK(p->sizes.n >= 1 && p->sizes.n <= MB_PLAN_MAX_SIZES, "%zu sizes", p->sizes.n);
    for (size_t i = 0; i < p->sizes.n; i++)
        FUZZ_CHECK(p->sizes.v[i] >= 1 && p->sizes.v[i] <= MB_N_MAX, "size %zu", p->sizes.v[i]);
    FUZZ_CHECK(p->kernels.n >= 1 && p->kernels.n <= MB_PLAN_MAX_KERNELS, "%zu kernels",
               p->kernels.n);
    for (size_t i = 0; i < p->kernels.n; i++)
        FUZZ_CHECK(p->kernels.v[i] != NULL, "kernel %zu is NULL", i);
    if (o->command != MB_CMD_RUN)
        return;
    FUZZ_CHECK(p->threads.n >= 1 && p->threads.n <= MB_PLAN_MAX_THREADS, "%zu thread counts",
               p->threads.n);
    for (size_t i = 0; i < p->threads.n; i++)
        FUZZ_CHECK(p->threads.v[i] >= 1 && p->threads.v[i] <= mb_blas_max_threads(),
                   "thread count %d", p->threads.v[i]);
    FUZZ_CHECK(p->repeat >= 1 && p->repeat <= MB_REPEAT_MAX, "repeat %u", p->repeat);
    FUZZ_CHECK(p->warmup <= MB_WARMUP_MAX, "warmup %u", p->warmup);
    FUZZ_CHECK(p->nrhs >= 1 && p->nrhs <= MB_NRHS_MAX, "nrhs %u", p->nrhs);
    FUZZ_CHECK(p->naive_budget_s >= 0 && p->naive_budget_s <= MB_BUDGET_MAX_S, "budget %g",
               p->naive_budget_s);
    FUZZ_CHECK(p->duration_s >= 0 && p->duration_s <= MB_DURATION_MAX_S, "duration %g",
               p->duration_s);
    FUZZ_CHECK(o->front.output == NULL || o->front.output[0] != '\0', "an empty output file name");
}

static hwloc_topology_t hwloc_kept; /* keeps hwloc's plugins loaded */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool hwloc_ready;
    if (!hwloc_ready)
        hwloc_ready = hwloc_topology_init(&hwloc_kept) == 0;
    const uint8_t *mark = memchr(data, CONFIG_MARK, size);
    size_t args_size = mark != NULL ? (size_t)(mark - data) : size;
    if (memchr(data, '/', args_size) != NULL)
        return -1;
    const char *path =
        mark != NULL ? fuzz_file_write(mark + 1, size - args_size - 1) : fuzz_file_write(NULL, 0);
    if (path == NULL)
        return 0;

    char *words[MAX_WORDS + 2] = {"matbench"};
    int argc = 1;
    bool ok = true;
    for (size_t start = 0; start <= args_size && argc <= MAX_WORDS && ok;) {
        size_t end = start;
        while (end < args_size && data[end] != '\0' && data[end] != '\n')
            end++;
        if (end == args_size && start == end && (argc > 1 || args_size == 0))
            break; /* no input, or a separator that ends the last word */
        size_t len = end - start;
        bool at = len >= 1 && data[end - 1] == '@' && (len == 1 || data[end - 2] == '=');
        size_t plen = at ? strlen(path) : 0;
        char *w = malloc(len - (at ? 1 : 0) + plen + 1);
        if (w == NULL) {
            ok = false;
            break;
        }
        memcpy(w, data + start, len - (at ? 1 : 0));
        memcpy(w + len - (at ? 1 : 0), path, plen);
        w[len - (at ? 1 : 0) + plen] = '\0';
        words[argc++] = w;
        start = end + 1;
    }
    words[argc] = NULL;

    if (ok) {
        /* getopt_long permutes argv; the words are freed from a copy */
        char *argv[MAX_WORDS + 2];
        memcpy(argv, words, sizeof argv);
        struct mb_options o;
        struct mb_diag d = {0};
        enum mb_status st = mb_cli_parse(argc, argv, &o, &d);
        fuzz_check_message(st, &d);
        FUZZ_CHECK(st == MB_OK || st == MB_USAGE || st == MB_HELP || st == MB_VERSION ||
                       st == MB_NOMEM,
                   "status %s: %s", mb_status_name(st), d.msg);
        if (st == MB_OK)
            check_plan(&o);
    }
    for (int i = 1; i < argc; i++)
        free(words[i]);
    return 0;
}
