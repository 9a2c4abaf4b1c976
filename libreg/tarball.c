#include "tarball.h"

#include <archive.h>
#include <libdeflate.h>
#include <archive_entry.h>

#include "files.h"
#include "i18n.h"
#include "hex.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define ZLIB_CONST
#include <openssl/evp.h>
#include <zlib.h>

/* The uncompressed stream may hold headers besides the files' bytes: at most two 512-byte
 * headers and a pax record per entry in a genuine archive; 32 MiB covers 10 000 entries. */
#define MAX_STREAM ((uint64_t)REG_ARCHIVE_MAX_TOTAL + (32u << 20))
/* Compressed bytes handed to libarchive per read callback.  Deflate expands at most ~1032:1,
 * so between two checks a bomb grows by at most ~16 MiB. */
#define READ_CHUNK (16u << 10)
#define QUOTE_MAX 100 /* bytes of a hostile name shown in a message */
#define STR_(x) #x
#define STR(x) STR_(x)

/* ---- shared helpers -------------------------------------------------------------------- */

/* POSIX portable filename character set. */
static bool portable(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* Why a relative path ("a/b.xml") breaks the naming rules, or NULL when it keeps them. */
static const char *relpath_problem(const char *p)
{
	if (!*p)
		return _("empty name");
	if (*p == '/')
		return _("absolute path");
	const char *comp = p;
	for (const char *c = p;; c++) {
		if (*c == '/' || *c == '\0') {
			size_t n = (size_t)(c - comp);
			if (n == 0)
				return _("empty component in path");
			if (n == 1 && comp[0] == '.')
				return _("'.' in path");
			if (n == 2 && comp[0] == '.' && comp[1] == '.')
				return _("'..' in path");
			if (*c == '\0')
				return NULL;
			comp = c + 1;
		} else if (!portable((unsigned char)*c)) {
			return _("character not allowed in a name (only A-Z a-z 0-9 . _ -)");
		}
	}
}

/* 'name' for a message, whatever bytes it holds: controls, non-ASCII, quote and backslash as
 * \xNN, long names cut, so a hostile name can neither garble a terminal nor hide. */
static void quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;
	buf[o++] = '\'';
	for (size_t i = 0; s[i] && o + 8 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == QUOTE_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '\'')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}
#define QUOTED_SIZE (QUOTE_MAX * 4 + 16)

/* libarchive's messages start with a capital and may be NULL. */
static void la_message(struct archive *a, char *buf, size_t size)
{
	const char *m = archive_error_string(a);
	snprintf(buf, size, "%s", m && *m ? m : "unreadable archive");
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	size_t n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '.' || buf[n - 1] == '\n'))
		buf[--n] = '\0';
}

/* ---- writer ---------------------------------------------------------------------------- */

struct wfile {
	char *path; /* relative to top */
	unsigned char *data;
	size_t len;
};

struct reg_archive_writer {
	char *top;
	int64_t mtime;
	struct wfile *files; /* kept sorted by path */
	size_t n, cap;
	size_t total;
};

reg_archive_writer *reg_archive_writer_new(const char *top_dir, int64_t mtime, reg_err **errp)
{
	if (!top_dir || relpath_problem(top_dir) || strchr(top_dir, '/') ||
	    strlen(top_dir) + 2 > REG_ARCHIVE_MAX_NAME) {
		char q[QUOTED_SIZE];
		quote(top_dir ? top_dir : "", q, sizeof q);
		reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
			    "top directory %s is not one portable file name", q);
		return NULL;
	}
	if (mtime < 0) {
		reg_err_set(errp, REG_EDATA, NULL, 0, NULL, "archive time %lld is before 1970",
			    (long long)mtime);
		return NULL;
	}
	reg_archive_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->top = strdup(top_dir))) {
		free(w);
		reg_err_oom(errp);
		return NULL;
	}
	w->mtime = mtime;
	return w;
}

void reg_archive_writer_free(reg_archive_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->files[i].path);
		free(w->files[i].data);
	}
	free(w->files);
	free(w->top);
	free(w);
}

/* Index of the first file whose path is >= key. */
static size_t lower_bound(const reg_archive_writer *w, const char *key)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(w->files[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool has_file(const reg_archive_writer *w, const char *path)
{
	size_t i = lower_bound(w, path);
	return i < w->n && strcmp(w->files[i].path, path) == 0;
}

int reg_archive_add_file(reg_archive_writer *w, const char *relpath, const void *data, size_t len,
			 reg_err **errp)
{
	char q[QUOTED_SIZE];
	quote(relpath, q, sizeof q);
	const char *why = relpath_problem(relpath);
	if (why)
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL, "archive file %s: %s", q, why);
	size_t plen = strlen(relpath);
	if (strlen(w->top) + 1 + plen > REG_ARCHIVE_MAX_NAME)
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
				   "archive file %s: name longer than %d bytes", q,
				   REG_ARCHIVE_MAX_NAME);
	if (len > REG_ARCHIVE_MAX_ENTRY)
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
				   "archive file %s: larger than %u MiB", q,
				   REG_ARCHIVE_MAX_ENTRY >> 20);
	if (w->total + len > REG_ARCHIVE_MAX_TOTAL)
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
				   "archive file %s: the files would total more than %u MiB", q,
				   REG_ARCHIVE_MAX_TOTAL >> 20);
	if (w->n + 2 > REG_ARCHIVE_MAX_ENTRIES) /* + the top directory */
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
				   "archive file %s: more than %d entries", q,
				   REG_ARCHIVE_MAX_ENTRIES);
	size_t at = lower_bound(w, relpath);
	if (at < w->n && strcmp(w->files[at].path, relpath) == 0)
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL, "archive file %s added twice", q);
	/* A file cannot also be a directory: neither a parent of this one nor below it. */
	for (size_t i = 0; i < plen; i++) {
		if (relpath[i] != '/')
			continue;
		char parent[REG_ARCHIVE_MAX_NAME + 1];
		memcpy(parent, relpath, i);
		parent[i] = '\0';
		if (has_file(w, parent))
			return reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
					   "archive file %s: '%s' is a file, not a directory", q,
					   parent);
	}
	if (at < w->n && strncmp(w->files[at].path, relpath, plen) == 0 &&
	    w->files[at].path[plen] == '/')
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
				   "archive file %s: already a directory", q);
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 32;
		struct wfile *files = realloc(w->files, cap * sizeof *files);
		if (!files)
			return reg_err_oom(errp);
		w->files = files;
		w->cap = cap;
	}
	struct wfile f = {strdup(relpath), malloc(len ? len : 1), len};
	if (!f.path || !f.data) {
		free(f.path);
		free(f.data);
		return reg_err_oom(errp);
	}
	if (len)
		memcpy(f.data, data, len);
	memmove(w->files + at + 1, w->files + at, (w->n - at) * sizeof *w->files);
	w->files[at] = f;
	w->n++;
	w->total += len;
	return 0;
}

static bool is_manifest_file(const char *relpath)
{
	return strcmp(relpath, REG_ARCHIVE_MANIFEST) == 0 ||
	       strcmp(relpath, REG_ARCHIVE_MANIFEST_SIG) == 0;
}

int reg_archive_manifest(const reg_archive_writer *w, char **text, size_t *len, reg_err **errp)
{
	*text = NULL;
	size_t cap = 1, n = 0;
	for (size_t i = 0; i < w->n; i++)
		cap += 64 + 2 + strlen(w->files[i].path) + 1;
	char *buf = malloc(cap);
	if (!buf)
		return reg_err_oom(errp);
	for (size_t i = 0; i < w->n; i++) {
		const struct wfile *f = &w->files[i];
		unsigned char md[32];
		if (is_manifest_file(f->path))
			continue;
		if (reg_sha256(f->data, f->len, md, NULL)) {
			free(buf);
			return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "sha-256 failed");
		}
		reg_hex(md, sizeof md, buf + n);
		n += 64;
		n += (size_t)sprintf(buf + n, "  %s\n", f->path);
	}
	buf[n] = '\0';
	*text = buf;
	if (len)
		*len = n;
	return 0;
}

int reg_archive_add_signed_manifest(reg_archive_writer *w, const reg_sign_key *key,
				    reg_err **errp)
{
	if (has_file(w, REG_ARCHIVE_MANIFEST) || has_file(w, REG_ARCHIVE_MANIFEST_SIG))
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
				   "the archive already has a MANIFEST");
	char *text = NULL;
	size_t len = 0;
	unsigned char sig[REG_SIG_LEN];
	int rc = -1;
	if (reg_archive_manifest(w, &text, &len, errp) || reg_sign(key, text, len, sig, errp) ||
	    reg_archive_add_file(w, REG_ARCHIVE_MANIFEST, text, len, errp))
		goto out;
	if (reg_archive_add_file(w, REG_ARCHIVE_MANIFEST_SIG, sig, sizeof sig, errp)) {
		/* Leave the writer as it was: take MANIFEST out again. */
		size_t at = lower_bound(w, REG_ARCHIVE_MANIFEST);
		w->total -= w->files[at].len;
		free(w->files[at].path);
		free(w->files[at].data);
		memmove(w->files + at, w->files + at + 1, (w->n - at - 1) * sizeof *w->files);
		w->n--;
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

struct sink {
	unsigned char *buf;
	size_t len, cap;
	bool oom;
};

static la_ssize_t sink_write(struct archive *a, void *p, const void *data, size_t n)
{
	struct sink *s = p;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 64 << 10;
		while (cap < s->len + n)
			cap *= 2;
		unsigned char *buf = realloc(s->buf, cap);
		if (!buf) {
			s->oom = true;
			archive_set_error(a, ENOMEM, "out of memory");
			return -1;
		}
		s->buf = buf;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return (la_ssize_t)n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every directory name as stored ("<top>/", "<top>/seals/"), sorted, no duplicates. */
static char **directories(const reg_archive_writer *w, size_t *count)
{
	size_t cap = 1;
	for (size_t i = 0; i < w->n; i++)
		for (const char *c = w->files[i].path; *c; c++)
			cap += *c == '/';
	char **dirs = calloc(cap, sizeof *dirs);
	size_t n = 0;
	if (!dirs)
		return NULL;
	if (asprintf(&dirs[n++], "%s/", w->top) < 0)
		goto fail;
	for (size_t i = 0; i < w->n; i++) {
		const char *p = w->files[i].path;
		for (const char *c = p; *c; c++) {
			if (*c != '/')
				continue;
			if (asprintf(&dirs[n], "%s/%.*s/", w->top, (int)(c - p), p) < 0)
				goto fail;
			n++;
		}
	}
	qsort(dirs, n, sizeof *dirs, cmp_str);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && strcmp(dirs[out - 1], dirs[i]) == 0)
			free(dirs[i]);
		else
			dirs[out++] = dirs[i];
	}
	*count = out;
	return dirs;
fail:
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	return NULL;
}

static int put_entry(struct archive *a, struct archive_entry *e, const char *name, bool dir,
		     int64_t mtime, const unsigned char *data, size_t len)
{
	archive_entry_clear(e);
	archive_entry_copy_pathname(e, name);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		return -1;
	if (len && archive_write_data(a, data, len) != (la_ssize_t)len)
		return -1;
	return 0;
}

static int write_archive(const reg_archive_writer *w, unsigned char **buf, size_t *len,
			 reg_err **errp)
{
	*buf = NULL;
	*len = 0;
	size_t ndirs = 0;
	char **dirs = directories(w, &ndirs);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	struct sink s = {0};
	int rc = -1;
	if (!dirs || !a || !e) {
		reg_err_oom(errp);
		goto out;
	}
	if (ndirs + w->n > REG_ARCHIVE_MAX_ENTRIES) {
		reg_err_set(errp, REG_EDATA, NULL, 0, NULL, "archive of more than %d entries",
			    REG_ARCHIVE_MAX_ENTRIES);
		goto out;
	}
	/* No padding of the last block: the file ends where the tar stream ends. */
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &s, NULL, sink_write, NULL) != ARCHIVE_OK)
		goto fail;
	for (size_t i = 0; i < ndirs; i++)
		if (put_entry(a, e, dirs[i], true, w->mtime, NULL, 0))
			goto fail;
	for (size_t i = 0; i < w->n; i++) {
		char name[REG_ARCHIVE_MAX_NAME + 1];
		snprintf(name, sizeof name, "%s/%s", w->top, w->files[i].path);
		if (put_entry(a, e, name, false, w->mtime, w->files[i].data, w->files[i].len))
			goto fail;
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto fail;
	*buf = s.buf;
	*len = s.len;
	s.buf = NULL;
	rc = 0;
	goto out;
fail:;
	char m[256];
	la_message(a, m, sizeof m);
	reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "cannot make the archive: %s", m);
out:
	if (dirs)
		for (size_t i = 0; i < ndirs; i++)
			free(dirs[i]);
	free(dirs);
	archive_entry_free(e);
	archive_write_free(a);
	free(s.buf);
	return rc;
}

/* The tar stream written, then one gzip member made of it at once with libdeflate: the same
 * bytes for the same tree and the same libdeflate version (an issued archive's bytes are kept by
 * the registry, so a later library never changes one), at a fraction of zlib's cost. */
int reg_archive_write_mem(const reg_archive_writer *w, unsigned char **buf, size_t *len,
			  reg_err **errp)
{
	unsigned char *tar = NULL, *gz = NULL;
	size_t tar_len = 0;
	if (write_archive(w, &tar, &tar_len, errp) < 0)
		return -1;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(REG_ARCHIVE_GZIP_LEVEL);
	size_t bound = c ? libdeflate_gzip_compress_bound(c, tar_len) : 0;
	size_t out = 0;
	if (c && (gz = malloc(bound)))
		out = libdeflate_gzip_compress(c, tar, tar_len, gz, bound);
	libdeflate_free_compressor(c);
	free(tar);
	if (!out) {
		free(gz);
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "cannot compress the archive: out of memory");
	}
	*buf = gz;
	*len = out;
	return 0;
}

int reg_archive_write_tar_mem(const reg_archive_writer *w, unsigned char **buf, size_t *len,
			      reg_err **errp)
{
	return write_archive(w, buf, len, errp);
}

int reg_archive_write_atomic(const reg_archive_writer *w, const char *dir, const char *final_name,
			     char sha256_hex[65], reg_err **errp)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = -1;
	if (relpath_problem(final_name)) {
		reg_err_set(errp, REG_ECANTCREAT, final_name, 0, NULL,
			    "cannot create: not a plain portable file name");
		return -1;
	}
	if (reg_archive_write_mem(w, &buf, &len, errp) < 0 ||
	    reg_file_write_atomic(dir, final_name, buf, len, 0644, errp) < 0)
		goto out;
	if (sha256_hex) {
		unsigned char md[32];
		if (reg_sha256(buf, len, md, NULL)) {
			reg_err_set(errp, REG_EINTERNAL, final_name, 0, NULL, "sha-256 failed");
			goto out;
		}
		reg_hex(md, sizeof md, sha256_hex);
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

int reg_archive_clean_stale(const char *dir, reg_err **errp)
{
	return reg_file_clean_stale(dir, errp);
}

/* ---- reader ---------------------------------------------------------------------------- */

struct rentry {
	char *name; /* as stored, without a directory's trailing '/' */
	unsigned char *data;
	size_t len;
	bool dir;
};

struct reg_archive_entries {
	char *name; /* the archive, for messages */
	char *top;
	struct rentry *all;
	size_t nall, capall;
	reg_archive_file *files;
	size_t nfiles;
	int64_t mtime;
	bool canonical;
	char sha256[65];
};

void reg_archive_entries_free(reg_archive_entries *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nall; i++) {
		free(e->all[i].name);
		free(e->all[i].data);
	}
	free(e->all);
	free(e->files);
	free(e->top);
	free(e->name);
	free(e);
}

/* Why a stream that expanded to `expanded` bytes out of `compressed` must stop, or NULL. */
static const char *expansion_problem(uint64_t expanded, uint64_t compressed)
{
	if (expanded > MAX_STREAM)
		return _("expands beyond the archive size cap (a decompression bomb)");
	if (expanded > REG_ARCHIVE_RATIO_FLOOR && expanded / REG_ARCHIVE_MAX_RATIO > compressed)
		return "compresses more than " STR(REG_ARCHIVE_MAX_RATIO) ":1 (a decompression bomb)";
	return NULL;
}

/* Libarchive reads the compressed bytes through this, a chunk at a time; every call looks at
 * how far the gzip layer has expanded, so a bomb stops early. */
struct source {
	const unsigned char *buf;
	size_t len, pos;
	const char *bomb; /* set when the callback refused to go on */
};

static la_ssize_t source_read(struct archive *a, void *p, const void **out)
{
	struct source *s = p;
	la_int64_t expanded = archive_filter_bytes(a, 0);
	const char *why = expansion_problem(expanded > 0 ? (uint64_t)expanded : 0, s->pos);
	if (why) {
		s->bomb = why;
		archive_set_error(a, EFBIG, "%s", why);
		return -1;
	}
	size_t n = s->len - s->pos;
	if (n > READ_CHUNK)
		n = READ_CHUNK;
	*out = s->buf + s->pos;
	s->pos += n;
	return (la_ssize_t)n;
}

/* Pass B: zlib over the whole file — one complete gzip member (CRC and length checked),
 * nothing after it, under the same caps.  0 and the SHA-256 of the tar inside when sound; 1
 * with *why when not; -1 when it could not run. */
static int gzip_check(const unsigned char *buf, size_t len, unsigned char tar_md[32], char *why,
		      size_t whysize)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = -1;
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	zs.next_in = buf;
	zs.avail_in = (uInt)len;
	for (;;) {
		unsigned char out[32 << 10];
		zs.next_out = out;
		zs.avail_out = sizeof out;
		int z = inflate(&zs, Z_NO_FLUSH);
		size_t produced = sizeof out - zs.avail_out;
		if (produced && EVP_DigestUpdate(md, out, produced) != 1)
			goto out;
		const char *bomb = expansion_problem(zs.total_out, zs.total_in);
		if (bomb) {
			snprintf(why, whysize, "%s", bomb);
			rc = 1;
			goto out;
		}
		if (z == Z_STREAM_END)
			break;
		if (z == Z_OK)
			continue;
		if (z == Z_BUF_ERROR) /* no progress: the input ended inside the stream */
			snprintf(why, whysize, "truncated gzip stream");
		else if (z == Z_MEM_ERROR)
			goto out;
		else
			snprintf(why, whysize, "corrupt gzip stream: %s",
				 zs.msg ? zs.msg : "bad data");
		rc = 1;
		goto out;
	}
	if (zs.avail_in > 0) {
		snprintf(why, whysize, "trailing data after the gzip stream");
		rc = 1;
		goto out;
	}
	rc = EVP_DigestFinal_ex(md, tar_md, NULL) == 1 ? 0 : -1;
out:
	EVP_MD_CTX_free(md);
	inflateEnd(&zs);
	return rc;
}

static int add_entry(reg_archive_entries *r, char *name, unsigned char *data, size_t len, bool dir)
{
	if (r->nall == r->capall) {
		size_t cap = r->capall ? 2 * r->capall : 64;
		struct rentry *all = realloc(r->all, cap * sizeof *all);
		if (!all)
			return -1;
		r->all = all;
		r->capall = cap;
	}
	r->all[r->nall++] = (struct rentry){name, data, len, dir};
	return 0;
}

static const char *type_name(mode_t type)
{
	switch (type) {
	case AE_IFLNK: return _("symbolic link");
	case AE_IFCHR: return _("character device");
	case AE_IFBLK: return _("block device");
	case AE_IFIFO: return "fifo";
	case AE_IFSOCK: return "socket";
	default: return _("not a regular file or directory");
	}
}

/* The name libarchive reports, whatever could be decoded of it. */
static const char *entry_name(struct archive_entry *ae)
{
	const char *p = archive_entry_pathname(ae);
	if (!p)
		p = archive_entry_pathname_utf8(ae);
	return p;
}

/* Judge one header; 0 to keep it, else a refusal in *errp naming the entry. */
static int check_header(reg_archive_entries *r, struct archive_entry *ae, const char *name,
			const char *q, reg_err **errp)
{
	size_t nlen = strlen(name);
	if (nlen > REG_ARCHIVE_MAX_NAME)
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL,
				   "entry %s: name longer than %d bytes", q, REG_ARCHIVE_MAX_NAME);
	const char *hl = archive_entry_hardlink(ae);
	mode_t type = archive_entry_filetype(ae);
	/* A directory's name may end in one '/'; judge the name without it. */
	char path[REG_ARCHIVE_MAX_NAME + 1];
	memcpy(path, name, nlen + 1);
	if (!hl && type == AE_IFDIR && nlen > 1 && path[nlen - 1] == '/')
		path[--nlen] = '\0';
	const char *why = relpath_problem(path);
	if (why)
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %s: %s", q, why);
	if (hl) {
		char t[QUOTED_SIZE];
		quote(hl, t, sizeof t);
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %s: hard link (to %s)",
				   q, t);
	}
	if (type == AE_IFLNK) {
		char t[QUOTED_SIZE];
		const char *target = archive_entry_symlink(ae);
		quote(target ? target : "", t, sizeof t);
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL,
				   "entry %s: symbolic link (to %s)", q, t);
	}
	if (type != AE_IFREG && type != AE_IFDIR)
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %s: %s", q,
				   type_name(type));
	if (archive_entry_sparse_count(ae) > 0)
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %s: sparse file", q);
	/* The single top directory. */
	const char *slash = strchr(path, '/');
	size_t toplen = slash ? (size_t)(slash - path) : nlen;
	if (!slash && type != AE_IFDIR)
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL,
				   "entry %s: file outside a top directory", q);
	if (!r->top) {
		r->top = strndup(path, toplen);
		if (!r->top)
			return reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "out of memory");
	} else if (strlen(r->top) != toplen || strncmp(r->top, path, toplen) != 0) {
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL,
				   "entry %s: a second top directory (the first is '%s')", q,
				   r->top);
	}
	return 0;
}

/* Pass A: libarchive, entry by entry.  Returns 0, or -1 with a refusal in *errp; *stream is set
 * when the failure came from the stream (libarchive could not go on) rather than a rule, and
 * then *last names the entry it happened in (or NULL). */
static int read_entries(reg_archive_entries *r, const unsigned char *buf, size_t len,
			bool *stream, char *last, size_t lastsize, reg_err **errp)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct source src = {buf, len, 0, NULL};
	uint64_t total = 0;
	long count = 0;
	int rc = -1;
	char m[256];
	*stream = false;
	last[0] = '\0';
	if (!a)
		return reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "out of memory");
	/* gzip and tar only: no other filter may run, above all no external program. */
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK) {
		la_message(a, m, sizeof m);
		reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "libarchive without zlib: %s", m);
		goto out;
	}
	if (archive_read_open(a, &src, NULL, source_read, NULL) != ARCHIVE_OK)
		goto stream_failed;
	for (;;) {
		int h = archive_read_next_header(a, &ae);
		if (h == ARCHIVE_EOF)
			break;
		if (src.bomb) {
			reg_err_set(errp, REG_ENO, r->name, 0, NULL, "%s%s%s%s", last[0] ? "entry " : "",
				    last, last[0] ? ": " : "", src.bomb);
			goto out;
		}
		if (h != ARCHIVE_OK && h != ARCHIVE_WARN)
			goto stream_failed;
		const char *name = entry_name(ae);
		char q[QUOTED_SIZE];
		quote(name ? name : "", q, sizeof q);
		snprintf(last, lastsize, "%s", q);
		if (++count == 1 && archive_filter_count(a) != 2) {
			reg_err_set(errp, REG_ENO, r->name, 0, NULL, "gzip inside gzip");
			goto out;
		}
		if (count > REG_ARCHIVE_MAX_ENTRIES) {
			reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %s: more than %d entries",
				    q, REG_ARCHIVE_MAX_ENTRIES);
			goto out;
		}
		if (!name) {
			reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %ld: name not readable",
				    count);
			goto out;
		}
		if (check_header(r, ae, name, q, errp))
			goto out;
		if (h == ARCHIVE_WARN) { /* e.g. a name or attribute libarchive could not decode */
			la_message(a, m, sizeof m);
			reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %s: %s", q, m);
			goto out;
		}
		if (count == 1)
			r->mtime = (int64_t)archive_entry_mtime(ae);
		bool dir = archive_entry_filetype(ae) == AE_IFDIR;
		size_t nlen = strlen(name);
		char *stored = strndup(name, dir && nlen > 1 && name[nlen - 1] == '/' ? nlen - 1 : nlen);
		unsigned char *data = NULL;
		size_t size = 0;
		if (!stored) {
			reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "out of memory");
			goto out;
		}
		if (!dir) {
			la_int64_t declared = archive_entry_size(ae);
			if (!archive_entry_size_is_set(ae) || declared < 0 ||
			    (uint64_t)declared > REG_ARCHIVE_MAX_ENTRY) {
				free(stored);
				reg_err_set(errp, REG_ENO, r->name, 0, NULL,
					    "entry %s: larger than %u MiB", q,
					    REG_ARCHIVE_MAX_ENTRY >> 20);
				goto out;
			}
			size = (size_t)declared;
			if (total + size > REG_ARCHIVE_MAX_TOTAL) {
				free(stored);
				reg_err_set(errp, REG_ENO, r->name, 0, NULL,
					    "entry %s: the files total more than %u MiB", q,
					    REG_ARCHIVE_MAX_TOTAL >> 20);
				goto out;
			}
			total += size;
			data = malloc(size + 1);
			if (!data) {
				free(stored);
				reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "out of memory");
				goto out;
			}
			for (size_t got = 0; got < size;) {
				la_ssize_t n = archive_read_data(a, data + got, size - got);
				const char *bomb = src.bomb;
				la_int64_t expanded = archive_filter_bytes(a, 0);
				if (!bomb)
					bomb = expansion_problem(expanded > 0 ? (uint64_t)expanded : 0,
								 src.pos);
				if (bomb) {
					free(stored);
					free(data);
					reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %s: %s", q,
						    bomb);
					goto out;
				}
				if (n <= 0) {
					free(stored);
					free(data);
					if (n == 0) {
						archive_set_error(a, EIO, "file ends early");
						/* and judged below, with the gzip layer's view */
					}
					goto stream_failed;
				}
				got += (size_t)n;
			}
			data[size] = '\0';
		}
		if (add_entry(r, stored, data, size, dir)) {
			free(stored);
			free(data);
			reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "out of memory");
			goto out;
		}
	}
	if (src.bomb) { /* the callback may have stopped the stream just as it ended */
		reg_err_set(errp, REG_ENO, r->name, 0, NULL, "%s", src.bomb);
		goto out;
	}
	rc = 0;
	goto out;
stream_failed:
	if (src.bomb) {
		reg_err_set(errp, REG_ENO, r->name, 0, NULL, "%s%s%s%s", last[0] ? "entry " : "", last,
			    last[0] ? ": " : "", src.bomb);
		goto out;
	}
	*stream = true;
	la_message(a, m, sizeof m);
	if (count == 0)
		reg_err_set(errp, REG_ENO, r->name, 0, NULL, "not a tar archive: %s", m);
	else
		reg_err_set(errp, REG_ENO, r->name, 0, NULL, "entry %s: %s", last, m);
out:
	archive_read_free(a);
	return rc;
}

static int cmp_rentry(const void *a, const void *b)
{
	return strcmp(((const struct rentry *)a)->name, ((const struct rentry *)b)->name);
}

static const struct rentry *find_rentry(const reg_archive_entries *r, const char *name)
{
	struct rentry key = {(char *)name, NULL, 0, false};
	return bsearch(&key, r->all, r->nall, sizeof *r->all, cmp_rentry);
}

/* After all entries are in: duplicates, files standing where directories must be, no files. */
static int check_tree(reg_archive_entries *r, reg_err **errp)
{
	qsort(r->all, r->nall, sizeof *r->all, cmp_rentry);
	char q[QUOTED_SIZE];
	for (size_t i = 0; i < r->nall; i++) {
		const struct rentry *e = &r->all[i];
		if (i > 0 && strcmp(r->all[i - 1].name, e->name) == 0) {
			quote(e->name, q, sizeof q);
			return reg_err_set(errp, REG_ENO, r->name, 0, NULL, "duplicate entry %s", q);
		}
		for (const char *c = strchr(e->name, '/'); c; c = strchr(c + 1, '/')) {
			char parent[REG_ARCHIVE_MAX_NAME + 1];
			memcpy(parent, e->name, (size_t)(c - e->name));
			parent[c - e->name] = '\0';
			const struct rentry *p = find_rentry(r, parent);
			if (p && !p->dir) {
				char qc[QUOTED_SIZE];
				quote(parent, q, sizeof q);
				quote(e->name, qc, sizeof qc);
				return reg_err_set(errp, REG_ENO, r->name, 0, NULL,
						   "entry %s: a file where %s needs a directory", q,
						   qc);
			}
		}
		if (!e->dir)
			r->nfiles++;
	}
	if (r->nfiles == 0)
		return reg_err_set(errp, REG_ENO, r->name, 0, NULL, "the archive holds no files");
	r->files = calloc(r->nfiles, sizeof *r->files);
	if (!r->files)
		return reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "out of memory");
	size_t toplen = strlen(r->top);
	for (size_t i = 0, n = 0; i < r->nall; i++)
		if (!r->all[i].dir)
			r->files[n++] = (reg_archive_file){r->all[i].name + toplen + 1, r->all[i].data,
							   r->all[i].len};
	return 0;
}

/* Would the writer make exactly this tar of these files?  Any failure just means "no". */
static bool is_canonical(const reg_archive_entries *r, const unsigned char tar_md[32])
{
	reg_archive_writer *w = reg_archive_writer_new(r->top, r->mtime, NULL);
	unsigned char *tar = NULL, md[32];
	size_t len = 0;
	bool same = false;
	if (!w)
		return false;
	for (size_t i = 0; i < r->nfiles; i++)
		if (reg_archive_add_file(w, r->files[i].path, r->files[i].data, r->files[i].len, NULL))
			goto out;
	if (reg_archive_write_tar_mem(w, &tar, &len, NULL) == 0 &&
	    reg_sha256(tar, len, md, NULL) == 0)
		same = memcmp(md, tar_md, sizeof md) == 0;
out:
	free(tar);
	reg_archive_writer_free(w);
	return same;
}

int reg_archive_load_mem(const void *buf, size_t len, const char *name, reg_archive_entries **out,
			 reg_err **errp)
{
	const unsigned char *b = buf;
	*out = NULL;
	if (len > REG_ARCHIVE_MAX_COMPRESSED)
		return reg_err_set(errp, REG_ENO, name, 0, NULL, "archive larger than %u MiB",
				   REG_ARCHIVE_MAX_COMPRESSED >> 20);
	if (len < 18 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8)
		return reg_err_set(errp, REG_ENO, name, 0, NULL, "not a gzip file");
	reg_archive_entries *r = calloc(1, sizeof *r);
	if (!r || !(r->name = strdup(name ? name : "-"))) {
		free(r);
		return reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
	}
	reg_err *aerr = NULL;
	bool stream = false;
	char last[QUOTED_SIZE], why[128];
	unsigned char tar_md[32], md[32];
	if (read_entries(r, b, len, &stream, last, sizeof last, &aerr)) {
		/* Where libarchive could not go on, the gzip layer usually says best why
		 * (truncated, corrupt): report that, in the entry it happened in. */
		if (stream && gzip_check(b, len, tar_md, why, sizeof why) == 1) {
			reg_err_clear(&aerr);
			reg_err_set(&aerr, REG_ENO, r->name, 0, NULL, "%s%s%s%s",
				    last[0] ? "entry " : "", last, last[0] ? ": " : "", why);
		}
		reg_err_append(errp, &aerr);
		goto fail;
	}
	int g = gzip_check(b, len, tar_md, why, sizeof why);
	if (g) {
		if (g < 0)
			reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "cannot check gzip stream");
		else
			reg_err_set(errp, REG_ENO, r->name, 0, NULL, "%s", why);
		goto fail;
	}
	if (!r->top) {
		reg_err_set(errp, REG_ENO, r->name, 0, NULL, "the archive holds no files");
		goto fail;
	}
	if (check_tree(r, errp))
		goto fail;
	if (reg_sha256(b, len, md, NULL)) {
		reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL, "sha-256 failed");
		goto fail;
	}
	reg_hex(md, sizeof md, r->sha256);
	r->canonical = is_canonical(r, tar_md);
	*out = r;
	return 0;
fail:
	reg_archive_entries_free(r);
	return -1;
}

/* Read a whole stream under the compressed-size cap. */
static int read_stream(int fd, FILE *fp, const char *name, unsigned char **buf, size_t *len,
		       reg_err **errp)
{
	size_t cap = 64 << 10, n = 0;
	unsigned char *b = malloc(cap);
	if (!b)
		return reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
	for (;;) {
		if (n == cap) {
			if (cap > REG_ARCHIVE_MAX_COMPRESSED) {
				free(b);
				return reg_err_set(errp, REG_ENO, name, 0, NULL,
						   "archive larger than %u MiB",
						   REG_ARCHIVE_MAX_COMPRESSED >> 20);
			}
			unsigned char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return reg_err_set(errp, REG_EINTERNAL, name, 0, NULL,
						   "out of memory");
			}
			b = nb;
			cap *= 2;
		}
		ssize_t got;
		if (fp) {
			got = (ssize_t)fread(b + n, 1, cap - n, fp);
			if (got == 0 && ferror(fp))
				got = -1;
		} else {
			got = read(fd, b + n, cap - n);
			if (got < 0 && errno == EINTR)
				continue;
		}
		if (got < 0) {
			int e = errno;
			free(b);
			return reg_err_set(errp, REG_EIO, name, 0, NULL, "read error: %s",
					   strerror(e));
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*buf = b;
	*len = n;
	return 0;
}

int reg_archive_load(const char *path, reg_archive_entries **out, reg_err **errp)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return reg_err_set(errp, REG_ENOINPUT, path, 0, NULL, "cannot open: %s",
				   strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return reg_err_set(errp, REG_ENOINPUT, path, 0, NULL, "cannot open: %s",
				   strerror(EISDIR));
	}
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = read_stream(fd, NULL, path, &buf, &len, errp);
	close(fd);
	if (rc == 0)
		rc = reg_archive_load_mem(buf, len, path, out, errp);
	free(buf);
	return rc;
}

int reg_archive_load_fp(FILE *fp, const char *name, reg_archive_entries **out, reg_err **errp)
{
	*out = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = read_stream(-1, fp, name, &buf, &len, errp);
	if (rc == 0)
		rc = reg_archive_load_mem(buf, len, name, out, errp);
	free(buf);
	return rc;
}

const char *reg_archive_top(const reg_archive_entries *e) { return e->top; }
size_t reg_archive_count(const reg_archive_entries *e) { return e->nfiles; }
const char *reg_archive_sha256(const reg_archive_entries *e) { return e->sha256; }
int64_t reg_archive_mtime(const reg_archive_entries *e) { return e->mtime; }
bool reg_archive_canonical(const reg_archive_entries *e) { return e->canonical; }

const reg_archive_file *reg_archive_at(const reg_archive_entries *e, size_t i)
{
	return i < e->nfiles ? &e->files[i] : NULL;
}

const reg_archive_file *reg_archive_find(const reg_archive_entries *e, const char *relpath)
{
	size_t lo = 0, hi = e->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(e->files[mid].path, relpath);
		if (c == 0)
			return &e->files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int reg_archive_check_manifest(const reg_archive_entries *e, const reg_sign_key *key,
			       reg_err **errp)
{
	const reg_archive_file *m = reg_archive_find(e, REG_ARCHIVE_MANIFEST);
	const reg_archive_file *sig = reg_archive_find(e, REG_ARCHIVE_MANIFEST_SIG);
	int problems = 0;
	if (!m)
		problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL, "no MANIFEST") < 0;
	if (!sig)
		problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL, "no MANIFEST.sig") < 0;
	else if (sig->len != REG_SIG_LEN)
		problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL,
					"MANIFEST.sig is %zu bytes, not %d", sig->len,
					REG_SIG_LEN) < 0;
	if (m && sig && sig->len == REG_SIG_LEN) {
		bool valid = false;
		if (reg_sign_verify(key, m->data, m->len, sig->data, &valid, errp))
			return -1;
		if (!valid)
			problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL,
						"MANIFEST.sig is not the authority's signature of "
						"MANIFEST") < 0;
	}
	bool *seen = calloc(e->nfiles ? e->nfiles : 1, sizeof *seen);
	if (!seen)
		return reg_err_add(errp, REG_EINTERNAL, e->name, 0, NULL, "out of memory");
	if (m) {
		const char *p = (const char *)m->data, *end = p + m->len;
		long line = 0;
		while (p < end) {
			line++;
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			char path[REG_ARCHIVE_MAX_NAME + 1];
			size_t plen = n > 66 ? n - 66 : 0;
			if (!nl || n <= 66 || !reg_hex_is_lower(p, 64) || p[64] != ' ' ||
			    p[65] != ' ' || plen > REG_ARCHIVE_MAX_NAME || memchr(p + 66, '\0', plen)) {
				problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL,
							"MANIFEST line %ld: not \"<sha-256>  <path>\"",
							line) < 0;
				p = nl ? nl + 1 : end;
				continue;
			}
			memcpy(path, p + 66, plen);
			path[plen] = '\0';
			char q[QUOTED_SIZE];
			quote(path, q, sizeof q);
			const reg_archive_file *f = reg_archive_find(e, path);
			unsigned char md[32];
			char hex[65];
			if (is_manifest_file(path)) {
				problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL,
							"MANIFEST line %ld: lists %s", line, q) < 0;
			} else if (!f) {
				problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL,
							"MANIFEST line %ld: %s is not in the archive",
							line, q) < 0;
			} else if (seen[f - e->files]) {
				problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL,
							"MANIFEST line %ld: %s listed twice", line,
							q) < 0;
			} else {
				seen[f - e->files] = true;
				if (reg_sha256(f->data, f->len, md, NULL)) {
					free(seen);
					return reg_err_add(errp, REG_EINTERNAL, e->name, 0, NULL,
							   "sha-256 failed");
				}
				reg_hex(md, sizeof md, hex);
				if (memcmp(hex, p, 64) != 0)
					problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL,
								"%s does not match its MANIFEST digest",
								q) < 0;
			}
			p = nl + 1;
		}
		for (size_t i = 0; i < e->nfiles; i++) {
			if (seen[i] || is_manifest_file(e->files[i].path))
				continue;
			char q[QUOTED_SIZE];
			quote(e->files[i].path, q, sizeof q);
			problems += reg_err_add(errp, REG_ENO, e->name, 0, NULL,
						"%s is not in MANIFEST", q) < 0;
		}
	}
	free(seen);
	return problems ? -1 : 0;
}
