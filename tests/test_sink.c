/* The report's destination: links followed and kept, devices and FIFOs
 * written directly, modes, long names, and failures that leave the old
 * report and no temporary file. Every file lives in a fresh directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "matbench/sink.h"
#include "mb_test.h"

static char dir[64];

static void make_dir(void)
{
    mb_scratch_make(dir, sizeof dir, "/tmp/mb_sinkXXXXXX");
}

static void remove_dir(void)
{
    mb_scratch_remove(dir);
}

TestSuite(sink, .init = make_dir, .fini = remove_dir);

/* dir/name, in a buffer that lives until the next call with the same slot. */
static const char *in_dir(int slot, const char *name)
{
    static char paths[4][PATH_MAX];
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", dir, name);
    return paths[slot];
}

/* The number of entries in dir besides . and .. (a stray temporary file
 * shows here). */
static int entries(void)
{
    return mb_scratch_entries(dir);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static void assert_content(const char *path, const char *text)
{
    char buf[4096];
    slurp(path, buf, sizeof buf);
    cr_assert_str_eq(buf, text, "%s", path);
}

/* Writes text through a sink on path and closes it with commit. */
static enum mb_status write_through(const char *path, const char *text, struct mb_diag *d)
{
    struct mb_sink s;
    enum mb_status st = mb_sink_open(&s, path, d);
    if (st != MB_OK)
        return st;
    fputs(text, s.f);
    return mb_sink_close(&s, true, d);
}

static mode_t mode_of(const char *path)
{
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0, "%s", path);
    return sb.st_mode & 07777;
}

Test(sink, null_path_is_stdout)
{
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, NULL, &d), MB_OK);
    cr_assert_eq(s.f, stdout);
    cr_assert_eq(mb_sink_close(&s, true, &d), MB_OK);
}

Test(sink, a_new_file_is_written_through_a_temporary_file_beside_it)
{
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, in_dir(0, "r.csv"), &d), MB_OK, "%s", d.msg);
    cr_assert_eq(strncmp(s.tmp, dir, strlen(dir)), 0, "temporary %s beside the report", s.tmp);
    cr_assert_not_null(strstr(s.tmp, "/.matbench-"), "%s", s.tmp);
    cr_assert_eq(access(in_dir(1, "r.csv"), F_OK), -1, "the report appears only at the end");
    fputs("a,b\n", s.f);
    cr_assert_eq(mb_sink_close(&s, true, &d), MB_OK, "%s", d.msg);
    assert_content(in_dir(0, "r.csv"), "a,b\n");
    cr_assert_eq(entries(), 1);
}

Test(sink, a_symlink_writes_its_target_and_stays_a_link)
{
    put(in_dir(0, "target.csv"), "old\n");
    cr_assert_eq(symlink("target.csv", in_dir(1, "link.csv")), 0);
    struct mb_diag d = {0};
    cr_assert_eq(write_through(in_dir(1, "link.csv"), "new\n", &d), MB_OK, "%s", d.msg);
    struct stat sb;
    cr_assert_eq(lstat(in_dir(1, "link.csv"), &sb), 0);
    cr_assert(S_ISLNK(sb.st_mode), "the link is still a link");
    char text[64];
    ssize_t len = readlink(in_dir(1, "link.csv"), text, sizeof text - 1);
    cr_assert_gt(len, 0);
    text[len] = '\0';
    cr_assert_str_eq(text, "target.csv");
    assert_content(in_dir(0, "target.csv"), "new\n");
    cr_assert_eq(entries(), 2, "no temporary file left");
}

Test(sink, a_chain_of_links_and_an_absolute_link_lead_to_the_file)
{
    put(in_dir(0, "target.csv"), "old\n");
    cr_assert_eq(symlink(in_dir(0, "target.csv"), in_dir(1, "abs")), 0);
    cr_assert_eq(symlink("abs", in_dir(2, "rel")), 0);
    struct mb_diag d = {0};
    cr_assert_eq(write_through(in_dir(2, "rel"), "new\n", &d), MB_OK, "%s", d.msg);
    assert_content(in_dir(0, "target.csv"), "new\n");
    struct stat sb;
    cr_assert(lstat(in_dir(1, "abs"), &sb) == 0 && S_ISLNK(sb.st_mode));
    cr_assert(lstat(in_dir(2, "rel"), &sb) == 0 && S_ISLNK(sb.st_mode));
    cr_assert_eq(entries(), 3);
}

Test(sink, a_dangling_symlink_creates_its_target)
{
    cr_assert_eq(symlink("new.csv", in_dir(0, "link.csv")), 0);
    struct mb_diag d = {0};
    cr_assert_eq(write_through(in_dir(0, "link.csv"), "x\n", &d), MB_OK, "%s", d.msg);
    struct stat sb;
    cr_assert(lstat(in_dir(0, "link.csv"), &sb) == 0 && S_ISLNK(sb.st_mode));
    assert_content(in_dir(1, "new.csv"), "x\n");
    cr_assert_eq(entries(), 2);
}

Test(sink, a_link_into_a_missing_directory_fails_naming_both)
{
    cr_assert_eq(symlink("nodir/new.csv", in_dir(0, "link.csv")), 0);
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, in_dir(0, "link.csv"), &d), MB_IO);
    cr_assert_not_null(strstr(d.msg, "nodir/new.csv"), "%s", d.msg);
    cr_assert_not_null(strstr(d.msg, "No such file or directory"), "%s", d.msg);
    cr_assert_eq(entries(), 1);
}

Test(sink, a_loop_of_links_fails)
{
    cr_assert_eq(symlink("b", in_dir(0, "a")), 0);
    cr_assert_eq(symlink("a", in_dir(1, "b")), 0);
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, in_dir(0, "a"), &d), MB_IO);
    cr_assert_not_null(strstr(d.msg, strerror(ELOOP)), "%s", d.msg);
}

Test(sink, a_fifo_is_written_directly)
{
    cr_assert_eq(mkfifo(in_dir(0, "pipe"), 0600), 0);
    /* the read end first, so that opening the write end does not wait */
    int rd = open(in_dir(0, "pipe"), O_RDONLY | O_NONBLOCK);
    cr_assert_geq(rd, 0);
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, in_dir(0, "pipe"), &d), MB_OK, "%s", d.msg);
    cr_assert_str_eq(s.tmp, "", "no temporary file for a FIFO");
    fputs("through the pipe\n", s.f);
    cr_assert_eq(mb_sink_close(&s, true, &d), MB_OK, "%s", d.msg);
    char buf[64] = "";
    cr_assert_eq(read(rd, buf, sizeof buf - 1), 17);
    cr_assert_str_eq(buf, "through the pipe\n");
    close(rd);
    struct stat sb;
    cr_assert(lstat(in_dir(0, "pipe"), &sb) == 0 && S_ISFIFO(sb.st_mode), "still a FIFO");
    cr_assert_eq(entries(), 1);
}

Test(sink, dev_null_and_a_link_to_it_are_written_directly)
{
    cr_assert_eq(symlink("/dev/null", in_dir(0, "null")), 0);
    const char *paths[] = {"/dev/null", in_dir(0, "null")};
    for (size_t i = 0; i < 2; i++) {
        struct mb_sink s;
        struct mb_diag d = {0};
        cr_assert_eq(mb_sink_open(&s, paths[i], &d), MB_OK, "%s: %s", paths[i], d.msg);
        cr_assert_str_eq(s.tmp, "", "%s", paths[i]);
        fputs("gone\n", s.f);
        cr_assert_eq(mb_sink_close(&s, true, &d), MB_OK, "%s", d.msg);
    }
    struct stat sb;
    cr_assert(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode));
    cr_assert(lstat(in_dir(0, "null"), &sb) == 0 && S_ISLNK(sb.st_mode));
    cr_assert_eq(entries(), 1);
}

Test(sink, a_full_device_is_a_write_error)
{
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, "/dev/full", &d), MB_OK, "%s", d.msg);
    fputs("no room\n", s.f);
    cr_assert_eq(mb_sink_close(&s, true, &d), MB_IO);
    cr_assert_not_null(strstr(d.msg, "/dev/full"), "%s", d.msg);
}

/* /dev/fd/N (like /dev/stdout, /proc/self/fd/1) names the open file, here
 * a regular one: it is appended to, and nothing is renamed over the link. */
Test(sink, an_open_descriptor_through_proc_is_written_directly)
{
    int fd = open(in_dir(0, "out.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "before\n", 7), 7);
    char via_dev[32], via_proc[32];
    snprintf(via_dev, sizeof via_dev, "/dev/fd/%d", fd);
    snprintf(via_proc, sizeof via_proc, "/proc/self/fd/%d", fd);
    cr_assert_eq(symlink(via_proc, in_dir(1, "link")), 0);
    const char *paths[] = {via_dev, in_dir(1, "link")};
    for (size_t i = 0; i < 2; i++) {
        struct mb_sink s;
        struct mb_diag d = {0};
        cr_assert_eq(mb_sink_open(&s, paths[i], &d), MB_OK, "%s: %s", paths[i], d.msg);
        cr_assert_str_eq(s.tmp, "", "%s", paths[i]);
        fputs("report\n", s.f);
        cr_assert_eq(mb_sink_close(&s, true, &d), MB_OK, "%s", d.msg);
    }
    close(fd);
    assert_content(in_dir(0, "out.txt"), "before\nreport\nreport\n");
    struct stat sb;
    cr_assert(lstat(in_dir(1, "link"), &sb) == 0 && S_ISLNK(sb.st_mode));
    cr_assert_eq(entries(), 2);
}

Test(sink, a_new_report_gets_0666_less_the_umask)
{
    static const struct {
        mode_t umask, want;
    } cases[] = {{022, 0644}, {077, 0600}, {002, 0664}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mode_t old = umask(cases[i].umask);
        char name[16];
        snprintf(name, sizeof name, "r%zu.csv", i);
        struct mb_diag d = {0};
        cr_assert_eq(write_through(in_dir(0, name), "x\n", &d), MB_OK, "%s", d.msg);
        umask(old);
        cr_assert_eq(mode_of(in_dir(0, name)), cases[i].want, "umask %03o: %03o", cases[i].umask,
                     mode_of(in_dir(0, name)));
    }
}

Test(sink, a_replaced_report_keeps_its_mode)
{
    static const mode_t modes[] = {0640, 0604, 0600, 0666};
    mode_t old = umask(077);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        put(in_dir(0, "r.csv"), "old\n");
        cr_assert_eq(chmod(in_dir(0, "r.csv"), modes[i]), 0);
        struct mb_diag d = {0};
        cr_assert_eq(write_through(in_dir(0, "r.csv"), "new\n", &d), MB_OK, "%s", d.msg);
        assert_content(in_dir(0, "r.csv"), "new\n");
        cr_assert_eq(mode_of(in_dir(0, "r.csv")), modes[i], "%03o became %03o", modes[i],
                     mode_of(in_dir(0, "r.csv")));
    }
    umask(old);
    cr_assert_eq(entries(), 1);
}

Test(sink, a_name_of_NAME_MAX_bytes_works_and_one_more_is_refused)
{
    char name[NAME_MAX + 2];
    memset(name, 'a', NAME_MAX);
    name[NAME_MAX] = '\0';
    struct mb_diag d = {0};
    cr_assert_eq(write_through(in_dir(0, name), "long\n", &d), MB_OK, "%s", d.msg);
    assert_content(in_dir(0, name), "long\n");
    /* replacing it goes through the same short temporary name */
    cr_assert_eq(write_through(in_dir(0, name), "again\n", &d), MB_OK, "%s", d.msg);
    assert_content(in_dir(0, name), "again\n");
    strcat(name, "b");
    struct mb_sink s;
    cr_assert_eq(mb_sink_open(&s, in_dir(0, name), &d), MB_USAGE);
    cr_assert_not_null(strstr(d.msg, "256 bytes long (255 at most)"), "%s", d.msg);
    cr_assert_eq(entries(), 1);
}

Test(sink, a_path_longer_than_PATH_MAX_is_refused)
{
    static char path[PATH_MAX + 16];
    memset(path, 'x', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, path, &d), MB_USAGE);
    cr_assert_not_null(strstr(d.msg, "4111 bytes long (4095 at most)"), "%s", d.msg);
}

Test(sink, an_uncommitted_report_leaves_the_old_one_and_no_temporary_file)
{
    put(in_dir(0, "r.csv"), "old\n");
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, in_dir(0, "r.csv"), &d), MB_OK, "%s", d.msg);
    fputs("half a report", s.f);
    cr_assert_eq(entries(), 2, "the temporary file while writing");
    cr_assert_eq(mb_sink_close(&s, false, &d), MB_OK, "%s", d.msg);
    assert_content(in_dir(0, "r.csv"), "old\n");
    cr_assert_eq(entries(), 1);
    cr_assert_eq(mb_sink_close(&s, false, &d), MB_OK, "a second close does nothing");
}

/* A file size limit makes the writes fail (EFBIG) as a full disk would. */
Test(sink, a_failed_write_leaves_the_old_report_and_no_temporary_file)
{
    put(in_dir(0, "r.csv"), "old\n");
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {.rlim_cur = 1024, .rlim_max = RLIM_INFINITY};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, in_dir(0, "r.csv"), &d), MB_OK, "%s", d.msg);
    for (int i = 0; i < 1000; i++)
        fputs("a line of a report that is far too long for the limit\n", s.f);
    cr_assert_eq(mb_sink_close(&s, true, &d), MB_IO);
    cr_assert_not_null(strstr(d.msg, "r.csv"), "%s", d.msg);
    cr_assert_not_null(strstr(d.msg, strerror(EFBIG)), "%s", d.msg);
    assert_content(in_dir(0, "r.csv"), "old\n");
    cr_assert_eq(entries(), 1);
}

/* A target swapped for a link during the run is not renamed over: the link
 * and the file it points to stay as they are. */
Test(sink, a_target_that_became_a_symlink_is_not_replaced)
{
    put(in_dir(0, "r.csv"), "old\n");
    put(in_dir(1, "other"), "other\n");
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, in_dir(0, "r.csv"), &d), MB_OK, "%s", d.msg);
    fputs("new\n", s.f);
    cr_assert_eq(unlink(in_dir(0, "r.csv")), 0);
    cr_assert_eq(symlink("other", in_dir(0, "r.csv")), 0);
    cr_assert_eq(mb_sink_close(&s, true, &d), MB_IO);
    cr_assert_not_null(strstr(d.msg, "symbolic link"), "%s", d.msg);
    struct stat sb;
    cr_assert(lstat(in_dir(0, "r.csv"), &sb) == 0 && S_ISLNK(sb.st_mode));
    assert_content(in_dir(1, "other"), "other\n");
    cr_assert_eq(entries(), 2);
}

Test(sink, a_directory_is_refused)
{
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, dir, &d), MB_IO);
    cr_assert_not_null(strstr(d.msg, strerror(EISDIR)), "%s", d.msg);
    cr_assert_not_null(strstr(d.msg, "output: cannot write"), "%s", d.msg);
    char slash[80];
    snprintf(slash, sizeof slash, "%s/new/", dir);
    cr_assert_eq(mb_sink_open(&s, slash, &d), MB_IO, "a name ending in /");
    cr_assert_eq(entries(), 0);
}

Test(sink, a_missing_directory_is_refused_naming_the_path)
{
    struct mb_sink s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_sink_open(&s, in_dir(0, "nodir/r.csv"), &d), MB_IO);
    cr_assert_not_null(strstr(d.msg, "No such file or directory"), "%s", d.msg);
    cr_assert_not_null(strstr(d.msg, "r.csv"), "%s", d.msg);
    cr_assert_eq(mb_sink_open(&s, "", &d), MB_USAGE);
    cr_assert_eq(entries(), 0);
}

/* In a child: with 0 and 2 closed, the guard puts /dev/null there, and the
 * next file opened gets a descriptor above 2. */
Test(sink, closed_standard_descriptors_are_reopened_on_dev_null)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(0);
        close(2);
        struct mb_diag d = {0};
        if (mb_sink_std_fds_guard(&d) != MB_OK)
            _exit(10);
        struct stat sb, null;
        if (stat("/dev/null", &null) != 0)
            _exit(11);
        for (int fd = 0; fd <= 2; fd += 2)
            if (fstat(fd, &sb) != 0 || sb.st_rdev != null.st_rdev || !S_ISCHR(sb.st_mode))
                _exit(12 + fd);
        int fd = open(in_dir(0, "f"), O_WRONLY | O_CREAT, 0600);
        _exit(fd > 2 ? 0 : 20);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}
