/* Machine facts: cores and caches from hwloc's topology, the CPU model, the
 * SIMD extensions the CPU reports, and memory from /proc/meminfo. */
#include "matbench/machine.h"

#include <hwloc.h>
#include <stdio.h>
#include <string.h>

#include "matbench/matrix.h"

static void append_simd(char *dst, size_t cap, const char *name)
{
    size_t len = strlen(dst);
    snprintf(dst + len, cap - len, "%s%s", len ? " " : "", name);
}

/* The vector extensions that matter for double-precision GEMM, widest
 * first, as the CPU reports them (cpuid through gcc's builtins). */
static void probe_simd(char *dst, size_t cap)
{
    dst[0] = '\0';
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        append_simd(dst, cap, "avx512f");
    if (__builtin_cpu_supports("avx2"))
        append_simd(dst, cap, "avx2");
    if (__builtin_cpu_supports("fma"))
        append_simd(dst, cap, "fma");
    if (__builtin_cpu_supports("avx"))
        append_simd(dst, cap, "avx");
    if (__builtin_cpu_supports("sse2"))
        append_simd(dst, cap, "sse2");
    if (dst[0] == '\0')
        snprintf(dst, cap, "none");
}

static void read_meminfo(struct mb_machine *m)
{
    char buf[8192];
    FILE *f = fopen("/proc/meminfo", "r");
    if (f == NULL)
        return;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
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

/* Fills m. Physical cores are hwloc's CORE objects and logical CPUs its PU
 * objects, both within the CPUs this process may run on; SMT is logical per
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
    if (hwloc_topology_load(topo) != 0) {
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
    hwloc_topology_destroy(topo);

    probe_simd(m->simd, sizeof m->simd);
    read_meminfo(m);
    return MB_OK;
}
