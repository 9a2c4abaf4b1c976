/* err: the exit status a tool ends with comes from here, so the mapping is tested as a table. */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "tap.h"

static char *printed(const reg_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	reg_err_print(e, "reg-x", fp);
	fclose(fp);
	return buf;
}

int main(void)
{
	reg_err *e = NULL;
	is_int(reg_err_set(&e, REG_ENO, "apps.csv", 17, "legal_rep_id",
			   "check character should be %c", 'X'), -1, "set returns -1");
	char *s = printed(e);
	is_str(s, "reg-x: apps.csv:17: legal_rep_id: check character should be X\n",
	       "FILE:LINE: FIELD: message");
	free(s);
	is_int(reg_err_exit_code(e), 1, "a rejection exits 1");

	reg_err_add(&e, REG_ENO, "apps.csv", 17, "capital", "must be more than 0");
	s = printed(e);
	is_str(s, "reg-x: apps.csv:17: legal_rep_id: check character should be X\n"
		  "reg-x: apps.csv:17: capital: must be more than 0\n", "a chain prints every problem");
	free(s);
	s = reg_err_join(e);
	is_str(s, "legal_rep_id: check character should be X; capital: must be more than 0",
	       "join for --rejects reasons");
	free(s);
	reg_err_add(&e, REG_EBUSY, NULL, 0, NULL, "registry busy");
	is_int(reg_err_exit_code(e), 75, "an environment failure outranks a rejection");
	reg_err_clear(&e);
	ok(e == NULL, "clear empties the pointer");

	reg_err_set(&e, REG_EDATA, NULL, 0, NULL, "not well-formed");
	s = printed(e);
	is_str(s, "reg-x: not well-formed\n", "unknown file, line and field are left out");
	free(s);
	reg_err_locate(e, "-", 3);
	reg_err_prefix(e, "dossier %d: ", 2);
	s = printed(e);
	is_str(s, "reg-x: -:3: dossier 2: not well-formed\n", "locate and prefix");
	free(s);
	reg_err_recode(e, REG_ECONFIG);
	is_int(reg_err_exit_code(e), 78, "recode");

	reg_err *other = NULL;
	reg_err_set(&other, REG_EINTERNAL, "x", 0, NULL, "bug");
	reg_err_append(&e, &other);
	ok(other == NULL && reg_err_next(e) != NULL, "append moves the chain");
	is_int(reg_err_exit_code(e), 70, "internal outranks configuration");
	reg_err_free(e);
	reg_err_free(NULL);
	is_int(reg_err_exit_code(NULL), 0, "no error is success");
	reg_err_set(NULL, REG_ENO, NULL, 0, NULL, "ignored");
	ok(1, "a NULL errp is allowed");

	static const reg_code all[] = {REG_ENO, REG_EUSAGE, REG_EDATA, REG_ENOINPUT, REG_EINTERNAL,
				       REG_ECANTCREAT, REG_EIO, REG_EBUSY, REG_ECONFIG};
	static const int want[] = {1, 64, 65, 66, 70, 73, 74, 75, 78};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		reg_err *one = NULL;
		reg_err_set(&one, all[i], NULL, 0, NULL, "x");
		is_int(reg_err_exit_code(one), want[i], "code %d is exit %d (DESIGN.md 6)", all[i], want[i]);
		ok(reg_err_exit_code(one) != 77 && reg_err_exit_code(one) != 99, "never 77 or 99");
		reg_err_free(one);
	}
	return tap_done();
}
