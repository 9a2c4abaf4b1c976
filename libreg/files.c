#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hex.h"
#include "xml.h"

struct reg_staged {
	int dfd;
	char *tmp;      /* name in dfd */
	char *name;     /* final name in dfd */
	char *path;     /* dir/name, for messages */
	char *tmp_path; /* dir/tmp */
};

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

/* Stage a file; with `sync` flushed on its own (reg_file_write_group flushes many at once). */
static reg_staged *stage(const char *dir, const char *name, const void *data, size_t len,
			 mode_t mode, bool sync, reg_err **errp)
{
	reg_staged *st = calloc(1, sizeof *st);
	int fd = -1;
	bool made = false;
	if (!st) {
		reg_err_oom(errp);
		return NULL;
	}
	st->dfd = -1;
	if (asprintf(&st->path, "%s/%s", dir, name) < 0 ||
	    asprintf(&st->tmp, ".%s.tmp.%ld", name, (long)getpid()) < 0 ||
	    asprintf(&st->tmp_path, "%s/%s", dir, st->tmp) < 0 || !(st->name = strdup(name))) {
		reg_err_oom(errp);
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
	if (fchmod(fd, mode) || write_all(fd, data, len) || (sync && fsync(fd))) {
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

reg_staged *reg_file_stage(const char *dir, const char *name, const void *data, size_t len,
			   mode_t mode, reg_err **errp)
{
	return stage(dir, name, data, len, mode, true, errp);
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

/* Give the staged file its name: rename(2), replacing a file of that name (REPLACE, KEEP), or
 * link(2), which refuses one (NEW).  KEEP never removes the file on failure. */
enum publish_how { REPLACE, NEW, KEEP };

static int publish(reg_staged *st, enum publish_how how, reg_err **errp)
{
	int rc = -1;
	if (how != NEW ? renameat(st->dfd, st->tmp, st->dfd, st->name)
		       : linkat(st->dfd, st->tmp, st->dfd, st->name, 0)) {
		if (how == KEEP) {
			reg_err_set(errp, REG_ECANTCREAT, st->path, 0, NULL,
				    "recorded but not moved into place (it is in '%s'): %s",
				    st->tmp_path, strerror(errno));
			goto out;
		}
		reg_err_set(errp, REG_ECANTCREAT, st->path, 0, NULL, "cannot create: %s",
			    errno == EEXIST && how == NEW ? "it exists" : strerror(errno));
		unlinkat(st->dfd, st->tmp, 0);
		goto out;
	}
	if (how == NEW)
		unlinkat(st->dfd, st->tmp, 0);
	/* The new name itself must reach the disk before anyone is told the file is there. */
	if (fsync(st->dfd)) {
		reg_err_set(errp, REG_EIO, st->path, 0, NULL, "cannot sync directory: %s",
			    strerror(errno));
		if (how != KEEP)
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
	return publish(st, REPLACE, errp);
}

int reg_file_publish_recorded(reg_staged *st, reg_err **errp)
{
	return publish(st, KEEP, errp);
}

int reg_file_publish_new(reg_staged *st, reg_err **errp)
{
	return publish(st, NEW, errp);
}

int reg_file_write_atomic(const char *dir, const char *name, const void *data, size_t len,
			  mode_t mode, reg_err **errp)
{
	reg_staged *st = reg_file_stage(dir, name, data, len, mode, errp);
	return st ? reg_file_publish(st, errp) : -1;
}

int reg_file_write_group(const char *dir, const reg_file_part *parts, size_t n, mode_t mode,
			 reg_err **errp)
{
	if (n == 0)
		return 0;
	reg_staged **st = calloc(n, sizeof *st);
	size_t staged = 0, published = 0;
	int rc = -1;
	if (!st)
		return reg_err_oom(errp);
	for (; staged < n; staged++)
		if (!(st[staged] = stage(dir, parts[staged].name, parts[staged].data, parts[staged].len,
					 mode, false, errp)))
			goto out;
	/* One flush of every staged file's data before any of them gets its name. */
	if (syncfs(st[0]->dfd)) {
		reg_err_set(errp, REG_EIO, st[0]->path, 0, NULL, "write failed: %s", strerror(errno));
		goto out;
	}
	for (; published < n; published++)
		if (renameat(st[published]->dfd, st[published]->tmp, st[published]->dfd,
			     st[published]->name)) {
			reg_err_set(errp, REG_ECANTCREAT, st[published]->path, 0, NULL,
				    "cannot create: %s", strerror(errno));
			goto out;
		}
	if (fsync(st[0]->dfd)) {
		reg_err_set(errp, REG_EIO, st[0]->path, 0, NULL, "cannot sync directory: %s",
			    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < staged; i++) {
		if (i >= published)
			unlinkat(st[i]->dfd, st[i]->tmp, 0);
		staged_free(st[i]);
	}
	free(st);
	return rc;
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
	if (errno == EEXIST)
		return stat(path, &st) == 0 && S_ISDIR(st.st_mode)
			       ? 0
			       : reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL, "not a directory");
	return reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL, "cannot create directory: %s",
			   strerror(errno));
}

static bool has_dotdot(const char *path)
{
	for (const char *p = path; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return true;
	}
	return false;
}

/* Why openat failed on `name` in dirfd: a symbolic link (which O_NOFOLLOW refuses as ELOOP, or
 * with O_DIRECTORY as ENOTDIR) says so. */
static int open_problem(const char *path, int dirfd, const char *name, int err, reg_err **errp)
{
	struct stat st;
	if ((err == ELOOP || err == ENOTDIR) &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "file '%s': '%s' is a symbolic link (links are not followed: one "
				   "could lead outside the input's folder)", path, name);
	return reg_err_set(errp, REG_ENO, NULL, 0, NULL, "file '%s': %s", path, strerror(err));
}

static int hash_fd(int fd, const char *path, char hex[65], reg_err **errp)
{
	unsigned char buf[65536], digest[32];
	uint64_t total = 0;
	unsigned len = 0;
	ssize_t n = 0;
	int rc = -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "cannot hash: out of memory");
		goto out;
	}
	/* The size may change while it is read: the cap holds for what is read. */
	while (total <= REG_FILE_MATERIAL_MAX && ((n = read(fd, buf, sizeof buf)) > 0 ||
						  (n < 0 && errno == EINTR))) {
		if (n > 0) {
			EVP_DigestUpdate(md, buf, (size_t)n);
			total += (uint64_t)n;
		}
	}
	if (total > REG_FILE_MATERIAL_MAX) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "file '%s' is larger than %u MiB", path,
			    REG_FILE_MATERIAL_MAX >> 20);
		goto out;
	}
	if (n < 0 || !EVP_DigestFinal_ex(md, digest, &len)) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "file '%s' could not be read", path);
		goto out;
	}
	reg_hex(digest, sizeof digest, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int reg_file_hash_inside(const char *folder, const char *path, char hex[65], reg_err **errp)
{
	char *walk = NULL;
	int dirfd = -1, fd = -1, rc = -1;
	if (!*path)
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "an empty file name (a material sighted at the window is given by "
				   "its type alone)");
	if (path[0] == '/' || has_dotdot(path))
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "file '%s' must be a relative path inside the input's folder", path);
	if ((dirfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "cannot resolve the input's folder '%s'", folder);
	if (!(walk = strdup(path))) {
		reg_err_oom(errp);
		goto out;
	}
	for (char *name = walk, *slash; name; name = slash) {
		if ((slash = strchr(name, '/')))
			*slash++ = '\0';
		if (!*name || strcmp(name, ".") == 0) {
			if (!slash) { /* "dir/" or "." names a folder, not a file */
				reg_err_set(errp, REG_ENO, NULL, 0, NULL,
					    "file '%s' is not a regular file", path);
				goto out;
			}
			continue;
		}
		int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			    (slash ? O_DIRECTORY : O_NONBLOCK | O_NOCTTY);
		int next = openat(dirfd, name, flags);
		if (next < 0) {
			open_problem(path, dirfd, name, errno, errp);
			goto out;
		}
		if (slash) {
			close(dirfd);
			dirfd = next;
		} else {
			fd = next;
		}
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "file '%s' is not a regular file", path);
		goto out;
	}
	if (st.st_nlink > 1) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL,
			    "file '%s' has %ju hard links: only a file of its own is hashed (copy it "
			    "into the input's folder)", path, (uintmax_t)st.st_nlink);
		goto out;
	}
	if ((uint64_t)st.st_size > REG_FILE_MATERIAL_MAX) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "file '%s' is larger than %u MiB", path,
			    REG_FILE_MATERIAL_MAX >> 20);
		goto out;
	}
	rc = hash_fd(fd, path, hex, errp);
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(walk);
	return rc;
}

bool reg_file_would_wait(FILE *fp)
{
	return reg_file_would_wait_ms(fp, 0);
}

bool reg_file_would_wait_ms(FILE *fp, int ms)
{
	struct pollfd p = {.fd = fileno(fp), .events = POLLIN};
	return poll(&p, 1, ms) == 0;
}

size_t reg_file_read_some(FILE *fp, void *buf, size_t len, bool *failed)
{
	int fd = fileno(fp);
	*failed = false;
	if (fd < 0) {
		size_t n = fread(buf, 1, len, fp);
		*failed = n == 0 && ferror(fp);
		return n;
	}
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return (size_t)n;
		if (errno != EINTR) {
			*failed = true;
			return 0;
		}
	}
}
