/* The text reports about the machine rather than a run: matbench info,
 * peak, coretypes and kernels. Their JSON is in json.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "matbench/report.h"
#include "matbench/version.h"
#include "mb_internal.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

/* A cache size in KiB or MiB, whichever is whole. */
static void format_bytes(char *buf, size_t cap, unsigned long long bytes)
{
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
        snprintf(buf, cap, "%llu MiB", bytes / (1024 * 1024));
    else
        snprintf(buf, cap, "%llu KiB", bytes / 1024);
}

/* The machine and BLAS facts alone (matbench info), like NumPy's
 * show_config. When something limits the CPUs this process may use, the
 * cores line says how many it may use and what limits it
 * ("2 physical cores; 1 usable by this process (affinity: CPU 0)"). */
void mb_report_info(FILE *out, const struct mb_machine *m, const struct mb_blas_info *b)
{
    fprintf(out, "matbench %s\n", MB_VERSION_STRING);
    fprintf(out, "BLAS      %s %s, core type %s, threading %s, at most %d threads\n", b->name,
            b->version, b->core, b->threading, b->max_threads);
    fprintf(out, "          config: %s\n", b->config);
    fprintf(out, "          OPENBLAS_NUM_THREADS: %s%s%s; BLAS threads now: %d\n",
            b->env_set ? "'" : "", b->env_set ? b->env_value : "unset", b->env_set ? "'" : "",
            b->threads);
    fprintf(out, "LAPACK    %s through LAPACKE; dgetrf_ from %s\n", b->lapack_version,
            b->lapack_library);
    fprintf(out, "CPU       %s\n", m->cpu);
    if (m->usable_limits != 0)
        fprintf(out,
                "          %d physical cores; %d usable by this process (%s)\n"
                "          %d logical CPUs (%s); SIMD: %s\n",
                m->physical_cores, mb_machine_usable_cores(m), m->usable_why, m->logical_cores,
                m->smt > 1 ? "SMT" : "no SMT", m->simd);
    else
        fprintf(out, "          %d physical cores, %d logical CPUs (%s); SIMD: %s\n",
                m->physical_cores, m->logical_cores, m->smt > 1 ? "SMT" : "no SMT", m->simd);
    const struct {
        const char *name;
        const struct mb_cache *c;
    } caches[] = {{"L1d", &m->l1d}, {"L2", &m->l2}, {"L3", &m->l3}};
    fprintf(out, "          caches:");
    for (size_t i = 0; i < MB__ARRAY_SIZE(caches); i++) {
        char size[32];
        format_bytes(size, sizeof size, caches[i].c->bytes);
        if (caches[i].c->count > 0)
            fprintf(out, "%s %s %s x %d", i ? "," : "", caches[i].name, size, caches[i].c->count);
        else
            fprintf(out, "%s %s unknown", i ? "," : "", caches[i].name);
    }
    fputc('\n', out);
    fprintf(out, "Memory    %.1f GiB total, %.1f GiB available\n", (double)m->mem_total_bytes / GIB,
            (double)m->mem_available_bytes / GIB);
}

/* matbench peak: the FMA loop's figures for each instruction set measured,
 * widest first, and which one a run compares its results with. */
void mb_report_peak(FILE *out, const struct mb_machine *m, const struct mb_peak *pk, size_t count)
{
    fprintf(out, "matbench %s: double-precision peak, measured with a register-resident loop\n",
            MB_VERSION_STRING);
    fprintf(out, "CPU       %s, %d physical cores", m->cpu, m->physical_cores);
    if (m->usable_limits != 0)
        fprintf(out, "; %d usable by this process (%s)", mb_machine_usable_cores(m), m->usable_why);
    fprintf(out, "\n\n");
    fprintf(out, "%-9s %7s %9s %18s %22s\n", "ISA", "lanes", "flops/op", "one core GFLOP/s",
            "all cores GFLOP/s");
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%-9s %7u %9u %18.1f %15.1f on %2d%s\n", mb_isa_name(pk[i].isa),
                mb_isa_lanes(pk[i].isa), mb_isa_flops_per_instruction(pk[i].isa),
                pk[i].per_core_gflops, pk[i].all_cores_gflops, pk[i].cores,
                i == 0 ? "   <- runs compare with this one" : "");
    fprintf(out, "\nflops/op: a fused multiply-add on every lane counts 2 flops (SSE2 has no FMA: "
                 "one multiply or add).\nEach figure is the best of many ~10 ms chunks: noise "
                 "only ever slows a chunk down.\n");
}

/* matbench coretypes as a table: each core type's GFLOP/s and its ratio to
 * the one OpenBLAS detects, the fastest, and how to use it. */
void mb_report_coretypes(FILE *out, const struct mb_coretype_report *r)
{
    fprintf(out,
            "matbench %s: cblas_dgemm at n = %zu on %d thread%s under each OpenBLAS core type\n"
            "this CPU can run, each in a child process started with OPENBLAS_CORETYPE set.\n"
            "CPU       %s\nIn use    %s",
            MB_VERSION_STRING, r->n, r->threads, r->threads == 1 ? "" : "s", r->machine->cpu,
            r->detected);
    if (r->env != NULL)
        fprintf(out, " (OPENBLAS_CORETYPE=%s is set in the environment)",
                mb_printable(r->env, (char[48]){0}, 48));
    else
        fprintf(out, " (OpenBLAS's own choice for this CPU)");
    fprintf(out, "\n\n");
    char vs[64];
    snprintf(vs, sizeof vs, "vs %s", r->detected);
    fprintf(out, "%-13s %-7s %9s %12s  %s\n", "core type", "ISA", "GFLOP/s", vs, "note");
    const struct mb_coretype_probe *base = r->baseline >= 0 ? &r->rows[r->baseline].probe : NULL;
    for (size_t i = 0; i < r->count; i++) {
        const struct mb_coretype_row *row = &r->rows[i];
        const struct mb_coretype_probe *pr = &row->probe;
        char gf[32] = "-", ratio[32] = "-", note[320] = "";
        if (row->missing != NULL) {
            snprintf(note, sizeof note, "not tried: this CPU has no %s", row->missing);
        } else if (!pr->ok) {
            snprintf(note, sizeof note, "failed: %s", pr->error);
        } else {
            snprintf(gf, sizeof gf, "%.1f", pr->gflops);
            if (base != NULL)
                snprintf(ratio, sizeof ratio, "%.2fx", pr->gflops / base->gflops);
            size_t len = 0;
            if ((int)i == r->baseline)
                len += (size_t)snprintf(note + len, sizeof note - len, "in use ");
            if ((int)i == r->best)
                len += (size_t)snprintf(note + len, sizeof note - len, "fastest ");
            if (strcasecmp(pr->core, row->type->name) != 0)
                snprintf(note + len, sizeof note - len, "(OpenBLAS ran %s)", pr->core);
        }
        fprintf(out, "%-13s %-7s %9s %12s  %s\n", row->type->name, row->type->isa, gf, ratio, note);
    }
    if (r->interrupted)
        fprintf(out, "\nInterrupted: these %zu core types were probed; the others were not.\n",
                r->count);
    if (r->best < 0)
        return;
    const struct mb_coretype_row *best = &r->rows[r->best];
    fprintf(out, "\nFastest: %s, %.1f GFLOP/s", best->type->name, best->probe.gflops);
    if (base != NULL)
        fprintf(out, ", %.2f times %s, the one in use", best->probe.gflops / base->gflops,
                r->detected);
    fprintf(out,
            ".\nUse it:  matbench %zu --coretype %s\nor for any program on this OpenBLAS "
            "(NumPy too):  OPENBLAS_CORETYPE=%s program ...\n",
            r->n, best->type->name, best->type->name);
}

/* matbench kernels: every registered kernel, what it runs on, its flop
 * count and its lesson. */
void mb_report_kernels(FILE *out)
{
    int width = 6;
    for (size_t i = 0; i < mb_kernel_count(); i++)
        width = (int)fmax(width, (double)strlen(mb_kernel_at(i)->name));
    fprintf(out, "%-*s  %-22s  %s\n", width, "kernel", "runs on", "flops");
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        fprintf(out, "%-*s  %-22s  %s\n%*s  %s\n", width, k->name, mb_kernel_workers(k),
                k->flops_formula, width, "", k->lesson);
    }
    fprintf(out, "\n--kernels takes a list of these names, and the groups");
    unsigned bit;
    const char *group;
    for (size_t g = 0; (group = mb_kernel_group_name(g, &bit)) != NULL; g++) {
        fprintf(out, "%s %s (", g ? " and" : "", group);
        for (size_t i = 0, shown = 0; i < mb_kernel_count(); i++)
            if (mb_kernel_at(i)->groups & bit)
                fprintf(out, "%s%s", shown++ ? "," : "", mb_kernel_at(i)->name);
        fputc(')', out);
    }
    fputs(".\n", out);
}
