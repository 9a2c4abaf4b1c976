/*
 * mkarchive — a test helper (built, never installed): pack a directory into an issuance archive
 * with libreg's own writer, exactly as reg-issue does, so the end-to-end tests of reg-verify
 * and reg-diff (tests/t/t0600, t0610) have real archives without depending on reg-issue.
 *
 *     mkarchive PRIVATE-KEY TOP MTIME DIR OUT.tar.gz
 *
 * Every regular file below DIR is added under TOP/ at its path relative to DIR (MANIFEST and
 * MANIFEST.sig at DIR's top are left out: they are made anew and signed with PRIVATE-KEY);
 * MTIME is the issuance time in seconds since the epoch.  Symbolic links and other special
 * files are refused.  Exit 0, or 1 with the error on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tarball.h"
#include "sign.h"
#include "xml.h"

static int add_dir(reg_archive_writer *w, const char *root, const char *rel, reg_err **errp)
{
	char dirpath[4096];
	snprintf(dirpath, sizeof dirpath, "%s%s%s", root, *rel ? "/" : "", rel);
	DIR *d = opendir(dirpath);
	if (!d)
		return reg_err_set(errp, REG_ENOINPUT, dirpath, 0, NULL, "cannot open: %s",
				   strerror(errno));
	int rc = 0;
	for (struct dirent *de; rc == 0 && (de = readdir(d));) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char sub[4096], full[8200];
		snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(full, sizeof full, "%s/%s", root, sub);
		struct stat st;
		if (lstat(full, &st) != 0) {
			rc = reg_err_set(errp, REG_EIO, full, 0, NULL, "cannot stat: %s", strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = add_dir(w, root, sub, errp);
		} else if (!S_ISREG(st.st_mode)) {
			rc = reg_err_set(errp, REG_EDATA, full, 0, NULL, "not a regular file");
		} else if (strcmp(sub, REG_ARCHIVE_MANIFEST) != 0 &&
			   strcmp(sub, REG_ARCHIVE_MANIFEST_SIG) != 0) {
			FILE *fp = fopen(full, "rb");
			char *data = NULL;
			size_t len = 0;
			if (!fp)
				rc = reg_err_set(errp, REG_ENOINPUT, full, 0, NULL, "cannot open: %s",
						 strerror(errno));
			else
				rc = reg_read_all(fp, full, REG_ARCHIVE_MAX_ENTRY, &data, &len, errp);
			if (fp)
				fclose(fp);
			if (rc == 0)
				rc = reg_archive_add_file(w, sub, data, len, errp);
			free(data);
		}
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: mkarchive PRIVATE-KEY TOP MTIME DIR OUT.tar.gz\n");
		return 1;
	}
	reg_err *err = NULL;
	reg_sign_key *key = reg_sign_key_load_private(argv[1], &err);
	reg_archive_writer *w = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	FILE *out = NULL;
	int rc = 1;
	char *end;
	long long mtime = strtoll(argv[3], &end, 10);
	if (!key)
		goto out;
	if (*end || end == argv[3]) {
		reg_err_set(&err, REG_EUSAGE, NULL, 0, NULL, "MTIME '%s' is not a number", argv[3]);
		goto out;
	}
	if (!(w = reg_archive_writer_new(argv[2], mtime, &err)) ||
	    add_dir(w, argv[4], "", &err) < 0 || reg_archive_add_signed_manifest(w, key, &err) < 0 ||
	    reg_archive_write_mem(w, &buf, &len, &err) < 0)
		goto out;
	if (!(out = fopen(argv[5], "wb")) || fwrite(buf, 1, len, out) != len) {
		reg_err_set(&err, REG_ECANTCREAT, argv[5], 0, NULL, "cannot write: %s",
			    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (out && fclose(out) != 0 && rc == 0) {
		reg_err_set(&err, REG_EIO, argv[5], 0, NULL, "write failed");
		rc = 1;
	}
	if (err)
		reg_err_print(err, "mkarchive", stderr);
	reg_err_free(err);
	free(buf);
	reg_archive_writer_free(w);
	reg_sign_key_free(key);
	return rc;
}
