#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct reg_staged {
	int dfd;
	char *tmp;      /* name in dfd */
	char *name;     /* final name in dfd */
	char *path;     /* dir/name, for messages */
	char *tmp_path; /* dir/tmp */
};

static int oom(reg_err **errp)
{
	return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
}

static int write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void staged_free(reg_staged *st)
{
	if (!st)
		return;
	if (st->dfd >= 0)
		close(st->dfd);
	free(st->tmp);
	free(st->name);
	free(st->path);
	free(st->tmp_path);
	free(st);
}

reg_staged *reg_file_stage(const char *dir, const char *name, const void *data, size_t len,
			   mode_t mode, reg_err **errp)
{
	reg_staged *st = calloc(1, sizeof *st);
	int fd = -1;
	bool made = false;
	if (!st) {
		oom(errp);
		return NULL;
	}
	st->dfd = -1;
	if (asprintf(&st->path, "%s/%s", dir, name) < 0 ||
	    asprintf(&st->tmp, ".%s.tmp.%ld", name, (long)getpid()) < 0 ||
	    asprintf(&st->tmp_path, "%s/%s", dir, st->tmp) < 0 || !(st->name = strdup(name))) {
		oom(errp);
		goto fail;
	}
	if (!*name || name[0] == '.' || strchr(name, '/') || strlen(name) > REG_FILE_NAME_MAX) {
		reg_err_set(errp, REG_ECANTCREAT, st->path, 0, NULL,
			    "cannot create: not a plain file name");
		goto fail;
	}
	if ((st->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		reg_err_set(errp, REG_ECANTCREAT, st->path, 0, NULL, "cannot create: %s",
			    strerror(errno));
		goto fail;
	}
	fd = openat(st->dfd, st->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		reg_err_set(errp, REG_ECANTCREAT, st->path, 0, NULL,
			    "cannot create temporary file '%s': %s", st->tmp, strerror(errno));
		goto fail;
	}
	made = true;
	/* The umask must not make a document unreadable to those it is for (0644 files). */
	if (fchmod(fd, mode) || write_all(fd, data, len) || fsync(fd)) {
		reg_err_set(errp, REG_EIO, st->path, 0, NULL, "write failed: %s", strerror(errno));
		goto fail;
	}
	int c = close(fd);
	fd = -1;
	if (c) {
		reg_err_set(errp, REG_EIO, st->path, 0, NULL, "write failed: %s", strerror(errno));
		goto fail;
	}
	return st;
fail:
	if (fd >= 0)
		close(fd);
	if (made)
		unlinkat(st->dfd, st->tmp, 0);
	staged_free(st);
	return NULL;
}

const char *reg_file_staged_path(const reg_staged *st)
{
	return st->tmp_path;
}

void reg_file_abandon(reg_staged *st)
{
	if (!st)
		return;
	unlinkat(st->dfd, st->tmp, 0);
	staged_free(st);
}

/* Give the staged file its name: rename(2), replacing a file of that name, or link(2), which
 * refuses one. */
static int publish(reg_staged *st, bool replace, reg_err **errp)
{
	int rc = -1;
	if (replace ? renameat(st->dfd, st->tmp, st->dfd, st->name)
		    : linkat(st->dfd, st->tmp, st->dfd, st->name, 0)) {
		reg_err_set(errp, REG_ECANTCREAT, st->path, 0, NULL, "cannot create: %s",
			    errno == EEXIST && !replace ? "it exists" : strerror(errno));
		unlinkat(st->dfd, st->tmp, 0);
		goto out;
	}
	if (!replace)
		unlinkat(st->dfd, st->tmp, 0);
	/* The new name itself must reach the disk before anyone is told the file is there. */
	if (fsync(st->dfd)) {
		reg_err_set(errp, REG_EIO, st->path, 0, NULL, "cannot sync directory: %s",
			    strerror(errno));
		unlinkat(st->dfd, st->name, 0);
		goto out;
	}
	rc = 0;
out:
	staged_free(st);
	return rc;
}

int reg_file_publish(reg_staged *st, reg_err **errp)
{
	return publish(st, true, errp);
}

int reg_file_publish_new(reg_staged *st, reg_err **errp)
{
	return publish(st, false, errp);
}

int reg_file_write_atomic(const char *dir, const char *name, const void *data, size_t len,
			  mode_t mode, reg_err **errp)
{
	reg_staged *st = reg_file_stage(dir, name, data, len, mode, errp);
	return st ? reg_file_publish(st, errp) : -1;
}

int reg_file_write_new(const char *dir, const char *name, const void *data, size_t len,
		       mode_t mode, reg_err **errp)
{
	reg_staged *st = reg_file_stage(dir, name, data, len, mode, errp);
	return st ? reg_file_publish_new(st, errp) : -1;
}

/* "." NAME ".tmp." DIGITS with NAME non-empty; the pid through *pid (-1 when it cannot be a
 * process id at all). */
static bool stale_name(const char *name, long long *pid)
{
	if (name[0] != '.')
		return false;
	const char *t = NULL;
	for (const char *p = strstr(name + 1, ".tmp."); p; p = strstr(p + 1, ".tmp."))
		t = p;
	if (!t || t == name + 1 || !t[5])
		return false;
	long long v = 0;
	for (const char *d = t + 5; *d; d++) {
		if (*d < '0' || *d > '9')
			return false;
		if (v <= INT_MAX)
			v = v * 10 + (*d - '0');
	}
	*pid = v >= 1 && v <= INT_MAX ? v : -1;
	return true;
}

int reg_file_clean_stale(const char *dir, reg_err **errp)
{
	DIR *d = opendir(dir);
	if (!d)
		return reg_err_set(errp, REG_ECANTCREAT, dir, 0, NULL, "cannot open directory: %s",
				   strerror(errno));
	int removed = 0, rc = 0;
	for (;;) {
		errno = 0; /* readdir leaves it alone at the end, sets it on an error */
		struct dirent *de = readdir(d);
		if (!de)
			break;
		long long pid;
		struct stat st;
		if (!stale_name(de->d_name, &pid))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		/* A live process (ours included, or one we may not signal) still owns its file. */
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
		else if (errno != ENOENT) {
			rc = reg_err_set(errp, REG_EIO, dir, 0, NULL, "cannot remove '%s': %s",
					 de->d_name, strerror(errno));
			break;
		}
	}
	if (rc == 0 && errno != 0)
		rc = reg_err_set(errp, REG_EIO, dir, 0, NULL, "cannot read directory: %s",
				 strerror(errno));
	closedir(d);
	return rc ? -1 : removed;
}

int reg_mkdir(const char *path, reg_err **errp)
{
	struct stat st;
	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL, "cannot create directory: %s",
			   strerror(errno == EEXIST ? ENOTDIR : errno));
}
