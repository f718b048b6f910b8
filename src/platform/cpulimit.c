/* CPU limits: the affinity mask, the cgroup cpuset and the cgroup CPU quota
 * of this process, which containers, taskset and `docker --cpus` use to give
 * it fewer CPUs than the machine has. The text parsers are separate from the
 * file reading so that tests can feed them fixtures. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_ISSET */
#include "matbench/cpulimit.h"

#include "mb_internal.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* The largest /proc/self/mountinfo read (a busy container host has a few
 * thousand mounts of ~150 bytes); beyond it the cgroups are not looked at. */
#define MOUNTINFO_MAX_BYTES (4u << 20)

/* ---- CPU sets ----------------------------------------------------------- */

void mb_cpulimit_set(struct mb_cpuset *s, int cpu)
{
    if (cpu >= 0 && cpu < MB_CPULIMIT_MAX_CPUS)
        s->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

bool mb_cpulimit_has(const struct mb_cpuset *s, int cpu)
{
    return cpu >= 0 && cpu < MB_CPULIMIT_MAX_CPUS && (s->bits[cpu / 64] >> (cpu % 64) & 1) != 0;
}

int mb_cpulimit_count(const struct mb_cpuset *s)
{
    int n = 0;
    for (size_t i = 0; i < sizeof s->bits / sizeof s->bits[0]; i++)
        n += __builtin_popcountll(s->bits[i]);
    return n;
}

/* Keeps in s only the CPUs that are also in with. */
void mb_cpulimit_intersect(struct mb_cpuset *s, const struct mb_cpuset *with)
{
    for (size_t i = 0; i < sizeof s->bits / sizeof s->bits[0]; i++)
        s->bits[i] &= with->bits[i];
}

bool mb_cpulimit_equal(const struct mb_cpuset *a, const struct mb_cpuset *b)
{
    return memcmp(a->bits, b->bits, sizeof a->bits) == 0;
}

/* Writes s as Linux writes CPU lists, "0-3,8,10-11" ("" for an empty set).
 * A list longer than cap ends in ",..." and is always NUL-terminated. */
void mb_cpulimit_format_cpuset(const struct mb_cpuset *s, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    buf[0] = '\0';
    size_t len = 0;
    for (int cpu = 0; cpu < MB_CPULIMIT_MAX_CPUS; cpu++) {
        if (!mb_cpulimit_has(s, cpu))
            continue;
        int last = cpu;
        while (last + 1 < MB_CPULIMIT_MAX_CPUS && mb_cpulimit_has(s, last + 1))
            last++;
        char item[32];
        if (last == cpu)
            snprintf(item, sizeof item, "%s%d", len ? "," : "", cpu);
        else
            snprintf(item, sizeof item, "%s%d-%d", len ? "," : "", cpu, last);
        if (len + strlen(item) + 5 > cap) { /* room for ",..." and the NUL */
            if (len + 5 <= cap)
                snprintf(buf + len, cap - len, "%s...", len ? "," : "");
            return;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s", item);
        cpu = last;
    }
}

/* ---- parsers ------------------------------------------------------------ */

/* The text without the whitespace (the newline of a /sys file) at its ends,
 * copied into buf. Returns false when it does not fit. */
static bool trimmed(const char *text, char *buf, size_t cap)
{
    while (*text == ' ' || *text == '\t' || *text == '\n')
        text++;
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
        len--;
    if (len >= cap)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return true;
}

/* A decimal number of digits only from *p, at most max; advances *p past
 * it. Returns false when there are no digits or it exceeds max. */
static bool parse_decimal(const char **p, unsigned long long max, unsigned long long *out)
{
    const char *s = *p;
    unsigned long long v = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned digit = (unsigned)(*s - '0');
        if (v > (max - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *p = s;
    *out = v;
    return true;
}

/* A CPU list as Linux writes it (cpuset.cpus.effective, cpuset.cpus,
 * /sys/devices/system/cpu/online): comma-separated CPU numbers and
 * inclusive ranges "a-b", e.g. "0-3,8,10-11", with the trailing newline of
 * the file. An empty text is an empty set (a cgroup v2 cpuset not set
 * here); every CPU must be below MB_CPULIMIT_MAX_CPUS. On MB_USAGE, out is
 * empty and d names the text. */
enum mb_status mb_cpulimit_parse_cpuset(const char *text, struct mb_cpuset *out, struct mb_diag *d)
{
    memset(out, 0, sizeof *out);
    char buf[8192];
    if (!trimmed(text, buf, sizeof buf))
        return mb_diag_set(d, MB_USAGE, "cpuset: the list is longer than %zu bytes",
                           sizeof buf - 1);
    const char *p = buf;
    while (*p != '\0') {
        unsigned long long first, last;
        bool ok = parse_decimal(&p, MB_CPULIMIT_MAX_CPUS - 1, &first);
        last = first;
        if (ok && *p == '-') {
            p++;
            ok = parse_decimal(&p, MB_CPULIMIT_MAX_CPUS - 1, &last) && last >= first;
        }
        if (ok && *p == ',' && p[1] != '\0')
            p++;
        else if (ok && *p != '\0')
            ok = false;
        if (!ok) {
            memset(out, 0, sizeof *out);
            char shown[64];
            return mb_diag_set(d, MB_USAGE,
                               "cpuset: '%s' is not a CPU list (numbers and ranges below %d, "
                               "e.g. 0-3,8,10-11)",
                               mb_printable(buf, shown, sizeof shown), MB_CPULIMIT_MAX_CPUS);
        }
        for (unsigned long long cpu = first; cpu <= last; cpu++)
            mb_cpulimit_set(out, (int)cpu);
    }
    return MB_OK;
}

/* The quota in microseconds per period: at most an hour's worth, as the
 * kernel's own limits are far below it. */
#define QUOTA_MAX_US 3600000000ULL

/* cgroup v2 cpu.max: "QUOTA PERIOD" in microseconds, or "max PERIOD" for no
 * quota (the period alone may be missing, then it is the kernel's default
 * 100000). *cpus receives QUOTA / PERIOD, the CPUs' worth of time the
 * cgroup may use ("150000 100000" is 1.5), or 0 for "max". Returns MB_USAGE
 * for anything else (zero quota or period included). */
enum mb_status mb_cpulimit_parse_cpu_max(const char *text, double *cpus, struct mb_diag *d)
{
    *cpus = 0;
    char buf[128], shown[64];
    bool ok = trimmed(text, buf, sizeof buf);
    const char *p = buf;
    unsigned long long quota = 0, period = 100000;
    bool unlimited = ok && strncmp(p, "max", 3) == 0;
    if (unlimited)
        p += 3;
    else
        ok = ok && parse_decimal(&p, QUOTA_MAX_US, &quota) && quota > 0;
    if (ok && *p == ' ') {
        p++;
        ok = parse_decimal(&p, QUOTA_MAX_US, &period) && period > 0;
    }
    if (!ok || *p != '\0')
        return mb_diag_set(d, MB_USAGE,
                           "cpu.max: '%s' is not a quota (\"max PERIOD\" or \"QUOTA PERIOD\" in "
                           "microseconds, e.g. 150000 100000)",
                           mb_printable(ok ? buf : text, shown, sizeof shown));
    if (!unlimited)
        *cpus = (double)quota / (double)period;
    return MB_OK;
}

/* cgroup v1 cpu.cfs_quota_us and cpu.cfs_period_us: the quota in
 * microseconds per period, -1 for none. *cpus receives quota / period, or 0
 * for -1. Returns MB_USAGE for anything else. */
enum mb_status mb_cpulimit_parse_cfs(const char *quota_text, const char *period_text, double *cpus,
                                     struct mb_diag *d)
{
    *cpus = 0;
    char q[64], per[64], shown[64];
    unsigned long long quota = 0, period = 0;
    const char *p = per;
    if (!trimmed(period_text, per, sizeof per) || !parse_decimal(&p, QUOTA_MAX_US, &period) ||
        *p != '\0' || period == 0)
        return mb_diag_set(d, MB_USAGE,
                           "cpu.cfs_period_us: '%s' is not a period (microseconds, 1 or more)",
                           mb_printable(period_text, shown, sizeof shown));
    p = q;
    bool ok = trimmed(quota_text, q, sizeof q);
    if (ok && strcmp(q, "-1") == 0)
        return MB_OK;
    if (!ok || !parse_decimal(&p, QUOTA_MAX_US, &quota) || *p != '\0' || quota == 0)
        return mb_diag_set(d, MB_USAGE,
                           "cpu.cfs_quota_us: '%s' is not a quota (-1, or microseconds per "
                           "period)",
                           mb_printable(quota_text, shown, sizeof shown));
    *cpus = (double)quota / (double)period;
    return MB_OK;
}

/* Whether the comma-separated list has the item word. */
static bool list_has(const char *list, size_t len, const char *word)
{
    size_t wlen = strlen(word);
    for (const char *p = list, *end = list + len; p < end;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t item = comma != NULL ? (size_t)(comma - p) : (size_t)(end - p);
        if (item == wlen && strncmp(p, word, wlen) == 0)
            return true;
        p += item + 1;
    }
    return false;
}

/* From the text of /proc/self/cgroup ("ID:CONTROLLERS:PATH" lines), the
 * path of this process's cgroup: the cgroup v2 one ("0::/PATH") when
 * controller is NULL, else the cgroup v1 hierarchy whose controllers
 * include controller ("4:cpu,cpuacct:/PATH"). Returns false when there is
 * none or it does not fit in cap. */
bool mb_cpulimit_cgroup_path(const char *proc_cgroup, const char *controller, char *path,
                             size_t cap)
{
    for (const char *line = proc_cgroup; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        const char *end = nl != NULL ? nl : line + strlen(line);
        const char *c1 = memchr(line, ':', (size_t)(end - line));
        const char *c2 = c1 != NULL ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
        if (c2 != NULL) {
            size_t clen = (size_t)(c2 - c1 - 1);
            bool match = controller == NULL ? clen == 0 && c1 - line == 1 && line[0] == '0'
                                            : list_has(c1 + 1, clen, controller);
            size_t plen = (size_t)(end - c2 - 1);
            if (match && plen > 0 && c2[1] == '/' && plen < cap) {
                memcpy(path, c2 + 1, plen);
                path[plen] = '\0';
                return true;
            }
        }
        line = nl != NULL ? nl + 1 : end;
    }
    return false;
}

/* A mountinfo field with its octal escapes ("\040" for a space) decoded.
 * Returns false when it does not fit. */
static bool unescape(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        }
        if (o + 1 >= cap)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

/* The directory of the cgroup at path (from /proc/self/cgroup) in the
 * filesystem, from the text of /proc/self/mountinfo: the cgroup2 mount when
 * controller is NULL, else the cgroup v1 mount whose options name
 * controller. A mount of a sub-tree (its root field is not "/", as in a
 * container without a cgroup namespace) serves the paths under that root.
 * *mount_len receives the length of the mount point at the start of dir.
 * Returns false when no mount serves the path or dir (cap bytes) is too
 * small. */
bool mb_cpulimit_cgroup_dir(const char *mountinfo, const char *controller, const char *path,
                            char *dir, size_t cap, size_t *mount_len)
{
    for (const char *line = mountinfo; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        const char *end = nl != NULL ? nl : line + strlen(line);
        const char *next = nl != NULL ? nl + 1 : end;
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
        const char *field[5] = {0};
        size_t flen[5] = {0};
        const char *p = line;
        for (int i = 0; i < 5 && p < end; i++) {
            const char *sp = memchr(p, ' ', (size_t)(end - p));
            field[i] = p;
            flen[i] = sp != NULL ? (size_t)(sp - p) : (size_t)(end - p);
            p = sp != NULL ? sp + 1 : end;
        }
        const char *dash = NULL;
        for (const char *q = p; q + 2 < end && dash == NULL; q++)
            if (q[0] == '-' && q[1] == ' ' && q[-1] == ' ')
                dash = q;
        line = next;
        if (field[4] == NULL || dash == NULL)
            continue;
        const char *fstype = dash + 2;
        const char *sp = memchr(fstype, ' ', (size_t)(end - fstype));
        if (sp == NULL)
            continue;
        size_t tlen = (size_t)(sp - fstype);
        const char *source_end = memchr(sp + 1, ' ', (size_t)(end - sp - 1));
        const char *super = source_end != NULL ? source_end + 1 : end;
        bool match = controller == NULL ? tlen == 7 && strncmp(fstype, "cgroup2", 7) == 0
                                        : tlen == 6 && strncmp(fstype, "cgroup", 6) == 0 &&
                                              list_has(super, (size_t)(end - super), controller);
        char root[PATH_MAX], mount[PATH_MAX];
        if (!match || !unescape(field[3], flen[3], root, sizeof root) ||
            !unescape(field[4], flen[4], mount, sizeof mount))
            continue;
        const char *rest = path;
        if (strcmp(root, "/") != 0) {
            size_t rlen = strlen(root);
            if (strncmp(path, root, rlen) != 0 || (path[rlen] != '\0' && path[rlen] != '/'))
                continue;
            rest = path + rlen;
        }
        if (strcmp(rest, "/") == 0)
            rest = "";
        int n = snprintf(dir, cap, "%s%s", mount, rest);
        if (n < 0 || (size_t)n >= cap)
            continue;
        *mount_len = strlen(mount);
        return true;
    }
    return false;
}

/* The cores a process may keep busy: cores (the physical cores among its
 * CPUs, at least 1), capped at ceil(quota_cpus) when there is a quota. A
 * quota of 1.5 CPUs lets two threads run three quarters of the time each,
 * so two threads still use time one cannot; rounding down would leave that
 * half CPU unused, rounding up is what the kernel lets run at once. The
 * small tolerance keeps 2.0000000001 (a ratio of microseconds) at 2. */
int mb_cpulimit_usable_cores(int cores, double quota_cpus)
{
    if (cores < 1)
        cores = 1;
    if (quota_cpus > 0) {
        double cap = ceil(quota_cpus - 1e-9);
        if (cap < 1)
            cap = 1;
        if (cap < (double)cores)
            cores = (int)cap;
    }
    return cores;
}

/* ---- reading the files -------------------------------------------------- */

/* The file at path, whole, into buf (cap bytes, NUL-terminated). Returns
 * false when it cannot be read or fills buf (then it is not trusted). */
static bool read_small(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    size_t len = fread(buf, 1, cap - 1, f);
    bool ok = !ferror(f) && len < cap - 1;
    fclose(f);
    buf[len] = '\0';
    return ok;
}

/* The file at path, whole, in a malloc'd string (at most max bytes), or
 * NULL. */
static char *read_whole(const char *path, size_t max)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - 1 - len, f);
        if (ferror(f) || len < cap - 1)
            break;
        char *bigger = cap * 2 <= max ? realloc(buf, cap * 2) : NULL;
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf != NULL)
        buf[len] = '\0';
    return buf;
}

/* Removes the last component of dir unless that would go above the mount
 * point (the first top bytes). Returns false when dir is the mount point. */
static bool parent_dir(char *dir, size_t top)
{
    size_t len = strlen(dir);
    if (len <= top)
        return false;
    char *slash = strrchr(dir, '/');
    size_t cut = slash != NULL ? (size_t)(slash - dir) : top;
    dir[cut < top ? top : cut] = '\0';
    return true;
}

/* The cgroup directory of this process for the controller (NULL: cgroup v2)
 * and the length of its mount point's part (the walk up stops there). */
static bool cgroup_dir(const char *proc_cgroup, const char *mountinfo, const char *controller,
                       char *dir, size_t cap, size_t *top)
{
    char path[PATH_MAX];
    return mb_cpulimit_cgroup_path(proc_cgroup, controller, path, sizeof path) &&
           mb_cpulimit_cgroup_dir(mountinfo, controller, path, dir, cap, top);
}

/* The tightest quota on the way from dir up to its mount point: a parent's
 * quota limits its children too. Returns 0 when there is none. */
static double tightest_quota(char *dir, size_t top, int version)
{
    double best = 0;
    do {
        char file[PATH_MAX + 32], text[128], period[128];
        double cpus = 0;
        struct mb_diag d = {0};
        if (version == 2) {
            snprintf(file, sizeof file, "%s/cpu.max", dir);
            if (!read_small(file, text, sizeof text) ||
                mb_cpulimit_parse_cpu_max(text, &cpus, &d) != MB_OK)
                cpus = 0;
        } else {
            snprintf(file, sizeof file, "%s/cpu.cfs_quota_us", dir);
            bool ok = read_small(file, text, sizeof text);
            snprintf(file, sizeof file, "%s/cpu.cfs_period_us", dir);
            if (!ok || !read_small(file, period, sizeof period) ||
                mb_cpulimit_parse_cfs(text, period, &cpus, &d) != MB_OK)
                cpus = 0;
        }
        if (cpus > 0 && (best == 0 || cpus < best))
            best = cpus;
    } while (parent_dir(dir, top));
    return best;
}

/* The effective cpuset of the nearest cgroup from dir up that has one (in
 * cgroup v2 only cgroups with the cpuset controller have the file). */
static int nearest_cpuset(char *dir, size_t top, int version, struct mb_cpuset *out)
{
    static const char *const names[2][2] = {{"cpuset.effective_cpus", "cpuset.cpus"},
                                            {"cpuset.cpus.effective", NULL}};
    do {
        for (int i = 0; i < 2 && names[version == 2][i] != NULL; i++) {
            char file[PATH_MAX + 32], text[8192];
            struct mb_diag d = {0};
            snprintf(file, sizeof file, "%s/%s", dir, names[version == 2][i]);
            if (read_small(file, text, sizeof text) &&
                mb_cpulimit_parse_cpuset(text, out, &d) == MB_OK && mb_cpulimit_count(out) > 0)
                return mb_cpulimit_count(out);
        }
    } while (parent_dir(dir, top));
    memset(out, 0, sizeof *out);
    return 0;
}

/* Fills out's cpuset and quota from the texts of /proc/self/cgroup and
 * /proc/self/mountinfo, reading the cgroup files they lead to: cgroup v2
 * (cpu.max, cpuset.cpus.effective) and v1 (cpu.cfs_quota_us with
 * cpu.cfs_period_us, cpuset.effective_cpus or cpuset.cpus), whichever the
 * machine has; on a hybrid machine each controller is on one of them. The
 * quota is the tightest along the cgroup's path up to the mount point; the
 * cpuset the nearest one found. What cannot be read is left 0. */
void mb_cpulimit_read_cgroups(const char *proc_cgroup, const char *mountinfo,
                              struct mb_cpulimit *out)
{
    memset(&out->cpuset, 0, sizeof out->cpuset);
    out->cpuset_cpus = 0;
    out->quota_cpus = 0;
    out->quota_cgroup = 0;
    static const struct {
        int version;
        const char *controller; /* NULL: the cgroup v2 hierarchy */
    } quota_from[] = {{2, NULL}, {1, "cpu"}}, cpuset_from[] = {{2, NULL}, {1, "cpuset"}};
    char dir[PATH_MAX];
    size_t top;
    for (size_t i = 0; i < MB__ARRAY_SIZE(quota_from); i++) {
        if (!cgroup_dir(proc_cgroup, mountinfo, quota_from[i].controller, dir, sizeof dir, &top))
            continue;
        double q = tightest_quota(dir, top, quota_from[i].version);
        if (q > 0 && (out->quota_cpus == 0 || q < out->quota_cpus)) {
            out->quota_cpus = q;
            out->quota_cgroup = quota_from[i].version;
        }
    }
    for (size_t i = 0; i < MB__ARRAY_SIZE(cpuset_from) && out->cpuset_cpus == 0; i++)
        if (cgroup_dir(proc_cgroup, mountinfo, cpuset_from[i].controller, dir, sizeof dir, &top))
            out->cpuset_cpus = nearest_cpuset(dir, top, cpuset_from[i].version, &out->cpuset);
}

/* Fills out for this process: its affinity mask (sched_getaffinity; left
 * empty on a machine with more than MB_CPULIMIT_MAX_CPUS CPUs) and what
 * mb_cpulimit_read_cgroups finds from /proc/self. Never fails: what cannot
 * be read is left 0, which means "no limit found". */
void mb_cpulimit_probe(struct mb_cpulimit *out)
{
    memset(out, 0, sizeof *out);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int cpu = 0; cpu < CPU_SETSIZE && cpu < MB_CPULIMIT_MAX_CPUS; cpu++)
            if (CPU_ISSET(cpu, &set))
                mb_cpulimit_set(&out->affinity, cpu);
        out->affinity_cpus = mb_cpulimit_count(&out->affinity);
    }
    char *cgroup = read_whole("/proc/self/cgroup", 65536);
    char *mountinfo =
        cgroup != NULL ? read_whole("/proc/self/mountinfo", MOUNTINFO_MAX_BYTES) : NULL;
    if (mountinfo != NULL)
        mb_cpulimit_read_cgroups(cgroup, mountinfo, out);
    free(mountinfo);
    free(cgroup);
}
