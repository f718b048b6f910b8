/* The report's destination (sink.h). The path is followed through its
 * symbolic links to the file it names, so that a link stays a link; that
 * file is written directly when it is not a regular file, else through a
 * temporary file in its directory that replaces it only when all is written. */
#define _GNU_SOURCE /* mkostemp */
#include "matbench/sink.h"

#include "mb_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Symbolic links followed at most: the kernel's MAXSYMLINKS. */
#define MAX_HOPS 40

/* What the path leads to. */
enum kind {
    NEW_FILE,  /* nothing yet: a new regular file */
    REGULAR,   /* a regular file, to be replaced */
    DIRECT,    /* a device, FIFO or socket (or a directory, refused on open) */
    OPEN_FILE, /* a link in /proc (/dev/stdout, /dev/fd/N): an open file, not a path */
};

/* Reopens each of the descriptors 0, 1 and 2 that is closed on /dev/null,
 * so that a file opened later cannot take its number (and receive what is
 * meant for stderr). Call it first, before anything opens a file. Returns
 * MB_RUNTIME when /dev/null cannot be opened. */
enum mb_status mb_sink_std_fds_guard(struct mb_diag *d)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* the lower descriptors are open, so open() returns fd itself */
        int got = open("/dev/null", O_RDWR);
        if (got != fd)
            return mb_diag_set(d, MB_RUNTIME,
                               "descriptor %d is closed and cannot be reopened on /dev/null: %s",
                               fd, got < 0 ? strerror(errno) : "another descriptor was free");
    }
    return MB_OK;
}

/* The message for a file the report cannot go to: the path as given and,
 * when the links led elsewhere, where to. */
static enum mb_status cannot(struct mb_diag *d, const char *path, const char *via, int err)
{
    if (via != NULL && via[0] != '\0' && strcmp(via, path) != 0)
        return mb_diag_set(d, MB_IO, "output: cannot write '%s' (it leads to '%s'): %s",
                           SHOWN(path), SHOWN(via), strerror(err));
    return mb_diag_set(d, MB_IO, "output: cannot write '%s': %s", SHOWN(path), strerror(err));
}

/* The message for a path the system finds too long (ENAMETOOLONG): its
 * longest component when that is longer than NAME_MAX, else the whole. */
static enum mb_status too_long(struct mb_diag *d, const char *path, const char *cur)
{
    size_t longest = 0, at = 0;
    for (size_t i = 0, len; cur[i] != '\0'; i += len + (cur[i + len] == '/')) {
        len = strcspn(cur + i, "/");
        if (len > longest) {
            longest = len;
            at = i;
        }
    }
    if (longest > NAME_MAX)
        return mb_diag_set(d, MB_USAGE, "output: the file name '%s' is %zu bytes long (%d at most)",
                           SHOWN(cur + at), longest, NAME_MAX);
    return mb_diag_set(d, MB_USAGE, "output: '%s' is too long: %s", SHOWN(path),
                       strerror(ENAMETOOLONG));
}

/* Writes "dir/name" into buf (PATH_MAX bytes). Returns false when it does
 * not fit. */
static bool join(char *buf, const char *dir, const char *name)
{
    size_t len = strlen(dir);
    int n = snprintf(buf, PATH_MAX, "%s%s%s", dir, len > 0 && dir[len - 1] == '/' ? "" : "/", name);
    return n >= 0 && n < PATH_MAX;
}

/* Splits path (shorter than PATH_MAX) into its directory, "." when it has
 * none, and its last component. */
static void split(const char *path, char *dir, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        strcpy(dir, ".");
        *base = path;
        return;
    }
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    memcpy(dir, path, len);
    dir[len] = '\0';
    *base = slash + 1;
}

/* Follows path through its symbolic links, one at a time, to the file it
 * names, and says what that is in *kind. For an existing or a new file,
 * s->target receives its absolute path without any link in it (a link to
 * a file that does not exist yet leads to that file, in the link's
 * directory when the link is relative). Returns MB_IO when a directory on
 * the way does not exist or cannot be read, or the links loop. */
static enum mb_status resolve(const char *path, struct mb_sink *s, enum kind *kind,
                              struct mb_diag *d)
{
    char cur[PATH_MAX], dir[PATH_MAX], real_dir[PATH_MAX], link[PATH_MAX];
    snprintf(cur, sizeof cur, "%s", path);
    for (int hops = 0;; hops++) {
        struct stat sb;
        bool exists = lstat(cur, &sb) == 0;
        if (!exists && errno == ENAMETOOLONG)
            return too_long(d, path, cur);
        if (!exists && errno != ENOENT)
            return cannot(d, path, cur, errno);
        if (exists && !S_ISLNK(sb.st_mode)) {
            if (realpath(cur, s->target) == NULL)
                return cannot(d, path, cur, errno);
            *kind = S_ISREG(sb.st_mode) ? REGULAR : DIRECT;
            return MB_OK;
        }
        const char *base;
        split(cur, dir, &base);
        if (realpath(dir, real_dir) == NULL)
            return cannot(d, path, cur, errno);
        if (!exists) {
            if (base[0] == '\0')
                return cannot(d, path, cur, EISDIR);
            if (!join(s->target, real_dir, base))
                return cannot(d, path, NULL, ENAMETOOLONG);
            *kind = NEW_FILE;
            return MB_OK;
        }
        /* /proc/PID/fd/N and its kin read as links to paths, but name the
         * open file itself, which may be a pipe or an unlinked file */
        if (strncmp(real_dir, "/proc/", 6) == 0) {
            *kind = OPEN_FILE;
            return MB_OK;
        }
        if (hops == MAX_HOPS)
            return cannot(d, path, NULL, ELOOP);
        ssize_t len = readlink(cur, link, sizeof link);
        if (len < 0)
            return cannot(d, path, cur, errno);
        if ((size_t)len == sizeof link)
            return cannot(d, path, cur, ENAMETOOLONG);
        link[len] = '\0';
        if (link[0] == '/')
            memcpy(cur, link, (size_t)len + 1);
        else if (!join(cur, real_dir, link))
            return cannot(d, path, NULL, ENAMETOOLONG);
    }
}

/* Opens name, which is not a regular file to replace, for writing as it
 * is: no temporary file, no truncation (a FIFO waits here for its reader).
 * A regular file reached through /proc (/dev/stdout redirected to a file)
 * is appended to, after what the shell's descriptor has written. */
static enum mb_status open_direct(struct mb_sink *s, const char *name, struct mb_diag *d)
{
    int fd = open(name, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        (void)fcntl(fd, F_SETFL, O_APPEND);
    s->f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (s->f == NULL) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return cannot(d, s->path, name, err);
    }
    s->target[0] = '\0';
    return MB_OK;
}

/* Creates the temporary file beside s->target, after checking that the
 * target's name fits its file system and, when it exists, that it may be
 * written. */
static enum mb_status open_temp(struct mb_sink *s, bool exists, struct mb_diag *d)
{
    char dir[PATH_MAX];
    const char *base;
    split(s->target, dir, &base);
    long name_max = pathconf(dir, _PC_NAME_MAX);
    if (name_max <= 0)
        name_max = NAME_MAX;
    if (strlen(base) > (size_t)name_max)
        return mb_diag_set(d, MB_USAGE,
                           "output: the file name '%s' is %zu bytes long (%ld at most)",
                           SHOWN(base), strlen(base), name_max);
    if (exists && access(s->target, W_OK) != 0)
        return cannot(d, s->path, s->target, errno);
    if (!join(s->tmp, dir, MB_SINK_TEMP_NAME))
        return cannot(d, s->path, s->target, ENAMETOOLONG);
    int fd = mkostemp(s->tmp, O_CLOEXEC);
    s->f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (s->f == NULL) {
        int err = errno;
        if (fd >= 0) {
            close(fd);
            unlink(s->tmp);
        }
        s->tmp[0] = '\0';
        return mb_diag_set(d, MB_IO, "output: cannot create a temporary file in '%s' for '%s': %s",
                           SHOWN(dir), SHOWN(s->path), strerror(err));
    }
    return MB_OK;
}

/* Opens the destination of a report: standard output when path is NULL;
 * the file path leads to through its links otherwise. A device, FIFO or
 * socket, and /dev/stdout or /dev/fd/N, are opened for writing directly; a
 * regular file, new or not, gets a temporary file in its directory (the
 * file itself is untouched until mb_sink_close). Returns MB_USAGE for a
 * path or name too long, MB_IO when the file cannot be written; nothing is
 * left open or created then. */
enum mb_status mb_sink_open(struct mb_sink *s, const char *path, struct mb_diag *d)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    if (path == NULL) {
        s->f = stdout;
        return MB_OK;
    }
    if (path[0] == '\0')
        return mb_diag_set(d, MB_USAGE, "output: '' is not a file name");
    if (strlen(path) >= PATH_MAX)
        return mb_diag_set(d, MB_USAGE, "output: '%s' is %zu bytes long (%d at most)", SHOWN(path),
                           strlen(path), PATH_MAX - 1);
    mode_t mask = umask(0);
    umask(mask);
    s->new_mode = 0666 & ~mask;
    enum kind kind;
    enum mb_status st = resolve(path, s, &kind, d);
    if (st != MB_OK)
        return st;
    if (kind == OPEN_FILE || kind == DIRECT)
        return open_direct(s, kind == OPEN_FILE ? path : s->target, d);
    return open_temp(s, kind == REGULAR, d);
}

/* Gives the written temporary file the mode the report should have (the
 * replaced file's permission bits, or new_mode), and puts it on disk. Refuses
 * when the target has become a symbolic link meanwhile: a rename would
 * replace the link, not the file. */
static enum mb_status finish_temp(struct mb_sink *s, struct mb_diag *d)
{
    struct stat sb;
    mode_t mode = s->new_mode;
    if (lstat(s->target, &sb) == 0) {
        if (S_ISLNK(sb.st_mode))
            return mb_diag_set(d, MB_IO,
                               "output: '%s' became a symbolic link during the run; not replaced",
                               SHOWN(s->target));
        mode = sb.st_mode & 0777; /* permission bits; not set-user-ID on a report */
    }
    int fd = fileno(s->f);
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
        return cannot(d, s->path, s->target, errno);
    return MB_OK;
}

/* Closes the sink. Standard output is flushed, not closed. A temporary file
 * replaces the target with commit, when everything was written; otherwise,
 * or when that fails, it is removed and the target is untouched. Returns
 * MB_IO when something could not be written (with commit false, only a
 * write error counts); calling it again does nothing. */
enum mb_status mb_sink_close(struct mb_sink *s, bool commit, struct mb_diag *d)
{
    if (s->f == NULL)
        return MB_OK;
    if (s->f == stdout) {
        s->f = NULL;
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout))
            return mb_diag_set(d, MB_IO, "cannot write to standard output: %s",
                               strerror(errno != 0 ? errno : EIO));
        return MB_OK;
    }
    enum mb_status st = MB_OK;
    errno = 0;
    if (fflush(s->f) != 0 || ferror(s->f))
        st = cannot(d, s->path, s->target, errno != 0 ? errno : EIO);
    if (st == MB_OK && commit && s->tmp[0] != '\0')
        st = finish_temp(s, d);
    if (fclose(s->f) != 0 && st == MB_OK)
        st = cannot(d, s->path, s->target, errno);
    s->f = NULL;
    if (s->tmp[0] == '\0')
        return st;
    if (st == MB_OK && commit && rename(s->tmp, s->target) != 0)
        st = cannot(d, s->path, s->target, errno);
    if (st != MB_OK || !commit)
        unlink(s->tmp);
    s->tmp[0] = '\0';
    return st;
}
