/* archive: an issued archive must be byte-identical for the same inputs wherever it is made,
 * shaped exactly as docs/formats.md ("Archive") says, checkable with stock tools, written
 * atomically — and the reader must refuse every hostile archive without writing a byte to disk. */
#include <archive.h> /* libarchive itself, to read back independently */
#include <archive_entry.h>

#include "tarball.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "regkit-config.h"
#include "tap.h"

#define USCC "91150302MA0000001A"
#define T0 1763859600 /* 2025-11-23T09:00:00+08:00 */

static const char *src_dir;

static const struct {
	const char *path, *data;
} sample_files[] = {
	/* deliberately not in order: the writer sorts */
	{"seals/filing.xml", "<filing/>\n"},
	{"license.xml", "<license/>\n"},
	{"registrations/03-tax-registration.xml", "<registration item=\"3\"/>\n"},
	{"dossier.xml", "<dossier/>\n"},
	{"seals/01-official.svg", "<svg id=\"official\"/>\n"},
	{"license.svg", "<svg/>\n"},
	{"registrations/01-business-license.xml", "<registration item=\"1\"/>\n"},
	{"seals/00-none.txt", ""},
};
#define NSAMPLE (sizeof sample_files / sizeof *sample_files)

/* Digests from sha256sum(1), not from our own code. */
static const char expected_manifest[] =
	"77f2ee72a823c0f8e2b3d30683b9b054ff83c77b893493e59d4f6670eca47a43  dossier.xml\n"
	"cd1fafe3cc7f06f55ead3f0dce39300aca7a8911793e76fcdd327799c0709ac2  license.svg\n"
	"48f4dc060d1705322d35668846c762f764e17cc9a14a0503c0081d08f166abff  license.xml\n"
	"1c1e37aea974a76648e85566f251a7b8cb2d15bcb610360d78a30508ed844916  "
	"registrations/01-business-license.xml\n"
	"3220431b98475f0c2ba05b6980571e007df90f2899eba7c8ac9376a7fe264a31  "
	"registrations/03-tax-registration.xml\n"
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  seals/00-none.txt\n"
	"65f7cb186d0079f89dc0e6c083074ebdf64e19b7090c18ddea18c45a47aaa024  seals/01-official.svg\n"
	"b7c5f2dba6130d77e3be7c0cecffa367d24f536b90706a2bb98f97b778e10aec  seals/filing.xml\n";

/* The entry order docs/formats.md fixes: directories, then files, each byte-wise. */
static const char *const expected_order[] = {
	USCC "/",
	USCC "/registrations/",
	USCC "/seals/",
	USCC "/MANIFEST",
	USCC "/MANIFEST.sig",
	USCC "/dossier.xml",
	USCC "/license.svg",
	USCC "/license.xml",
	USCC "/registrations/01-business-license.xml",
	USCC "/registrations/03-tax-registration.xml",
	USCC "/seals/00-none.txt",
	USCC "/seals/01-official.svg",
	USCC "/seals/filing.xml",
};
#define NORDER (sizeof expected_order / sizeof *expected_order)

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int run(const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		cmd = NULL;
	va_end(ap);
	if (!cmd)
		return -1;
	int st = system(cmd);
	free(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool have(const char *prog)
{
	return run("command -v %s >/dev/null 2>&1", prog) == 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n, fp)) > 0;) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(fp);
	*len = n;
	return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		diag("cannot write %s", path);
}

/* Names in a directory, sorted, joined by spaces ("" when empty). */
static char *listing(const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			fprintf(fp, "%s%s", len || ftell(fp) ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	fclose(fp);
	return out;
}

static reg_archive_writer *sample(int64_t mtime, bool reverse)
{
	reg_err *err = NULL;
	reg_archive_writer *w = reg_archive_writer_new(USCC, mtime, &err);
	for (size_t k = 0; w && k < NSAMPLE; k++) {
		size_t i = reverse ? NSAMPLE - 1 - k : k;
		if (reg_archive_add_file(w, sample_files[i].path, sample_files[i].data,
					 strlen(sample_files[i].data), &err)) {
			reg_err_print(err, "sample", stdout);
			reg_archive_writer_free(w);
			w = NULL;
		}
	}
	reg_err_free(err);
	return w;
}

static unsigned char *bytes_of(const reg_archive_writer *w, size_t *len)
{
	unsigned char *buf = NULL;
	reg_err *err = NULL;
	if (reg_archive_write_mem(w, &buf, len, &err)) {
		reg_err_print(err, "write", stdout);
		reg_err_free(err);
		return NULL;
	}
	return buf;
}

static bool same(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	return a && b && alen == blen && memcmp(a, b, alen) == 0;
}

static void test_writer_rules(void)
{
	reg_err *err = NULL;
	static const char *bad_tops[] = {"", "a/b", "..", ".", "\xe8\xae\xb8", "sp ace", NULL};
	for (size_t i = 0; i < sizeof bad_tops / sizeof *bad_tops; i++) {
		reg_archive_writer *w = reg_archive_writer_new(bad_tops[i], T0, &err);
		ok(!w && reg_err_code(err) == REG_EDATA, "top directory '%s' refused",
		   bad_tops[i] ? bad_tops[i] : "(null)");
		reg_err_clear(&err);
	}
	ok(!reg_archive_writer_new(USCC, -1, &err) && reg_err_code(err) == REG_EDATA,
	   "a time before 1970 is refused");
	reg_err_clear(&err);

	reg_archive_writer *w = reg_archive_writer_new(USCC, T0, &err);
	static const char *bad_paths[] = {
		"/etc/passwd", "../x", "a/../b", "a//b", "./a", "a/.", "a/", "", "sp ace.xml",
		"caf\xc3\xa9.xml", "a\\b", "a\nb", "tab\t", "q'uote"};
	for (size_t i = 0; i < sizeof bad_paths / sizeof *bad_paths; i++) {
		int rc = reg_archive_add_file(w, bad_paths[i], "x", 1, &err);
		ok(rc == -1 && reg_err_code(err) == REG_EDATA, "file name #%zu refused: %s", i,
		   reg_err_message(err));
		reg_err_clear(&err);
	}
	char longname[300];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	ok(reg_archive_add_file(w, longname, "x", 1, &err) == -1 &&
	   strstr(reg_err_message(err), "longer than 255"), "a name over 255 bytes is refused");
	reg_err_clear(&err);
	ok(reg_archive_add_file(w, "big.bin", "x", REG_ARCHIVE_MAX_ENTRY + 1u, &err) == -1 &&
	   strstr(reg_err_message(err), "larger than 64 MiB"),
	   "a file over 64 MiB is refused (the reader would refuse it)");
	reg_err_clear(&err);

	ok(reg_archive_add_file(w, "seals/01.svg", "x", 1, &err) == 0, "add seals/01.svg");
	ok(reg_archive_add_file(w, "seals/01.svg", "y", 1, &err) == -1 &&
	   strstr(reg_err_message(err), "added twice"), "the same name twice is refused");
	reg_err_clear(&err);
	ok(reg_archive_add_file(w, "seals", "x", 1, &err) == -1 &&
	   reg_err_code(err) == REG_EDATA, "a file where a directory is implied is refused");
	reg_err_clear(&err);
	ok(reg_archive_add_file(w, "seals/01.svg/x", "x", 1, &err) == -1 &&
	   reg_err_code(err) == REG_EDATA, "a file below a file is refused");
	reg_err_clear(&err);
	ok(reg_archive_add_file(w, "seals-2/01.svg", "x", 1, &err) == 0 &&
	   reg_archive_add_file(w, "seals.d", "x", 1, &err) == 0,
	   "names that merely share a prefix are fine");
	reg_archive_writer_free(w);
	reg_archive_writer_free(NULL);
	ok(1, "writer_free(NULL) is a no-op");
}

static void test_determinism(const char *tmp)
{
	reg_archive_writer *a = sample(T0, false), *b = sample(T0, true);
	size_t alen = 0, blen = 0, clen = 0, dlen = 0;
	unsigned char *abuf = bytes_of(a, &alen), *bbuf = bytes_of(b, &blen);
	ok(abuf && alen > 0, "write_mem");
	ok(same(abuf, alen, bbuf, blen), "files added in any order give the same bytes");
	unsigned char *again = bytes_of(a, &clen);
	ok(same(abuf, alen, again, clen), "writing twice gives the same bytes");
	free(again);

	/* Another time zone and another locale, set between two writes. */
	char *old_tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", "America/St_Johns", 1); /* a half-hour offset, DST too */
	tzset();
	setenv("LC_ALL", "C.UTF-8", 1);
	const char *loc = setlocale(LC_ALL, "");
	again = bytes_of(a, &clen);
	ok(same(abuf, alen, again, clen), "same bytes under TZ=America/St_Johns, locale %s",
	   loc ? loc : "(none)");
	free(again);
	setenv("LC_ALL", "POSIX", 1);
	setenv("TZ", "Asia/Kathmandu", 1);
	tzset();
	loc = setlocale(LC_ALL, "");
	again = bytes_of(b, &clen);
	ok(same(abuf, alen, again, clen), "same bytes under TZ=Asia/Kathmandu, locale %s",
	   loc ? loc : "(none)");
	free(again);
	if (old_tz)
		setenv("TZ", old_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old_tz);
	setlocale(LC_ALL, "C");

	/* Another process (another pid: nothing of it may reach the bytes). */
	char path[4200];
	snprintf(path, sizeof path, "%s/child.tar.gz", tmp);
	pid_t pid = fork();
	if (pid == 0) {
		size_t n = 0;
		reg_archive_writer *w = sample(T0, true);
		unsigned char *buf = bytes_of(w, &n);
		if (buf)
			spit(path, buf, n);
		_exit(buf ? 0 : 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	unsigned char *child = slurp(path, &dlen);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && same(abuf, alen, child, dlen),
	   "a child process writes the same bytes");
	free(child);
	unlink(path);

	reg_archive_writer *c = sample(T0 + 1, false);
	again = bytes_of(c, &clen);
	ok(again && !same(abuf, alen, again, clen), "another issuance time changes the bytes");
	free(again);
	reg_archive_writer_free(c);

	/* gzip header (RFC 1952): magic, deflate, FLG 0 (no FNAME, no FEXTRA, no FCOMMENT),
	 * MTIME 0 — so the clock and the file name never enter the bytes. */
	ok(alen > 18 && abuf[0] == 0x1f && abuf[1] == 0x8b && abuf[2] == 8, "gzip magic, deflate");
	is_int(abuf[3], 0, "gzip FLG is 0: no FNAME (original name) and no other field");
	ok(abuf[4] == 0 && abuf[5] == 0 && abuf[6] == 0 && abuf[7] == 0, "gzip MTIME is 0");
	free(abuf);
	free(bbuf);
	reg_archive_writer_free(a);
	reg_archive_writer_free(b);
}

/* Read back with libarchive directly: order and every piece of metadata. */
static void test_layout(const unsigned char *buf, size_t len)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	struct archive_entry *e;
	size_t i = 0;
	bool order = true, meta = true, data = true;
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		ok(0, "libarchive opens the archive: %s", archive_error_string(a));
		archive_read_free(a);
		return;
	}
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		bool dir = archive_entry_filetype(e) == AE_IFDIR;
		if (i >= NORDER || strcmp(name, expected_order[i]) != 0) {
			order = false;
			diag("entry %zu is '%s', want '%s'", i, name,
			     i < NORDER ? expected_order[i] : "(end)");
		}
		bool m = (dir || archive_entry_filetype(e) == AE_IFREG) &&
			 archive_entry_perm(e) == (dir ? 0755 : 0644) && archive_entry_uid(e) == 0 &&
			 archive_entry_gid(e) == 0 &&
			 (!archive_entry_uname(e) || !*archive_entry_uname(e)) &&
			 (!archive_entry_gname(e) || !*archive_entry_gname(e)) &&
			 archive_entry_mtime(e) == T0 && archive_entry_mtime_nsec(e) == 0 &&
			 !archive_entry_atime_is_set(e) && !archive_entry_ctime_is_set(e) &&
			 !archive_entry_birthtime_is_set(e) && !archive_entry_hardlink(e) &&
			 (!dir || archive_entry_size(e) == 0);
		if (!m) {
			meta = false;
			diag("metadata of '%s': mode %o uid %ld gid %ld mtime %ld", name,
			     (unsigned)archive_entry_mode(e), (long)archive_entry_uid(e),
			     (long)archive_entry_gid(e), (long)archive_entry_mtime(e));
		}
		for (size_t k = 0; !dir && k < NSAMPLE; k++) {
			if (strcmp(name + strlen(USCC) + 1, sample_files[k].path) != 0)
				continue;
			char got[256] = {0};
			la_ssize_t n = archive_read_data(a, got, sizeof got - 1);
			if (n != (la_ssize_t)strlen(sample_files[k].data) ||
			    strcmp(got, sample_files[k].data) != 0)
				data = false;
		}
		i++;
	}
	ok(order && i == NORDER, "entries: directories first, then files, each byte-wise (%zu)",
	   i);
	ok(meta, "every entry: 0755/0644, uid/gid 0, no uname/gname, mtime = issuance time, "
		 "no atime/ctime/birthtime");
	ok(data, "file contents read back");
	ok((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR, "a tar format");
	archive_read_free(a);
}

static void test_manifest_and_layout(const char *tmp, reg_sign_key *priv, reg_sign_key *pub)
{
	reg_err *err = NULL;
	reg_archive_writer *w = sample(T0, false);
	char *text = NULL;
	size_t len = 0;
	ok(reg_archive_manifest(w, &text, &len, &err) == 0, "manifest");
	is_str(text, expected_manifest, "MANIFEST text: sha256sum lines, sorted by path");
	ok(text && len == strlen(expected_manifest), "manifest length");
	free(text);

	ok(reg_archive_add_signed_manifest(w, priv, &err) == 0, "add signed manifest");
	ok(reg_archive_add_signed_manifest(w, priv, &err) == -1 &&
	   reg_err_code(err) == REG_EDATA, "a second manifest is refused");
	reg_err_clear(&err);
	ok(reg_archive_manifest(w, &text, &len, &err) == 0 &&
	   strcmp(text, expected_manifest) == 0,
	   "MANIFEST never lists MANIFEST or MANIFEST.sig");
	free(text);

	size_t blen = 0;
	unsigned char *buf = bytes_of(w, &blen);
	if (buf)
		test_layout(buf, blen);

	/* reg_archive_write_atomic, then stock tools on the result. */
	char sha[65] = "";
	ok(reg_archive_write_atomic(w, tmp, USCC ".tar.gz", sha, &err) == 0, "write_atomic");
	char *ls = listing(tmp);
	is_str(ls, USCC ".tar.gz", "only the final file is left in the directory");
	free(ls);
	char path[4200];
	snprintf(path, sizeof path, "%s/%s.tar.gz", tmp, USCC);
	size_t flen = 0;
	unsigned char *file = slurp(path, &flen);
	ok(same(file, flen, buf, blen), "the file holds exactly the archive bytes");
	unsigned char md[32];
	char hex[65];
	unsigned int mdlen = 0;
	EVP_Digest(buf, blen, md, &mdlen, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	is_str(sha, hex, "write_atomic reports the sha256 of the archive bytes");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == (0644 & ~(mode_t)022 & 0777) &&
	   S_ISREG(st.st_mode), "a regular file, mode 0644 (umask 022)");
	free(file);

	/* The reader: a genuine archive loads whole. */
	reg_archive_entries *e = NULL;
	ok(reg_archive_load(path, &e, &err) == 0 && e, "load the genuine archive");
	if (!e) {
		reg_err_print(err, "load", stdout);
		reg_err_clear(&err);
	} else {
		is_str(reg_archive_top(e), USCC, "the top directory is the USCC");
		is_int(reg_archive_count(e), NSAMPLE + 2, "every file, no directories");
		bool all = true;
		for (size_t i = 0; i < NSAMPLE; i++) {
			const reg_archive_file *f = reg_archive_find(e, sample_files[i].path);
			all = all && f && f->len == strlen(sample_files[i].data) &&
			      memcmp(f->data, sample_files[i].data, f->len) == 0 && f->data[f->len] == 0;
		}
		ok(all, "every file found by path with its bytes");
		ok(!reg_archive_find(e, "seals") && !reg_archive_find(e, "nope.xml") &&
		   !reg_archive_find(e, USCC "/license.xml"), "no hit for directories and strangers");
		bool sorted = true;
		for (size_t i = 1; i < reg_archive_count(e); i++)
			sorted = sorted &&
				 strcmp(reg_archive_at(e, i - 1)->path, reg_archive_at(e, i)->path) < 0;
		ok(sorted && reg_archive_at(e, reg_archive_count(e)) == NULL, "files sorted by path");
		is_str(reg_archive_sha256(e), sha, "the reader's sha256 is the writer's");
		is_int(reg_archive_mtime(e), T0, "mtime");
		ok(reg_archive_canonical(e), "the writer's own archive is canonical");
		const reg_archive_file *m = reg_archive_find(e, "MANIFEST");
		ok(m && m->len == strlen(expected_manifest) &&
		   memcmp(m->data, expected_manifest, m->len) == 0, "MANIFEST inside the archive");
		ok(reg_archive_check_manifest(e, pub, &err) == 0 && !err,
		   "check_manifest: the signature and every digest hold");
		reg_err_clear(&err);
		reg_archive_entries_free(e);
	}
	reg_archive_entries_free(NULL);

	FILE *fp = fopen(path, "rb");
	ok(fp && reg_archive_load_fp(fp, "-", &e, &err) == 0 && e &&
	   reg_archive_count(e) == NSAMPLE + 2, "load from a stream");
	if (fp)
		fclose(fp);
	reg_archive_entries_free(e);
	e = NULL;

	/* Stock tools: bsdtar extracts, sha256sum -c passes, openssl verifies the signature. */
	char xdir[4300];
	snprintf(xdir, sizeof xdir, "%s/x", tmp);
	mkdir(xdir, 0755);
	if (!have("bsdtar") || !have("sha256sum")) {
		skip("bsdtar or sha256sum not on PATH");
		skip("bsdtar or sha256sum not on PATH");
	} else {
		is_int(run("bsdtar -xf '%s' -C '%s'", path, xdir), 0, "bsdtar extracts it");
		is_int(run("cd '%s/%s' && sha256sum -c --strict --quiet MANIFEST", xdir, USCC), 0,
		       "sha256sum -c MANIFEST passes inside <USCC>/");
	}
	if (!have("openssl")) {
		skip("openssl not on PATH");
	} else {
		char manifest[4400], sig[4400];
		snprintf(manifest, sizeof manifest, "%s/MANIFEST", tmp);
		snprintf(sig, sizeof sig, "%s/MANIFEST.sig", tmp);
		ok(reg_archive_load(path, &e, &err) == 0, "reload");
		if (e) {
			const reg_archive_file *m = reg_archive_find(e, "MANIFEST");
			const reg_archive_file *s = reg_archive_find(e, "MANIFEST.sig");
			spit(manifest, m->data, m->len);
			spit(sig, s->data, s->len);
		}
		is_int(run("openssl pkeyutl -verify -pubin -inkey '%s/fixtures/authority/authority.pub'"
			   " -rawin -in '%s' -sigfile '%s' >/dev/null 2>&1", src_dir, manifest, sig),
		       0, "openssl pkeyutl -verify -rawin accepts MANIFEST.sig");
		unlink(manifest);
		unlink(sig);
	}
	/* A tar made by another program from the same files is genuine but not canonical. */
	if (have("bsdtar")) {
		char other[4400];
		snprintf(other, sizeof other, "%s/other.tar.gz", tmp);
		is_int(run("cd '%s' && bsdtar -czf '%s' %s", xdir, other, USCC), 0,
		       "bsdtar -czf the extracted tree");
		reg_archive_entries *o = NULL;
		ok(reg_archive_load(other, &o, &err) == 0 && o && !reg_archive_canonical(o) &&
		   reg_archive_check_manifest(o, pub, &err) == 0,
		   "bsdtar's archive loads, its MANIFEST checks, but it is not canonical");
		reg_err_clear(&err);
		reg_archive_entries_free(o);
		unlink(other);
	} else {
		skip("bsdtar not on PATH");
		skip("bsdtar not on PATH");
	}
	reg_archive_entries_free(e);
	rm_rf(xdir);
	unlink(path);
	free(buf);
	reg_archive_writer_free(w);
}

/* Forged archives: each must be caught by check_manifest with a reason. */
static void test_forgeries(reg_sign_key *priv, reg_sign_key *pub)
{
	reg_err *err = NULL;
	reg_archive_writer *w = sample(T0, false);
	reg_archive_add_signed_manifest(w, priv, &err);
	size_t len = 0;
	unsigned char *buf = bytes_of(w, &len);
	reg_archive_entries *genuine = NULL;
	reg_archive_load_mem(buf, len, "genuine", &genuine, &err);
	free(buf);
	const reg_archive_file *m = genuine ? reg_archive_find(genuine, "MANIFEST") : NULL;
	const reg_archive_file *s = genuine ? reg_archive_find(genuine, "MANIFEST.sig") : NULL;
	if (!ok(m && s, "genuine archive for forgeries")) {
		reg_archive_entries_free(genuine);
		reg_archive_writer_free(w);
		return;
	}

	struct {
		const char *what, *expect;
		const char *change_path, *change_data; /* replace or add a file */
		bool drop_sig, other_key, bad_manifest;
	} cases[] = {
		{"an altered license", "'license.xml' does not match its MANIFEST digest",
		 "license.xml", "<license>forged</license>\n", false, false, false},
		{"a smuggled file", "'extra.xml' is not in MANIFEST", "extra.xml", "x", false, false,
		 false},
		{"no signature", "no MANIFEST.sig", NULL, NULL, true, false, false},
		{"signed by another key", "not the authority's signature", NULL, NULL, false, true,
		 false},
		{"a re-signed manifest listing a missing file", "'gone.xml' is not in the archive",
		 NULL, NULL, false, false, true},
	};
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(bio, ed, NULL, NULL, 0, NULL, NULL);
	char *pem = NULL;
	long pemlen = BIO_get_mem_data(bio, &pem);
	reg_sign_key *other = reg_sign_key_from_pem(pem, (size_t)pemlen, true, "other", &err);
	BIO_free(bio);
	EVP_PKEY_free(ed);

	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		reg_archive_writer *f = reg_archive_writer_new(USCC, T0, &err);
		for (size_t i = 0; i < reg_archive_count(genuine); i++) {
			const reg_archive_file *g = reg_archive_at(genuine, i);
			if (cases[c].change_path && strcmp(g->path, cases[c].change_path) == 0)
				continue;
			if (strcmp(g->path, "MANIFEST.sig") == 0 &&
			    (cases[c].drop_sig || cases[c].other_key || cases[c].bad_manifest))
				continue;
			if (strcmp(g->path, "MANIFEST") == 0 && cases[c].bad_manifest)
				continue;
			reg_archive_add_file(f, g->path, g->data, g->len, &err);
		}
		if (cases[c].change_path)
			reg_archive_add_file(f, cases[c].change_path, cases[c].change_data,
					     strlen(cases[c].change_data), &err);
		unsigned char sig[REG_SIG_LEN];
		if (cases[c].other_key) {
			reg_sign(other, m->data, m->len, sig, &err);
			reg_archive_add_file(f, "MANIFEST.sig", sig, sizeof sig, &err);
		}
		if (cases[c].bad_manifest) { /* even a valid signature cannot vouch for it */
			char *text = NULL;
			asprintf(&text, "%.*s%s  gone.xml\n", (int)m->len, (const char *)m->data,
				 "0000000000000000000000000000000000000000000000000000000000000000");
			reg_sign(priv, text, strlen(text), sig, &err);
			reg_archive_add_file(f, "MANIFEST", text, strlen(text), &err);
			reg_archive_add_file(f, "MANIFEST.sig", sig, sizeof sig, &err);
			free(text);
		}
		buf = bytes_of(f, &len);
		reg_archive_entries *e = NULL;
		ok(reg_archive_load_mem(buf, len, "forged.tar.gz", &e, &err) == 0,
		   "%s: loads", cases[c].what);
		int rc = e ? reg_archive_check_manifest(e, pub, &err) : 0;
		char *all = reg_err_join(err);
		ok(rc == -1 && reg_err_exit_code(err) == REG_ENO && all &&
		   strstr(all, cases[c].expect), "%s: refused, '%s'", cases[c].what, cases[c].expect);
		if (rc != -1 || !all || !strstr(all, cases[c].expect))
			diag("got: %s", all ? all : "(nothing)");
		ok(reg_err_file(err) && strcmp(reg_err_file(err), "forged.tar.gz") == 0,
		   "%s: the error names the archive", cases[c].what);
		free(all);
		reg_err_clear(&err);
		reg_archive_entries_free(e);
		reg_archive_writer_free(f);
		free(buf);
	}
	reg_sign_key_free(other);
	reg_archive_entries_free(genuine);
	reg_archive_writer_free(w);
}

/* Every cut and (almost) every flipped byte of a genuine archive: refused, or — where the
 * byte is one gzip ignores — the very same files.  Never a crash or a hang. */
static void test_damage(void)
{
	reg_archive_writer *w = sample(T0, false);
	size_t len = 0;
	unsigned char *buf = bytes_of(w, &len);
	reg_archive_entries *orig = NULL;
	reg_err *err = NULL;
	reg_archive_load_mem(buf, len, "orig", &orig, &err);
	bool cuts = true, flips = true;
	for (size_t n = 0; buf && n < len; n++) {
		reg_archive_entries *e = NULL;
		if (reg_archive_load_mem(buf, n, "cut", &e, &err) != -1 ||
		    reg_err_code(err) != REG_ENO) {
			cuts = false;
			diag("cut at %zu: %s", n, e ? "accepted" : reg_err_message(err));
		}
		reg_archive_entries_free(e);
		reg_err_clear(&err);
	}
	ok(buf && cuts, "the archive cut at every length is refused (REG_ENO)");
	for (size_t n = 0; buf && orig && n < len; n++) {
		reg_archive_entries *e = NULL;
		buf[n] ^= 0x20;
		int rc = reg_archive_load_mem(buf, len, "flip", &e, &err);
		buf[n] ^= 0x20;
		bool fine = rc == -1 ? reg_err_code(err) == REG_ENO
				     : reg_archive_count(e) == reg_archive_count(orig);
		for (size_t i = 0; rc == 0 && fine && i < reg_archive_count(e); i++) {
			const reg_archive_file *a = reg_archive_at(e, i), *b = reg_archive_at(orig, i);
			fine = strcmp(a->path, b->path) == 0 && same(a->data, a->len, b->data, b->len);
		}
		if (!fine) {
			flips = false;
			diag("flip at %zu: %s", n, rc ? reg_err_message(err) : "accepted, changed");
		}
		reg_archive_entries_free(e);
		reg_err_clear(&err);
	}
	ok(buf && flips, "a flipped byte never yields changed contents");
	reg_archive_entries_free(orig);
	free(buf);
	reg_archive_writer_free(w);
}

static void test_atomic_failures(const char *tmp)
{
	reg_err *err = NULL;
	reg_archive_writer *w = sample(T0, false);
	char dir[4300], path[4400];
	char sha[65] = "untouched";

	snprintf(dir, sizeof dir, "%s/missing", tmp);
	ok(reg_archive_write_atomic(w, dir, "a.tar.gz", sha, &err) == -1 &&
	   reg_err_code(err) == REG_ECANTCREAT, "a missing directory: REG_ECANTCREAT");
	reg_err_clear(&err);
	snprintf(path, sizeof path, "%s/plain", tmp);
	spit(path, "x", 1);
	ok(reg_archive_write_atomic(w, path, "a.tar.gz", sha, &err) == -1 &&
	   reg_err_code(err) == REG_ECANTCREAT, "a file as the directory: REG_ECANTCREAT");
	reg_err_clear(&err);
	unlink(path);
	static const char *bad_names[] = {"../a.tar.gz", ".hidden.tar.gz", "a/b.tar.gz", ""};
	for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
		ok(reg_archive_write_atomic(w, tmp, bad_names[i], sha, &err) == -1 &&
		   reg_err_code(err) == REG_ECANTCREAT, "final name '%s' refused", bad_names[i]);
		reg_err_clear(&err);
	}
	char *ls = listing(tmp);
	is_str(ls, "", "nothing was created by the failures");
	free(ls);

	/* A temporary name already taken (O_EXCL): refused, the other file left alone. */
	snprintf(path, sizeof path, "%s/.a.tar.gz.tmp.%ld", tmp, (long)getpid());
	spit(path, "theirs", 6);
	ok(reg_archive_write_atomic(w, tmp, "a.tar.gz", sha, &err) == -1 &&
	   reg_err_code(err) == REG_ECANTCREAT, "a taken temporary name: REG_ECANTCREAT");
	reg_err_clear(&err);
	size_t n = 0;
	unsigned char *b = slurp(path, &n);
	ok(same(b, n, (const unsigned char *)"theirs", 6), "the existing file is not touched");
	free(b);
	unlink(path);
	is_str(sha, "untouched", "no digest is reported on failure");

	if (geteuid() != 0) {
		snprintf(dir, sizeof dir, "%s/ro", tmp);
		mkdir(dir, 0555);
		ok(reg_archive_write_atomic(w, dir, "a.tar.gz", sha, &err) == -1 &&
		   reg_err_code(err) == REG_ECANTCREAT, "an unwritable directory: REG_ECANTCREAT");
		reg_err_clear(&err);
		ls = listing(dir);
		is_str(ls, "", "nothing in the unwritable directory");
		free(ls);
		rmdir(dir);
	} else {
		skip("running as root: permissions do not stop root");
		skip("running as root");
	}

	/* A write that fails half-way (file size limit): REG_EIO and the temporary file gone. */
	snprintf(dir, sizeof dir, "%s/full", tmp);
	mkdir(dir, 0755);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {300, 300};
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		reg_err *e = NULL;
		int rc = reg_archive_write_atomic(w, dir, "a.tar.gz", NULL, &e);
		_exit(rc == -1 ? (int)reg_err_code(e) : 0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, REG_EIO,
	       "a write cut short by the file size limit: REG_EIO");
	ls = listing(dir);
	is_str(ls, "", "and no temporary or final file is left");
	free(ls);
	rmdir(dir);
	reg_archive_writer_free(w);
}

static void test_clean_stale(const char *tmp)
{
	char dir[4300], path[4600];
	snprintf(dir, sizeof dir, "%s/stale", tmp);
	mkdir(dir, 0755);
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	const struct {
		const char *fmt;
		long pid;
	} files[] = {
		{".a.tar.gz.tmp.%ld", dead},            /* removed: its process is gone */
		{".b.tar.gz.tmp.%ld", getpid()},        /* kept: we are alive */
		{".i.tmp.%ld", 1},                      /* kept: init is alive (EPERM if not root) */
		{".c.tar.gz.tmp.99999999999%ld", 0},    /* removed: cannot be a pid */
		{"d.tar.gz.tmp.%ld", dead},             /* kept: no leading dot */
		{".tmp.%ld", dead},                     /* kept: empty NAME */
		{".e.tmp.%ldx", dead},                  /* kept: not all digits */
		{".f.tmp.%.0ld", 0},                    /* kept: no digits */
		{"keep.tar.gz%.0ld", 0},                /* kept */
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char name[256];
		snprintf(name, sizeof name, files[i].fmt, files[i].pid);
		snprintf(path, sizeof path, "%s/%s", dir, name);
		spit(path, "x", 1);
	}
	snprintf(path, sizeof path, "%s/.g.tmp.%ld", dir, (long)dead);
	mkdir(path, 0755); /* kept: a directory */
	snprintf(path, sizeof path, "%s/.h.tmp.%ld", dir, (long)dead);
	symlink("keep.tar.gz", path); /* kept: a symlink */
	reg_err *err = NULL;
	is_int(reg_archive_clean_stale(dir, &err), 2, "clean_stale removes two files");
	char *ls = listing(dir);
	char want[1024];
	snprintf(want, sizeof want, ".b.tar.gz.tmp.%ld .e.tmp.%ldx .f.tmp. .g.tmp.%ld .h.tmp.%ld "
				    ".i.tmp.1 .tmp.%ld d.tar.gz.tmp.%ld keep.tar.gz",
		 (long)getpid(), (long)dead, (long)dead, (long)dead, (long)dead, (long)dead);
	is_str(ls, want, "only dead runs' temporary files went");
	free(ls);
	snprintf(path, sizeof path, "%s/keep.tar.gz", dir);
	ok(access(path, F_OK) == 0, "the symlink's target is untouched");
	is_int(reg_archive_clean_stale("/nonexistent-dir", &err), -1, "a missing directory");
	is_int(reg_err_code(err), REG_ECANTCREAT, "is REG_ECANTCREAT");
	reg_err_clear(&err);
	rm_rf(dir);
}

/* The hostile corpus, loaded from inside an empty working directory two levels down: nothing
 * may appear there, above it, or at the absolute path one entry names. */
static void test_hostile(const char *tmp)
{
	char corpus[4300], expect[4400], work[4400], mid[4400];
	snprintf(corpus, sizeof corpus, "%s/tests/hostile/archives", src_dir);
	snprintf(expect, sizeof expect, "%s/EXPECT", corpus);
	snprintf(mid, sizeof mid, "%s/h", tmp);
	snprintf(work, sizeof work, "%s/h/w", tmp);
	mkdir(mid, 0755);
	mkdir(work, 0755);
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd) || chdir(work) != 0) {
		ok(0, "chdir to the work directory");
		return;
	}
	FILE *fp = fopen(expect, "r");
	ok(fp != NULL, "the corpus has an EXPECT list");
	char line[1024];
	int listed = 0;
	while (fp && fgets(line, sizeof line, fp)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		const char *name = line, *want = tab + 1;
		char path[5400];
		snprintf(path, sizeof path, "%s/%s", corpus, name);
		listed++;
		reg_archive_entries *e = NULL;
		reg_err *err = NULL;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = reg_archive_load(path, &e, &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		const char *msg = reg_err_message(err);
		ok(rc == -1 && !e && reg_err_code(err) == REG_ENO && reg_err_exit_code(err) == 1 &&
		   strstr(msg, want) && reg_err_file(err) && strcmp(reg_err_file(err), path) == 0,
		   "%s refused: %s", name, msg);
		if (!strstr(msg, want))
			diag("want the message to contain: %s", want);
		if (secs > 5.0)
			diag("%s took %.1f s", name, secs);
		reg_archive_entries_free(e);
		reg_err_free(err);
	}
	if (fp)
		fclose(fp);

	/* Every archive of the corpus is listed: corpus and expectations cannot drift apart. */
	int files = 0;
	DIR *d = opendir(corpus);
	for (struct dirent *de; d && (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		files += n > 7 && strcmp(de->d_name + n - 7, ".tar.gz") == 0;
	}
	if (d)
		closedir(d);
	ok(listed > 20 && listed == files, "EXPECT lists all %d archives of the corpus (%d)", files,
	   listed);

	char *ls = listing(work);
	is_str(ls, "", "nothing was written in the working directory");
	free(ls);
	ls = listing(mid);
	is_str(ls, "w", "nor above it (the '..' entries' target)");
	free(ls);
	ok(access("/tmp/regkit-hostile-absolute", F_OK) != 0, "nor at the absolute path");
	if (chdir(cwd) != 0)
		diag("cannot chdir back");
	rm_rf(mid);

	/* Missing and unreadable inputs are not "not genuine". */
	reg_archive_entries *e = NULL;
	reg_err *err = NULL;
	ok(reg_archive_load("/nonexistent.tar.gz", &e, &err) == -1 &&
	   reg_err_code(err) == REG_ENOINPUT, "a missing file: REG_ENOINPUT");
	reg_err_clear(&err);
	ok(reg_archive_load(tmp, &e, &err) == -1 && reg_err_code(err) == REG_ENOINPUT,
	   "a directory: REG_ENOINPUT");
	reg_err_clear(&err);
}

int main(void)
{
	src_dir = getenv("REG_SOURCE_DIR") ? getenv("REG_SOURCE_DIR") : REG_SOURCE_DATADIR;
	umask(022);
	char keypath[4200], pubpath[4200];
	snprintf(keypath, sizeof keypath, "%s/fixtures/authority/authority.key", src_dir);
	snprintf(pubpath, sizeof pubpath, "%s/fixtures/authority/authority.pub", src_dir);
	reg_err *err = NULL;
	reg_sign_key *priv = reg_sign_key_load_private(keypath, &err);
	reg_sign_key *pub = reg_sign_key_load_public(pubpath, &err);
	if (!ok(priv && pub, "the fixture keys load")) {
		reg_err_print(err, "test", stdout);
		reg_err_free(err);
		reg_sign_key_free(priv);
		reg_sign_key_free(pub);
		return tap_done();
	}
	char tmpl[] = "/tmp/regkit-archive-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	if (!ok(tmp != NULL, "temporary directory")) {
		return tap_done();
	}

	test_writer_rules();
	test_determinism(tmp);
	test_manifest_and_layout(tmp, priv, pub);
	test_forgeries(priv, pub);
	test_damage();
	test_atomic_failures(tmp);
	test_clean_stale(tmp);
	test_hostile(tmp);

	rm_rf(tmp);
	reg_sign_key_free(priv);
	reg_sign_key_free(pub);
	return tap_done();
}
