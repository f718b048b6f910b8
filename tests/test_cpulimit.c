/* cpulimit: the cgroup files and CPU lists are parsed exactly from fixture
 * text, every bad text is refused with MB_USAGE and a one-line message that
 * quotes it, the cgroup directories are found from /proc/self/cgroup and
 * mountinfo fixtures, and a fake cgroup tree in a temporary directory is
 * read as the real one would be. Nothing here depends on this machine's CPUs
 * or cgroups except the last test, which compares with sched_getaffinity. */
#define _GNU_SOURCE /* CPU_COUNT */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matbench/cpulimit.h"
#include "mb_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cgroup v2 cpu.max --------------------------------------------------- */

static const struct {
    const char *text;
    enum mb_status status;
    double cpus; /* when MB_OK; 0 = no quota */
} cpu_max_cases[] = {
    {"max 100000\n", MB_OK, 0},
    {"max 100000", MB_OK, 0},
    {"max", MB_OK, 0},
    {"150000 100000\n", MB_OK, 1.5},
    {"50000 100000\n", MB_OK, 0.5},
    {"200000 100000", MB_OK, 2},
    {"100000 50000", MB_OK, 2},
    {"250000", MB_OK, 2.5}, /* the period left out: the kernel's 100000 */
    {"", MB_USAGE, 0},
    {"garbage", MB_USAGE, 0},
    {"max max", MB_USAGE, 0},
    {"maximum 100000", MB_USAGE, 0},
    {"-1 100000", MB_USAGE, 0},
    {"0 100000", MB_USAGE, 0},
    {"150000 0", MB_USAGE, 0},
    {"150000 100000 7", MB_USAGE, 0},
    {"1.5 100000", MB_USAGE, 0},
    {"150000  100000", MB_USAGE, 0},
    {"150000 100000x", MB_USAGE, 0},
    {"99999999999999999999999 100000", MB_USAGE, 0},
};

Test(cpulimit, cpu_max_table)
{
    for (size_t i = 0; i < COUNT(cpu_max_cases); i++) {
        struct mb_diag d = {0};
        double cpus = -7;
        cr_assert_eq(mb_cpulimit_parse_cpu_max(cpu_max_cases[i].text, &cpus, &d),
                     cpu_max_cases[i].status, "cpu.max '%s': %s", cpu_max_cases[i].text, d.msg);
        if (cpu_max_cases[i].status == MB_OK) {
            cr_assert_float_eq(cpus, cpu_max_cases[i].cpus, 1e-12, "cpu.max '%s' gives %g",
                               cpu_max_cases[i].text, cpus);
        } else {
            cr_assert_eq(cpus, 0, "cpu.max '%s': no quota on error", cpu_max_cases[i].text);
            assert_quotes(d.msg, cpu_max_cases[i].text);
            cr_assert(strstr(d.msg, "cpu.max") != NULL, "names the file: %s", d.msg);
        }
    }
}

/* ---- cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us ------------------- */

static const struct {
    const char *quota, *period;
    enum mb_status status;
    double cpus;
    const char *quoted; /* the text the message quotes */
} cfs_cases[] = {
    {"-1\n", "100000\n", MB_OK, 0, NULL},
    {"150000\n", "100000\n", MB_OK, 1.5, NULL},
    {"50000", "100000", MB_OK, 0.5, NULL},
    {"400000", "100000", MB_OK, 4, NULL},
    {"garbage", "100000", MB_USAGE, 0, "garbage"},
    {"", "100000", MB_USAGE, 0, ""},
    {"0", "100000", MB_USAGE, 0, "0"},
    {"-2", "100000", MB_USAGE, 0, "-2"},
    {"1.5", "100000", MB_USAGE, 0, "1.5"},
    {"150000", "0", MB_USAGE, 0, "0"},
    {"150000", "x", MB_USAGE, 0, "x"},
    {"-1", "", MB_USAGE, 0, ""},
};

Test(cpulimit, cfs_quota_table)
{
    for (size_t i = 0; i < COUNT(cfs_cases); i++) {
        struct mb_diag d = {0};
        double cpus = -7;
        cr_assert_eq(mb_cpulimit_parse_cfs(cfs_cases[i].quota, cfs_cases[i].period, &cpus, &d),
                     cfs_cases[i].status, "quota '%s' period '%s': %s", cfs_cases[i].quota,
                     cfs_cases[i].period, d.msg);
        if (cfs_cases[i].status == MB_OK) {
            cr_assert_float_eq(cpus, cfs_cases[i].cpus, 1e-12);
        } else {
            cr_assert_eq(cpus, 0);
            assert_quotes(d.msg, cfs_cases[i].quoted);
            cr_assert(strstr(d.msg, "cpu.cfs_") != NULL, "names the file: %s", d.msg);
        }
    }
}

/* ---- CPU lists --------------------------------------------------------- */

static const struct {
    const char *text;
    enum mb_status status;
    const char *cpus; /* when MB_OK: the list written back, "" for none */
    int count;
} cpuset_cases[] = {
    {"0-3,8,10-11\n", MB_OK, "0-3,8,10-11", 7},
    {"0-3,8,10-11", MB_OK, "0-3,8,10-11", 7},
    {"0", MB_OK, "0", 1},
    {"5-5", MB_OK, "5", 1},
    {"0,1,2,3", MB_OK, "0-3", 4},
    {"3,1,2", MB_OK, "1-3", 3},
    {"0-1023", MB_OK, "0-1023", 1024},
    {"1023", MB_OK, "1023", 1},
    {"", MB_OK, "", 0},   /* a cgroup v2 cpuset that is not set */
    {"\n", MB_OK, "", 0}, /* the same, read from its file */
    {"1024", MB_USAGE, NULL, 0},
    {"0-1024", MB_USAGE, NULL, 0},
    {"3-1", MB_USAGE, NULL, 0},
    {"0-", MB_USAGE, NULL, 0},
    {"-1", MB_USAGE, NULL, 0},
    {"1,,2", MB_USAGE, NULL, 0},
    {"1,", MB_USAGE, NULL, 0},
    {",1", MB_USAGE, NULL, 0},
    {"a", MB_USAGE, NULL, 0},
    {"0-3 8", MB_USAGE, NULL, 0},
    {"0x1", MB_USAGE, NULL, 0},
    {"0-3:2", MB_USAGE, NULL, 0},
};

Test(cpulimit, cpuset_table)
{
    for (size_t i = 0; i < COUNT(cpuset_cases); i++) {
        struct mb_diag d = {0};
        struct mb_cpuset s;
        memset(&s, 0xff, sizeof s);
        cr_assert_eq(mb_cpulimit_parse_cpuset(cpuset_cases[i].text, &s, &d), cpuset_cases[i].status,
                     "cpuset '%s': %s", cpuset_cases[i].text, d.msg);
        if (cpuset_cases[i].status == MB_OK) {
            char back[128];
            mb_cpulimit_format_cpuset(&s, back, sizeof back);
            cr_assert_str_eq(back, cpuset_cases[i].cpus, "cpuset '%s'", cpuset_cases[i].text);
            cr_assert_eq(mb_cpulimit_count(&s), cpuset_cases[i].count);
        } else {
            cr_assert_eq(mb_cpulimit_count(&s), 0, "cpuset '%s': empty on error",
                         cpuset_cases[i].text);
            assert_quotes(d.msg, cpuset_cases[i].text);
        }
    }
}

Test(cpulimit, a_cpuset_has_exactly_its_cpus)
{
    struct mb_cpuset s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_cpulimit_parse_cpuset("0-3,8,10-11", &s, &d), MB_OK);
    static const int in[] = {0, 1, 2, 3, 8, 10, 11}, out[] = {-1, 4, 7, 9, 12, 63, 64, 1023, 1024};
    for (size_t i = 0; i < COUNT(in); i++)
        cr_assert(mb_cpulimit_has(&s, in[i]), "CPU %d is in", in[i]);
    for (size_t i = 0; i < COUNT(out); i++)
        cr_assert(!mb_cpulimit_has(&s, out[i]), "CPU %d is not", out[i]);
}

Test(cpulimit, intersection_and_equality)
{
    struct mb_cpuset a, b, c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_cpulimit_parse_cpuset("0-7,64-65", &a, &d), MB_OK);
    cr_assert_eq(mb_cpulimit_parse_cpuset("4-70", &b, &d), MB_OK);
    mb_cpulimit_intersect(&a, &b);
    cr_assert_eq(mb_cpulimit_parse_cpuset("4-7,64,65", &c, &d), MB_OK);
    cr_assert(mb_cpulimit_equal(&a, &c));
    cr_assert(!mb_cpulimit_equal(&a, &b));
}

Test(cpulimit, a_long_list_is_cut_with_dots_and_terminated)
{
    struct mb_cpuset s = {{0}};
    for (int cpu = 0; cpu < MB_CPULIMIT_MAX_CPUS; cpu += 2)
        mb_cpulimit_set(&s, cpu);
    char buf[16];
    memset(buf, 'x', sizeof buf);
    mb_cpulimit_format_cpuset(&s, buf, sizeof buf);
    cr_assert_lt(strlen(buf), sizeof buf);
    cr_assert_str_eq(buf, "0,2,4,6,8,...");
}

/* ---- the usable cores ------------------------------------------------- */

static const struct {
    int cores;
    double quota;
    int usable;
} usable_cases[] = {
    {2, 0, 2}, {64, 0, 64}, {2, 1.5, 2},  {4, 1.5, 2},          {4, 0.5, 1}, {64, 2, 2}, {1, 4, 1},
    {0, 0, 1}, {-3, 0, 1},  {8, 0.01, 1}, {8, 2.0000000001, 2}, {8, 2.1, 3}, {16, 8, 8},
};

Test(cpulimit, usable_cores_are_the_cores_capped_at_the_quota_rounded_up)
{
    for (size_t i = 0; i < COUNT(usable_cases); i++)
        cr_assert_eq(mb_cpulimit_usable_cores(usable_cases[i].cores, usable_cases[i].quota),
                     usable_cases[i].usable, "%d cores, quota %g", usable_cases[i].cores,
                     usable_cases[i].quota);
}

/* ---- finding the cgroup ------------------------------------------------- */

static const char hybrid_cgroup[] = "9:name=systemd:/\n"
                                    "4:memory:/process_api/ddc6\n"
                                    "3:cpuset:/\n"
                                    "2:cpuacct:/\n"
                                    "1:cpu,cpuacct:/docker/abc\n"
                                    "0::/user.slice/session-1.scope\n";

Test(cpulimit, proc_cgroup_gives_the_v2_and_v1_paths)
{
    char path[256];
    cr_assert(mb_cpulimit_cgroup_path(hybrid_cgroup, NULL, path, sizeof path));
    cr_assert_str_eq(path, "/user.slice/session-1.scope");
    cr_assert(mb_cpulimit_cgroup_path(hybrid_cgroup, "cpu", path, sizeof path));
    cr_assert_str_eq(path, "/docker/abc");
    cr_assert(mb_cpulimit_cgroup_path(hybrid_cgroup, "cpuset", path, sizeof path));
    cr_assert_str_eq(path, "/");
    cr_assert(mb_cpulimit_cgroup_path(hybrid_cgroup, "cpuacct", path, sizeof path));
    cr_assert_str_eq(path, "/", "the first hierarchy that has it");
    cr_assert(!mb_cpulimit_cgroup_path(hybrid_cgroup, "pids", path, sizeof path));
    cr_assert(!mb_cpulimit_cgroup_path(hybrid_cgroup, "cpu", path, 8), "too long for the buffer");
    cr_assert(!mb_cpulimit_cgroup_path("4:cpu:/a\n", NULL, path, sizeof path), "no v2 line");
    cr_assert(mb_cpulimit_cgroup_path("0::/", NULL, path, sizeof path), "no newline at the end");
    cr_assert_str_eq(path, "/");
    cr_assert(!mb_cpulimit_cgroup_path("", NULL, path, sizeof path));
    cr_assert(!mb_cpulimit_cgroup_path("garbage\n::\n", NULL, path, sizeof path));
}

static const char hybrid_mountinfo[] =
    "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
    "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "34 30 0:31 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "41 1 0:38 / /tmp/with\\040space rw - cgroup cgroup rw,pids\n";

Test(cpulimit, mountinfo_gives_the_cgroup_directory)
{
    char dir[256];
    size_t top = 0;
    cr_assert(mb_cpulimit_cgroup_dir(hybrid_mountinfo, NULL, "/user.slice/s.scope", dir, sizeof dir,
                                     &top));
    cr_assert_str_eq(dir, "/sys/fs/cgroup/unified/user.slice/s.scope");
    cr_assert_eq(top, strlen("/sys/fs/cgroup/unified"));
    cr_assert(mb_cpulimit_cgroup_dir(hybrid_mountinfo, "cpu", "/", dir, sizeof dir, &top));
    cr_assert_str_eq(dir, "/sys/fs/cgroup/cpu,cpuacct");
    cr_assert(mb_cpulimit_cgroup_dir(hybrid_mountinfo, "cpuacct", "/x", dir, sizeof dir, &top));
    cr_assert_str_eq(dir, "/sys/fs/cgroup/cpu,cpuacct/x");
    cr_assert(mb_cpulimit_cgroup_dir(hybrid_mountinfo, "cpuset", "/a/b", dir, sizeof dir, &top));
    cr_assert_str_eq(dir, "/sys/fs/cgroup/cpuset/a/b");
    cr_assert(!mb_cpulimit_cgroup_dir(hybrid_mountinfo, "cpus", "/", dir, sizeof dir, &top),
              "cpus is not a controller named in the options");
    cr_assert(!mb_cpulimit_cgroup_dir(hybrid_mountinfo, "blkio", "/", dir, sizeof dir, &top));
    cr_assert(!mb_cpulimit_cgroup_dir(hybrid_mountinfo, NULL, "/a", dir, 16, &top), "too long");
    /* octal escapes in the mount point */
    cr_assert(mb_cpulimit_cgroup_dir(hybrid_mountinfo, "pids", "/p", dir, sizeof dir, &top));
    cr_assert_str_eq(dir, "/tmp/with space/p");
    cr_assert_eq(top, strlen("/tmp/with space"));
}

Test(cpulimit, a_subtree_mount_serves_only_the_paths_under_its_root)
{
    char dir[256];
    size_t top = 0;
    cr_assert(
        mb_cpulimit_cgroup_dir(hybrid_mountinfo, "memory", "/docker/abc", dir, sizeof dir, &top));
    cr_assert_str_eq(dir, "/sys/fs/cgroup/memory");
    cr_assert_eq(top, strlen(dir));
    cr_assert(
        mb_cpulimit_cgroup_dir(hybrid_mountinfo, "memory", "/docker/abc/x", dir, sizeof dir, &top));
    cr_assert_str_eq(dir, "/sys/fs/cgroup/memory/x");
    cr_assert(
        !mb_cpulimit_cgroup_dir(hybrid_mountinfo, "memory", "/docker/abcd", dir, sizeof dir, &top));
    cr_assert(!mb_cpulimit_cgroup_dir(hybrid_mountinfo, "memory", "/", dir, sizeof dir, &top));
}

Test(cpulimit, mountinfo_garbage_finds_nothing)
{
    static const char *const texts[] = {"", "\n\n", "garbage", "1 2 3 4 5 6 - cgroup2",
                                        "1 2 3 / /x rw cgroup2 cgroup2 rw\n"};
    char dir[256];
    size_t top;
    for (size_t i = 0; i < COUNT(texts); i++)
        cr_assert(!mb_cpulimit_cgroup_dir(texts[i], NULL, "/", dir, sizeof dir, &top), "'%s'",
                  texts[i]);
}

/* ---- a fake cgroup tree ---------------------------------------------- */

static char tree[] = "/tmp/mb_cpulimit_XXXXXX";

static void make_tree(void)
{
    cr_assert_not_null(mkdtemp(tree));
}

static void remove_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tree);
    cr_assert_eq(system(cmd), 0);
}

/* Writes text to tree/rel, making its directories. */
static void put(const char *rel, const char *text)
{
    char path[512], cmd[600];
    snprintf(path, sizeof path, "%s/%s", tree, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    cr_assert_eq(system(cmd), 0);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* A mountinfo with a cgroup2 mount at tree/v2 and cgroup v1 mounts of the
 * cpu and cpuset controllers at tree/cpu and tree/cpuset. */
static void mountinfo(char *buf, size_t cap)
{
    snprintf(buf, cap,
             "40 30 0:37 / %s/v2 rw,relatime - cgroup2 cgroup2 rw\n"
             "31 30 0:28 / %s/cpu rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
             "33 30 0:30 / %s/cpuset rw,relatime - cgroup cgroup rw,cpuset\n",
             tree, tree, tree);
}

TestSuite(cgroup_tree, .init = make_tree, .fini = remove_tree);

Test(cgroup_tree, v2_the_tightest_quota_on_the_path_and_the_nearest_cpuset)
{
    put("v2/cpu.max", "50000 100000\n"); /* the mount point: above the path, still read */
    put("v2/a/cpu.max", "150000 100000\n");
    put("v2/a/b/cpu.max", "max 100000\n");
    put("v2/a/cpuset.cpus.effective", "0-3,8,10-11\n");
    put("v2/a/b/cpuset.cpus.effective", "\n"); /* empty: the nearest set one counts */
    char mi[2048];
    mountinfo(mi, sizeof mi);
    struct mb_cpulimit lim = {0};
    mb_cpulimit_read_cgroups("0::/a/b\n", mi, &lim);
    cr_assert_float_eq(lim.quota_cpus, 0.5, 1e-12);
    cr_assert_eq(lim.quota_cgroup, 2);
    cr_assert_eq(lim.cpuset_cpus, 7);
    char list[64];
    mb_cpulimit_format_cpuset(&lim.cpuset, list, sizeof list);
    cr_assert_str_eq(list, "0-3,8,10-11");
}

Test(cgroup_tree, v2_one_quota_and_garbage_ignored)
{
    put("v2/a/cpu.max", "150000 100000\n");
    put("v2/a/b/cpu.max", "garbage\n");
    char mi[2048];
    mountinfo(mi, sizeof mi);
    struct mb_cpulimit lim = {0};
    mb_cpulimit_read_cgroups("0::/a/b\n", mi, &lim);
    cr_assert_float_eq(lim.quota_cpus, 1.5, 1e-12);
    cr_assert_eq(lim.cpuset_cpus, 0, "no cpuset file: none found");
}

Test(cgroup_tree, v1_cfs_quota_and_cpuset)
{
    put("cpu/docker/c1/cpu.cfs_quota_us", "250000\n");
    put("cpu/docker/c1/cpu.cfs_period_us", "100000\n");
    put("cpu/docker/cpu.cfs_quota_us", "-1\n");
    put("cpu/docker/cpu.cfs_period_us", "100000\n");
    put("cpuset/docker/c1/cpuset.effective_cpus", "2-3\n");
    put("cpuset/docker/c1/cpuset.cpus", "0-7\n");
    char mi[2048];
    mountinfo(mi, sizeof mi);
    struct mb_cpulimit lim = {0};
    mb_cpulimit_read_cgroups("4:cpuset:/docker/c1\n3:cpu,cpuacct:/docker/c1\n0::/\n", mi, &lim);
    cr_assert_float_eq(lim.quota_cpus, 2.5, 1e-12);
    cr_assert_eq(lim.quota_cgroup, 1);
    cr_assert_eq(lim.cpuset_cpus, 2, "cpuset.effective_cpus first");
    cr_assert(mb_cpulimit_has(&lim.cpuset, 2) && mb_cpulimit_has(&lim.cpuset, 3));
}

Test(cgroup_tree, nothing_there_is_no_limit)
{
    char mi[2048];
    mountinfo(mi, sizeof mi);
    struct mb_cpulimit lim = {0};
    mb_cpulimit_read_cgroups("3:cpu,cpuacct:/none\n0::/none\n", mi, &lim);
    cr_assert_eq(lim.quota_cpus, 0);
    cr_assert_eq(lim.quota_cgroup, 0);
    cr_assert_eq(lim.cpuset_cpus, 0);
    mb_cpulimit_read_cgroups("", "", &lim);
    cr_assert_eq(lim.quota_cpus, 0);
    cr_assert_eq(lim.cpuset_cpus, 0);
}

/* ---- this process ------------------------------------------------------ */

Test(cpulimit, the_probe_sees_this_process_affinity)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    cr_assert_eq(sched_getaffinity(0, sizeof set, &set), 0);
    struct mb_cpulimit lim;
    mb_cpulimit_probe(&lim);
    cr_assert_eq(lim.affinity_cpus, CPU_COUNT(&set));
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        cr_assert_eq(mb_cpulimit_has(&lim.affinity, cpu), CPU_ISSET(cpu, &set) != 0, "CPU %d", cpu);
    cr_assert(lim.quota_cpus >= 0);
}
