/* Machine facts: cores and caches from hwloc's topology, the CPU model, the
 * SIMD extensions the CPU reports, memory from /proc/meminfo, and the cores
 * and CPUs this process may use (mb_cpulimit's limits on that topology). */
#include "matbench/machine.h"

#include <errno.h>
#include <hwloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/cpu.h"
#include "matbench/cpulimit.h"

/* ---- memory, from /proc/meminfo ------------------------------------------ */

/* /proc/meminfo is about 1.5 KiB; the lines matbench reads come first. */
#define MEMINFO_BYTES 8192

/* Reads /proc/meminfo into buf (MEMINFO_BYTES), NUL-terminated. Returns
 * false, with errno set, when it cannot be opened. */
static bool read_meminfo_text(char *buf)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f == NULL)
        return false;
    size_t len = fread(buf, 1, MEMINFO_BYTES - 1, f);
    fclose(f);
    buf[len] = '\0';
    return true;
}

/* Reads "key:  <number> kB" from /proc/meminfo-formatted text into bytes.
 * Returns MB_RUNTIME when the key is absent or malformed. */
enum mb_status mb_meminfo_parse(const char *text, const char *key, uint64_t *bytes)
{
    size_t klen = strlen(key);
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            char *end;
            errno = 0;
            unsigned long long kb = strtoull(line + klen + 1, &end, 10);
            if (errno != 0 || end == line + klen + 1 || kb > UINT64_MAX / 1024)
                return MB_RUNTIME;
            *bytes = (uint64_t)kb * 1024;
            return MB_OK;
        }
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return MB_RUNTIME;
}

/* The kernel's estimate of memory available to a new process without
 * swapping (MemAvailable in /proc/meminfo), in bytes. */
enum mb_status mb_mem_available(uint64_t *bytes, struct mb_diag *d)
{
    char buf[MEMINFO_BYTES];
    if (!read_meminfo_text(buf))
        return mb_diag_set(d, MB_RUNTIME, "cannot read /proc/meminfo: %s", strerror(errno));
    if (mb_meminfo_parse(buf, "MemAvailable", bytes) != MB_OK)
        return mb_diag_set(d, MB_RUNTIME, "no MemAvailable line in /proc/meminfo");
    return MB_OK;
}

/* Fills m's total and available memory; leaves them as they were when
 * /proc/meminfo cannot be read. */
static void read_meminfo(struct mb_machine *m)
{
    char buf[MEMINFO_BYTES];
    if (!read_meminfo_text(buf))
        return;
    (void)mb_meminfo_parse(buf, "MemTotal", &m->mem_total_bytes);
    (void)mb_meminfo_parse(buf, "MemAvailable", &m->mem_available_bytes);
}

/* The size of the first cache of a level (data or unified, not an
 * instruction cache) and how many of that level there are. */
static struct mb_cache probe_cache(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    struct mb_cache c = {0, 0};
    int n = hwloc_get_nbobjs_by_type(topo, type);
    for (int i = 0; i < n; i++) {
        hwloc_obj_t obj = hwloc_get_obj_by_type(topo, type, (unsigned)i);
        if (obj->attr == NULL || obj->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION)
            continue;
        if (c.count++ == 0)
            c.bytes = (unsigned long long)obj->attr->cache.size;
    }
    return c;
}

/* Appends "; " and the text to m->usable_why. */
static void append_why(struct mb_machine *m, const char *text)
{
    size_t len = strlen(m->usable_why);
    snprintf(m->usable_why + len, sizeof m->usable_why - len, "%s%s", len ? "; " : "", text);
}

/* Fills the usable_* fields of m: the CPUs of the topology that this
 * process's affinity mask and cgroup cpuset allow, the physical cores with
 * at least one of them (a core counts once, however many of its SMT
 * siblings are allowed), capped by the CPU quota (mb_cpulimit_usable_cores
 * says why ceil), and what does the limiting. The kernel keeps the affinity
 * mask within the cpuset, so a cpuset is named as the limit only when it
 * alone explains the CPUs allowed. */
static void probe_usable(hwloc_topology_t topo, struct mb_machine *m)
{
    struct mb_cpulimit lim;
    mb_cpulimit_probe(&lim);
    struct mb_cpuset machine = {{0}}, allowed, cpuset;
    int npus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    for (int i = 0; i < npus; i++)
        mb_cpulimit_set(&machine,
                        (int)hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)i)->os_index);
    allowed = machine;
    if (lim.affinity_cpus > 0)
        mb_cpulimit_intersect(&allowed, &lim.affinity);
    cpuset = machine;
    if (lim.cpuset_cpus > 0) {
        mb_cpulimit_intersect(&cpuset, &lim.cpuset);
        mb_cpulimit_intersect(&allowed, &lim.cpuset);
    }
    if (mb_cpulimit_count(&allowed) == 0) /* hwloc and the kernel disagree: trust the kernel */
        allowed = lim.affinity_cpus > 0 ? lim.affinity : machine;
    m->usable_cpus = mb_cpulimit_count(&allowed);
    if (m->usable_cpus < 1)
        m->usable_cpus = m->logical_cores;
    mb_cpulimit_format_cpuset(&allowed, m->usable_cpu_list, sizeof m->usable_cpu_list);

    int cores = 0;
    int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    for (int i = 0; i < ncores; i++) {
        hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)i);
        bool any = false;
        for (int pu = hwloc_bitmap_first(core->cpuset); pu >= 0 && !any;
             pu = hwloc_bitmap_next(core->cpuset, pu))
            any = mb_cpulimit_has(&allowed, pu);
        cores += any;
    }
    if (ncores < 1 || cores < 1)
        cores = ncores < 1 ? m->usable_cpus : 1;
    m->usable_quota = lim.quota_cpus;
    m->usable_cores = mb_cpulimit_usable_cores(cores, lim.quota_cpus);

    char text[sizeof m->usable_cpu_list + 32];
    if (m->usable_cpus < npus) {
        bool by_cpuset = lim.cpuset_cpus > 0 && mb_cpulimit_count(&cpuset) < npus &&
                         mb_cpulimit_equal(&cpuset, &allowed);
        m->usable_limits |= by_cpuset ? MB_LIMIT_CPUSET : MB_LIMIT_AFFINITY;
        snprintf(text, sizeof text, "%s: CPU%s %s", by_cpuset ? "cgroup cpuset" : "affinity",
                 m->usable_cpus == 1 ? "" : "s", m->usable_cpu_list);
        append_why(m, text);
    }
    if (lim.quota_cpus > 0 && lim.quota_cpus < (double)m->usable_cpus) {
        m->usable_limits |= MB_LIMIT_QUOTA;
        snprintf(text, sizeof text, "CPU quota %g", lim.quota_cpus);
        append_why(m, text);
    }
}

/* The cores this process may keep busy: usable_cores, or the physical
 * cores for a machine filled in by hand without it (at least 1). This is
 * the count thread defaults, "cores" in thread lists and the all-cores
 * peak use. */
int mb_machine_usable_cores(const struct mb_machine *m)
{
    int cores = m->usable_cores > 0 ? m->usable_cores : m->physical_cores;
    return cores > 0 ? cores : 1;
}

/* Fills m. Physical cores are hwloc's CORE objects and logical CPUs its PU
 * objects, the whole machine's, including CPUs this process may not use
 * (the usable_* fields say which it may: probe_usable); SMT is logical per
 * physical; a cache level is its first data or unified cache (with the
 * number of them), 0 bytes when hwloc reports none; the CPU model is
 * the first "CPUModel" info hwloc found on a package. Returns MB_RUNTIME
 * when the topology cannot be read. */
enum mb_status mb_machine_probe(struct mb_machine *m, struct mb_diag *d)
{
    memset(m, 0, sizeof *m);
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0)
        return mb_diag_set(d, MB_RUNTIME, "hwloc: cannot initialise the topology");
    /* the whole machine, also the CPUs a cgroup cpuset forbids: they are
     * counted apart as not usable */
    if (hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED) != 0 ||
        hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return mb_diag_set(d, MB_RUNTIME, "hwloc: cannot load the topology");
    }
    m->physical_cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    m->logical_cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    if (m->physical_cores < 1)
        m->physical_cores = m->logical_cores > 0 ? m->logical_cores : 1;
    if (m->logical_cores < 1)
        m->logical_cores = m->physical_cores;
    m->smt = m->logical_cores / m->physical_cores > 0 ? m->logical_cores / m->physical_cores : 1;
    m->l1d = probe_cache(topo, HWLOC_OBJ_L1CACHE);
    m->l2 = probe_cache(topo, HWLOC_OBJ_L2CACHE);
    m->l3 = probe_cache(topo, HWLOC_OBJ_L3CACHE);

    const char *model = NULL;
    for (hwloc_obj_t obj = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
         obj != NULL && model == NULL; obj = obj->next_cousin)
        model = hwloc_obj_get_info_by_name(obj, "CPUModel");
    if (model == NULL)
        model = hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo), "CPUModel");
    snprintf(m->cpu, sizeof m->cpu, "%s", model != NULL ? model : "unknown");
    for (size_t len = strlen(m->cpu); len > 0 && m->cpu[len - 1] == ' ';)
        m->cpu[--len] = '\0';
    probe_usable(topo, m);
    hwloc_topology_destroy(topo);

    mb_cpu_simd_list(m->simd, sizeof m->simd);
    read_meminfo(m);
    return MB_OK;
}
