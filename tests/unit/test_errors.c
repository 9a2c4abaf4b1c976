/* err: the exit status a tool ends with comes from here, so the mapping is tested as a table. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

	/* A hostile record's problems: appending stays O(1) and the chain shows 100 of them, then
	 * one line that counts the rest exactly.  The old chain walked to its end each time:
	 * 200 000 problems took minutes. */
	clock_t t0 = clock();
	reg_err *many = NULL;
	for (int i = 0; i < 200000; i++)
		reg_err_add(&many, REG_ENO, "big.xml", 10 + i, "/dossier/materials/material",
			    "'m%d' is not a material of the catalog", i);
	double seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(seconds < 2.0, "200 000 problems appended in %.2f s", seconds);
	is_int(reg_err_count(many), 200000, "the chain stands for every problem");
	size_t shown = 0;
	const reg_err *last = NULL;
	for (const reg_err *e = many; e; e = reg_err_next(e))
		shown++, last = e;
	is_int(shown, REG_ERR_MAX_PROBLEMS + 1, "it shows %d and a summary", REG_ERR_MAX_PROBLEMS);
	is_str(reg_err_message(last), "and 199900 more problems", "the summary counts exactly");
	is_int(reg_err_more(last), 199900, "reg_err_more says how many it stands for");
	is_int(reg_err_line(last), 110, "located at the first problem left out");
	ok(reg_err_field(last) == NULL, "the summary has no field");
	is_int(reg_err_more(many), 0, "an ordinary problem stands for itself");
	reg_err_add(&many, REG_EIO, "big.xml", 0, NULL, "read error");
	is_int(reg_err_exit_code(many), 74, "an error of another code joins past the cap");
	for (last = many; reg_err_next(last); last = reg_err_next(last))
		;
	is_str(reg_err_message(last), "read error", "and is shown");
	reg_err_free(many);

	/* Joining two chains keeps the cap and the count. */
	reg_err *a = NULL, *b = NULL;
	for (int i = 0; i < 80; i++) {
		reg_err_add(&a, REG_ENO, "a.csv", 2, "materials", "a%d", i);
		reg_err_add(&b, REG_ENO, "a.csv", 2, "materials", "b%d", i);
	}
	reg_err_prefix(b, "row: ");
	reg_err_append(&a, &b);
	is_int(reg_err_count(a), 160, "append: 160 problems");
	s = reg_err_join(a);
	ok(s && strstr(s, "; materials: row: b19; and 60 more problems") != NULL &&
	   !strstr(s, "b20"), "append: 100 shown, then 'and 60 more problems'");
	free(s);
	reg_err *c = NULL;
	reg_err_add(&c, REG_ENO, "a.csv", 3, NULL, "one");
	reg_err_add_more(&c, REG_ENO, "a.csv", 3, 5);
	reg_err_append(&a, &c);
	s = reg_err_join(a);
	ok(s && strstr(s, "b19; and 66 more problems") != NULL,
	   "a summary appended adds its count: %s", s ? strrchr(s, ';') : "(null)");
	free(s);
	reg_err_free(a);
	reg_err *one = NULL;
	reg_err_add(&one, REG_ENO, "x", 1, NULL, "first");
	reg_err_add_more(&one, REG_ENO, "x", 4, 1);
	s = printed(one);
	is_str(s, "reg-x: x:1: first\nreg-x: x:4: and 1 more problem\n", "one more problem, singular");
	free(s);
	reg_err_free(one);

	static const reg_code all[] = {REG_ENO, REG_EUSAGE, REG_EDATA, REG_ENOINPUT, REG_EINTERNAL,
				       REG_ECANTCREAT, REG_EIO, REG_EBUSY, REG_ECONFIG};
	static const int want[] = {1, 64, 65, 66, 70, 73, 74, 75, 78};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		reg_err *one = NULL;
		reg_err_set(&one, all[i], NULL, 0, NULL, "x");
		is_int(reg_err_exit_code(one), want[i], "code %d is exit %d (docs/exit-codes.md)", all[i], want[i]);
		ok(reg_err_exit_code(one) != 77 && reg_err_exit_code(one) != 99, "never 77 or 99");
		reg_err_free(one);
	}
	return tap_done();
}
