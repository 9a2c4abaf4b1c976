/* files: a name never shows a partial file; a recorded file is never lost to a failed rename;
 * reg_mkdir. */
#include "files.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/regkit-test-files.XXXXXX";

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	static char buf[256];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

static int entries(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		ok(0, "mkdtemp");
		return tap_done();
	}
	char dir[sizeof tmpdir + 8], path[sizeof tmpdir + 32];
	reg_err *err = NULL;

	snprintf(dir, sizeof dir, "%s/d", tmpdir);
	ok(reg_mkdir(dir, &err) == 0, "mkdir: a new directory");
	ok(reg_mkdir(dir, &err) == 0, "mkdir: an existing directory is fine");
	snprintf(path, sizeof path, "%s/file", tmpdir);
	ok(reg_file_write_atomic(tmpdir, "file", "x", 1, 0644, &err) == 0, "write a plain file");
	ok(reg_mkdir(path, &err) < 0 && reg_err_code(err) == REG_ECANTCREAT &&
	   strcmp(reg_err_message(err), "not a directory") == 0,
	   "mkdir: an existing file is 'not a directory'");
	reg_err_clear(&err);

	ok(reg_file_write_atomic(dir, "a.xml", "first", 5, 0644, &err) == 0 &&
	   reg_file_write_atomic(dir, "a.xml", "second", 6, 0644, &err) == 0,
	   "write_atomic twice");
	snprintf(path, sizeof path, "%s/a.xml", dir);
	is_str(slurp(path), "second", "the second write replaced the first");
	is_int(entries(dir), 1, "no staged file left");

	/* A rename that fails: the name is taken by a non-empty directory. */
	snprintf(path, sizeof path, "%s/b.xml", dir);
	char inner[sizeof path + 8];
	snprintf(inner, sizeof inner, "%s/x", path);
	ok(mkdir(path, 0755) == 0 && mkdir(inner, 0755) == 0, "b.xml is a non-empty directory");

	reg_staged *st = reg_file_stage(dir, "b.xml", "lost", 4, 0644, &err);
	ok(st && reg_file_publish(st, &err) < 0, "publish over a directory fails");
	is_int(entries(dir), 2, "publish: the staged file is removed (a.xml and b.xml only)");
	reg_err_clear(&err);

	st = reg_file_stage(dir, "b.xml", "kept", 4, 0644, &err);
	char staged[sizeof path + 32];
	snprintf(staged, sizeof staged, "%s", st ? reg_file_staged_path(st) : "");
	ok(st && reg_file_publish_recorded(st, &err) < 0 && reg_err_code(err) == REG_ECANTCREAT,
	   "publish_recorded over a directory fails");
	ok(err && strstr(reg_err_message(err), "not moved into place") &&
	   strstr(reg_err_message(err), staged),
	   "publish_recorded: the message names where the file is");
	is_str(slurp(staged), "kept", "publish_recorded: the staged file is kept, whole");
	reg_err_clear(&err);
	unlink(staged);

	rmdir(inner);
	rmdir(path);
	st = reg_file_stage(dir, "b.xml", "slip", 4, 0644, &err);
	ok(st && reg_file_publish_recorded(st, &err) == 0, "publish_recorded when all is well");
	is_str(slurp(path), "slip", "it has its name");
	is_int(entries(dir), 2, "and no staged file is left");
	struct stat sb;
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0644, "with the mode asked");

	snprintf(path, sizeof path, "rm -rf '%s'", tmpdir);
	if (system(path) != 0)
		diag("could not remove %s", tmpdir);
	reg_err_free(err);
	return tap_done();
}
