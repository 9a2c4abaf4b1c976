/* The counter's application form (reg-apply -i), driven by scripted answers through a pipe as
 * a clerk would type them, and once through a pseudo-terminal.  Every run also checks that the
 * form wrote nothing to stdout, where reg-apply writes the dossier. */
#include "appform.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "application.h"
#include "dossier.h"
#include "ids.h"
#include "tap.h"

static const char *const materials[] = {
	"application-form", "articles", "shareholder-id", "legal-rep-id", "name-declaration",
	"pre-approval", "premises-proof", "appointment", "agent-authority", "recycling-site-proof",
	NULL,
};
static const char *const material_names[] = {
	"设立登记申请书", "公司章程", "股东主体资格证明", "法定代表人身份证明",
	"企业名称自主申报告知书", "前置审批文件", "住所（经营场所）使用证明",
	"董事、监事、经理任职文件", "委托代理人授权委托书", "回收经营场地及设施证明", NULL,
};
static const char *const items[] = {
	"business-license", "org-code", "tax-registration", "social-insurance", "statistics",
	"seal-filing", "security-branch", "foreign-trade", "freight-forwarder", "recycling", NULL,
};

static char material_file[256]; /* a real file for a material, made in main */
static const char *run_draft;   /* the draft the runs keep (test_draft), or NULL */

typedef struct run {
	int rc;
	char *v[REG_COL__COUNT];
	char *transcript; /* what the form wrote on its output stream */
	char *stdout_text;
	reg_err *err;
} run;

static char *slurp(FILE *fp)
{
	fflush(fp);
	long n = ftell(fp);
	char *s = calloc(1, n > 0 ? (size_t)n + 1 : 1);
	rewind(fp);
	if (n > 0 && fread(s, 1, (size_t)n, fp) != (size_t)n)
		s[0] = '\0';
	return s;
}

static void run_free(run *r)
{
	reg_form_values_free(r->v);
	free(r->transcript);
	free(r->stdout_text);
	reg_err_free(r->err);
	memset(r, 0, sizeof *r);
}

static reg_form_options options(FILE *in, FILE *out, const char *history)
{
	return (reg_form_options){
		.in = in,
		.out = out,
		.history = history,
		.material_ids = materials,
		.material_names = material_names,
		.item_ids = items,
		.division = "150302",
		.today_year = 2026,
		.today_month = 11,
		.today_day = 23,
		.draft = run_draft,
	};
}

/* Run the form on `answers` (a pipe, as `reg-apply -i < answers`), with stdout redirected to a
 * file to prove the form never writes there. */
static void run_form(run *r, const char *answers, const char *history)
{
	memset(r, 0, sizeof *r);
	int p[2];
	if (pipe(p) < 0)
		abort();
	size_t len = strlen(answers);
	if (write(p[1], answers, len) != (ssize_t)len) /* all fit in the pipe's buffer */
		abort();
	close(p[1]);
	FILE *in = fdopen(p[0], "r");
	FILE *out = tmpfile(), *so = tmpfile();
	fflush(stdout);
	int saved = dup(1);
	dup2(fileno(so), 1);
	reg_form_options opt = options(in, out, history);
	r->rc = reg_form_run(&opt, r->v, &r->err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	r->transcript = slurp(out);
	r->stdout_text = slurp(so);
	fclose(in);
	fclose(out);
	fclose(so);
}

static bool contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

static void show(const run *r)
{
	diag("transcript:\n%s", r->transcript ? r->transcript : "");
}

static char *answers_with(const char *fmt, ...) REG_PRINTF(1, 2);
static char *answers_with(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* The form questions in order, for the Hengtai application of fixtures/apps.csv.  %s slots:
 * legal representative's id lines, the shareholder lines, the tail (confirmation and what
 * follows).  A TAB in the division and a material answer exercises completion. */
#define HENGTAI                                                                            \
	"llc\n"                          /* form */                                         \
	"海勃湾\t\n"                     /* division: completes to 150302 */                \
	"乌海市恒泰商贸有限公司\n"       /* name */                                         \
	"1000000\n"                      /* capital */                                      \
	"乌海市海勃湾区新华大街18号\n"   /* address */                                      \
	"日用百货销售；五金产品零售\n"   /* scope */                                        \
	"f5211\n"                        /* industry, upper-cased */                        \
	"张伟\n"                         /* legal representative */                         \
	"%s"                             /* legal_rep_id */                                 \
	"13904731234\n"                  /* legal_rep_phone */                              \
	"%s"                             /* shareholders */                                 \
	"李娜\n150302198705124184\n"     /* finance officer */                              \
	"12\n"                           /* staff */                                        \
	"0473-3921234\n"                 /* contact phone */                                \
	"applic\t\n\n"                   /* materials: application-form, sighted */         \
	"articles=\n"                                                                      \
	"legal-rep-id\n%s\n"                                                               \
	"\n"                             /* end of materials */                             \
	"premises-proof@2026-12-20\n\n"  /* commitments */                                  \
	"\n"                             /* requests: all */                                \
	"%s"

#define REP_ID "15030219850315609X\n"
#define HOLDERS "张伟\n\n60\n李娜\n150302198705124184\n40\n\n"

static char *hengtai(const char *rep_id, const char *holders, const char *tail)
{
	return answers_with(HENGTAI, rep_id, holders, material_file, tail);
}

static void check_clean(const run *r, const char *what)
{
	ok(r->stdout_text && r->stdout_text[0] == '\0', "%s: nothing written to stdout", what);
	ok(!strchr(r->transcript, '\033'), "%s: piped input gives a transcript without escape "
	   "sequences", what);
}

static void test_complete(void)
{
	run r;
	char *a = hengtai(REP_ID, HOLDERS, "y\n");
	run_form(&r, a, NULL);
	is_int(r.rc, 1, "complete application: confirmed");
	if (r.rc != 1)
		show(&r);
	is_str(r.v[REG_COL_NAME], "乌海市恒泰商贸有限公司", "name");
	is_str(r.v[REG_COL_FORM], "llc", "form");
	is_str(r.v[REG_COL_CAPITAL], "1000000.00", "capital normalized to hundredths");
	is_str(r.v[REG_COL_DIVISION], "150302", "division completed from part of its name");
	is_str(r.v[REG_COL_ADDRESS], "乌海市海勃湾区新华大街18号", "address");
	is_str(r.v[REG_COL_SCOPE], "日用百货销售；五金产品零售", "scope");
	is_str(r.v[REG_COL_INDUSTRY], "F5211", "industry upper-cased");
	is_str(r.v[REG_COL_LEGAL_REP_NAME], "张伟", "legal representative");
	is_str(r.v[REG_COL_LEGAL_REP_ID], "15030219850315609X", "legal representative's id");
	is_str(r.v[REG_COL_LEGAL_REP_PHONE], "13904731234", "legal representative's phone");
	is_str(r.v[REG_COL_SHAREHOLDERS],
	       "张伟:15030219850315609X:60.00;李娜:150302198705124184:40.00",
	       "shareholders in the column syntax; the representative's id was the default");
	is_str(r.v[REG_COL_FINANCE_OFFICER_NAME], "李娜", "finance officer");
	is_str(r.v[REG_COL_FINANCE_OFFICER_ID], "150302198705124184", "finance officer's id");
	is_str(r.v[REG_COL_STAFF], "12", "staff");
	is_str(r.v[REG_COL_CONTACT_PHONE], "0473-3921234", "contact phone");
	char *want = answers_with("application-form;articles;legal-rep-id=%s", material_file);
	is_str(r.v[REG_COL_MATERIALS], want, "materials: completed id, id=, id then file");
	free(want);
	is_str(r.v[REG_COL_COMMITMENTS], "premises-proof@2026-12-20", "commitments");
	ok(r.v[REG_COL_REQUESTS] == NULL, "empty optional requests stay NULL");
	ok(contains(r.transcript, "组织形式 form: llc\n"), "prompt: Chinese label and column name");
	ok(contains(r.transcript, "行政区划 division [150302]: "),
	   "the authority's division is the default");
	ok(contains(r.transcript, "确认 confirm? [y/n]: y"), "a summary to confirm");
	ok(contains(r.transcript, "8 法定代表人 legal_rep_name: 张伟"), "the summary lists columns");
	check_clean(&r, "complete");

	/* What reg-apply does next: the answers make a dossier. */
	reg_err *err = NULL;
	reg_dossier *d = reg_application_from_fields((const char *const *)r.v, "-", 0, &err);
	ok(d && !err, "the answers build a dossier (reg_application_from_fields)");
	if (d) {
		char *share = reg_dossier_text(d, "enterprise/shareholders/shareholder/share");
		is_str(share, "60.00", "dossier: first share");
		free(share);
		char *div = reg_dossier_attr(d, "enterprise/address", "division");
		is_str(div, "150302", "dossier: division");
		free(div);
	}
	reg_dossier_free(d);
	reg_err_free(err);
	run_free(&r);
	free(a);
}

static void test_bad_citizen_id(void)
{
	run r;
	/* Wrong check character, then someone under 18, then the right id. */
	char young[REG_CITIZEN_ID_LEN + 2] = "15030220100101001";
	young[17] = reg_citizen_id_check_char(young);
	young[18] = '\0';
	char *ids = answers_with("150302198503156090\n%s\n15030219850315609x\n", young);
	char *a = hengtai(ids, HOLDERS, "y\n");
	run_form(&r, a, NULL);
	is_int(r.rc, 1, "bad citizen ids re-asked, then confirmed");
	ok(contains(r.transcript, "legal_rep_id: check character should be X"),
	   "the reason from ids.h is printed");
	ok(contains(r.transcript, "legal_rep_id: must be at least 18 years old, is 16"),
	   "a legal representative under 18 is refused");
	is_str(r.v[REG_COL_LEGAL_REP_ID], "15030219850315609X",
	       "the corrected id, lower-case x upper-cased");
	check_clean(&r, "bad citizen id");
	run_free(&r);
	free(a);
	free(ids);
}

static void test_bad_scalars(void)
{
	run r;
	/* Form, division, name and capital wrong first. */
	const char *a =
		"corp\nllc\n"
		"150399\n150302\n"
		"乌海市恒泰商贸股份有限公司\n乌海市恒泰商贸有限公司\n"
		"abc\n-5\n0\n1000000.5\n";
	run_form(&r, a, NULL);
	is_int(r.rc, 0, "input ending after the capital: abandoned");
	ok(contains(r.transcript, "form: 'corp' is not a legal form"), "unknown legal form refused");
	ok(contains(r.transcript, "division: division '150399' is not in the GB/T 2260 table"),
	   "division not in the table refused");
	ok(contains(r.transcript, "name: organization form '股份有限公司' does not match legal form "
		    "llc"), "the name is checked against form and division");
	ok(contains(r.transcript, "capital: 'abc'"), "capital 'abc' refused with its reason");
	ok(contains(r.transcript, "capital: '-5' is negative"), "negative capital refused");
	ok(contains(r.transcript, "capital: must be more than zero"), "zero capital refused");
	ok(contains(r.transcript, "住所 address: "), "after a good capital the next question");
	check_clean(&r, "bad scalars");
	run_free(&r);
}

static void test_shares(void)
{
	run r;
	/* 60 + 41 passes 100; 60 + 39.99 = 99.99 may not finish; "-" removes the last. */
	const char *holders = "张伟\n\n60\n李娜\n150302198705124184\n41\n39.99\n\n"
			      "-\n李娜\n150302198705124184\n40\n\n";
	char *a = hengtai(REP_ID, holders, "y\n");
	run_form(&r, a, NULL);
	is_int(r.rc, 1, "shares fixed, then confirmed");
	ok(contains(r.transcript, "the shares would sum to 101.00%, more than 100"),
	   "a share taking the sum past 100 is refused");
	ok(contains(r.transcript, "the shares sum to 99.99%, not 100.00"),
	   "shares summing to 99.99 cannot finish");
	ok(contains(r.transcript, "removed shareholder 2, 李娜"), "- removes the last shareholder");
	is_str(r.v[REG_COL_SHAREHOLDERS],
	       "张伟:15030219850315609X:60.00;李娜:150302198705124184:40.00",
	       "the list after the fix");
	check_clean(&r, "shares");
	run_free(&r);
	free(a);
}

static void test_company_shareholder(void)
{
	run r;
	/* A company holds 51% (an all-digit USCC); a mistyped USCC gets the USCC's reason. */
	const char *holders = "内蒙古黄河能源集团有限公司\n91150302MA0000015X\n911503007014582689\n51\n"
			      "张伟\n\n49\n\n";
	char *a = hengtai(REP_ID, holders, "y\n");
	run_form(&r, a, NULL);
	is_int(r.rc, 1, "a company shareholder: confirmed");
	ok(contains(r.transcript, "shareholders: not a USCC: check character should be Y"),
	   "a USCC with a wrong check character is refused with its reason");
	is_str(r.v[REG_COL_SHAREHOLDERS],
	       "内蒙古黄河能源集团有限公司:911503007014582689:51.00;张伟:15030219850315609X:49.00",
	       "a USCC is accepted as a shareholder's id");
	run_free(&r);
	free(a);
}

static void test_history_path(void)
{
	char *p;
	setenv("XDG_STATE_HOME", "/srv/state", 1);
	setenv("HOME", "/home/clerk", 1);
	is_str(p = reg_form_history_path(), "/srv/state/regkit/history", "history under $XDG_STATE_HOME");
	free(p);
	setenv("XDG_STATE_HOME", "relative", 1);
	is_str(p = reg_form_history_path(), "/home/clerk/.local/state/regkit/history",
	       "a relative XDG_STATE_HOME is ignored: ~/.local/state");
	free(p);
	unsetenv("XDG_STATE_HOME");
	is_str(p = reg_form_history_path(), "/home/clerk/.local/state/regkit/history",
	       "default ~/.local/state/regkit/history");
	free(p);
	unsetenv("HOME");
	ok(reg_form_history_path() == NULL, "no home: no history");
}

static void test_eof(void)
{
	run r;
	run_form(&r, "llc\n\n乌海市恒泰商贸有限公司\n1000000\n乌海市海勃湾区新华大街18号\n", NULL);
	is_int(r.rc, 0, "end of input in the middle: abandoned");
	bool none = true;
	for (int c = 0; c < REG_COL__COUNT; c++)
		none = none && r.v[c] == NULL;
	ok(none, "abandoned: no value returned");
	ok(r.err == NULL, "abandoning is not an error");
	ok(contains(r.transcript, "abandoned, nothing recorded"), "the clerk is told");
	check_clean(&r, "eof");
	run_free(&r);

	char *a = hengtai(REP_ID, HOLDERS, "");
	run_form(&r, a, NULL);
	is_int(r.rc, 0, "end of input at the confirmation: abandoned");
	ok(r.v[REG_COL_NAME] == NULL, "nothing returned after a full form either");
	run_free(&r);
	free(a);
}

static void test_change(void)
{
	run r;
	/* n, change the capital by name, then the form by number: the name no longer fits a
	 * jsc and is asked again; an optional field cleared with "-". */
	char *a = hengtai(REP_ID, HOLDERS,
			  "n\ncapital\n2000000\n"
			  "n\n2\njsc\n乌海市恒泰商贸股份有限公司\n"
			  "n\nstaff\n-\n"
			  "n\nnosuch\n\nx\ny\n");
	run_form(&r, a, NULL);
	is_int(r.rc, 1, "summary n, changes, then y: confirmed");
	is_str(r.v[REG_COL_CAPITAL], "2000000.00", "capital changed");
	is_str(r.v[REG_COL_FORM], "jsc", "form changed by number");
	ok(contains(r.transcript, "name: organization form '有限公司' does not match legal form jsc"),
	   "changing the form re-checks the name");
	is_str(r.v[REG_COL_NAME], "乌海市恒泰商贸股份有限公司", "the name asked again");
	ok(r.v[REG_COL_STAFF] == NULL, "an optional field cleared with -");
	ok(contains(r.transcript, "change: no field 'nosuch'"), "an unknown field is refused");
	ok(contains(r.transcript, "注册资本 capital [1000000.00]: "),
	   "the current value is offered when changing");
	is_str(r.v[REG_COL_LEGAL_REP_ID], "15030219850315609X", "other fields kept");
	check_clean(&r, "change");
	run_free(&r);
	free(a);

	a = hengtai(REP_ID, HOLDERS, "n\nabandon\n");
	run_form(&r, a, NULL);
	is_int(r.rc, 0, "summary n, then abandon: abandoned");
	ok(r.v[REG_COL_NAME] == NULL, "abandon returns nothing");
	run_free(&r);
	free(a);
}

static void test_lists(void)
{
	run r;
	/* Materials and commitments refused for the reasons a clerk meets. */
	/* The file of legal-rep-id is refused, then left empty: sighted. */
	char *a = answers_with(
		HENGTAI, REP_ID, HOLDERS, "/nonexistent/file\n",
		"n\nmaterials\n\nnosuch\narticles\n\narticles\nlegal-rep-id=/nonexistent/x\n"
		"premises-proof\n\n\n"          /* premises-proof now supplied: commitments again */
		"premises-proof\nappointment@2026-11-23\nappointment@2026-02-30\n"
		"appointment\n20261220\n2026-12-20\n\n"
		"y\n");
	run_form(&r, a, NULL);
	is_int(r.rc, 1, "materials and commitments corrected, confirmed");
	if (r.rc != 1)
		show(&r);
	ok(contains(r.transcript, "materials: cannot use '/nonexistent/file': No such file"),
	   "a material file that does not exist is refused");
	ok(contains(r.transcript, "materials: at least one material is required"),
	   "materials cannot be empty");
	ok(contains(r.transcript, "'nosuch' is not a material of the catalog"),
	   "a material not in the catalog is refused");
	ok(contains(r.transcript, "materials: 'articles' is already listed"),
	   "a material given twice is refused");
	ok(contains(r.transcript, "commitments: 'premises-proof' is now among the materials"),
	   "a commitment for a now-supplied material is caught");
	ok(contains(r.transcript, "'premises-proof' is among the materials: it needs no commitment"),
	   "and cannot be committed again");
	ok(contains(r.transcript, "the due date must be after today"), "a due date today refused");
	ok(contains(r.transcript, "2026-02-30 is not a date of the calendar"),
	   "a date that does not exist refused");
	ok(contains(r.transcript, "the due date is a date YYYY-MM-DD"), "a malformed date refused");
	is_str(r.v[REG_COL_MATERIALS], "articles;premises-proof", "materials re-entered");
	is_str(r.v[REG_COL_COMMITMENTS], "appointment@2026-12-20", "commitments re-entered");
	check_clean(&r, "lists");
	run_free(&r);
	free(a);

	/* Requests: numbers and ids, checked against the catalog's items. */
	a = hengtai(REP_ID, HOLDERS, "n\nrequests\n1;99\nfoo\n1,recycling,1\n1, recycl\t\ny\n");
	run_form(&r, a, NULL);
	is_int(r.rc, 1, "requests corrected, confirmed");
	ok(contains(r.transcript, "requests: no catalog item number 99"), "item number out of range");
	ok(contains(r.transcript, "requests: 'foo' is not a catalog item"), "unknown item id");
	ok(contains(r.transcript, "requests: '1' requested twice"), "an item requested twice");
	is_str(r.v[REG_COL_REQUESTS], "1;recycling", "requests joined by ';', TAB completed");
	run_free(&r);
	free(a);
}

static void test_help_and_completion_list(void)
{
	run r;
	run_form(&r, "?\nl\t\n15030\t\t", NULL);
	is_int(r.rc, 0, "help and completion, then end of input");
	ok(contains(r.transcript, "组织形式 form: legal form: llc, jsc, sole or partnership"),
	   "? explains the column");
	ok(contains(r.transcript, "组织形式 form: llc\n"), "TAB completes a unique prefix");
	ok(contains(r.transcript, "150302  内蒙古自治区乌海市海勃湾区"),
	   "a second TAB lists division codes with their names");
	check_clean(&r, "help");
	run_free(&r);
}

static void test_history(const char *dir)
{
	run r;
	char *path = answers_with("%s/state/regkit/history", dir);
	char *a = hengtai(REP_ID, HOLDERS, "y\n");
	run_form(&r, a, path);
	is_int(r.rc, 1, "with a history file: confirmed");
	struct stat st;
	char *state = answers_with("%s/state/regkit", dir);
	ok(stat(state, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	   "the history directory is created 0700");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "the history file is 0600");
	FILE *fp = fopen(path, "r");
	char *text = NULL;
	if (fp) {
		fseek(fp, 0, SEEK_END);
		text = slurp(fp);
		fclose(fp);
	}
	ok(contains(text, "乌海市恒泰商贸有限公司\n"), "answers are kept in the history");
	ok(!contains(text, "15030219850315609X") && !contains(text, "13904731234"),
	   "citizen ids and phone numbers are not");
	free(text);
	run_free(&r);

	/* A second session reads it: readline's history list is ours during the run only. */
	run_form(&r, "\033[A\n", path); /* up arrow: the last answer of the first session */
	ok(contains(r.transcript, "组织形式 form: premises-proof@2026-12-20\n"),
	   "a new session recalls answers from the history file (up arrow)");
	run_free(&r);

	/* A history that cannot be written never stops the form. */
	run_form(&r, a, "/dev/null/regkit/history");
	is_int(r.rc, 1, "unwritable history: the form goes on");
	ok(contains(r.transcript, "history not kept: "), "and says so once");
	run_free(&r);
	free(a);
	free(state);
	free(path);
}

static void test_options_and_globals(void)
{
	char *v[REG_COL__COUNT];
	reg_err *err = NULL;
	reg_form_options opt = options(NULL, NULL, NULL);
	opt.today_month = 13;
	is_int(reg_form_run(&opt, v, &err), -1, "an invalid today is an error");
	is_int(reg_err_code(err), REG_EINTERNAL, "of the caller (internal)");
	reg_err_clear(&err);

	char buf[] = "llc\n";
	FILE *mem = fmemopen(buf, sizeof buf - 1, "r");
	opt = options(mem, NULL, NULL);
	is_int(reg_form_run(&opt, v, &err), -1, "an input without a file descriptor is an error");
	ok(v[REG_COL_FORM] == NULL, "values are NULL after an error");
	reg_err_clear(&err);
	fclose(mem);

	/* The caller's readline state survives a run. */
	FILE *before_in = rl_instream, *before_out = rl_outstream;
	char convert_meta[8];
	snprintf(convert_meta, sizeof convert_meta, "%s", rl_variable_value("convert-meta"));
	rl_attempted_completion_function = NULL;
	rl_readline_name = "caller";
	add_history("caller's line");
	run r;
	run_form(&r, "llc\n", NULL);
	ok(rl_instream == before_in && rl_outstream == before_out, "rl_instream/outstream restored");
	ok(rl_attempted_completion_function == NULL && rl_completion_display_matches_hook == NULL,
	   "completion hooks restored");
	is_str(rl_readline_name, "caller", "rl_readline_name restored");
	ok(history_length == 1 && strcmp(history_get(history_base)->line, "caller's line") == 0,
	   "the caller's history list is back, without the form's answers");
	is_str(rl_variable_value("convert-meta"), convert_meta, "convert-meta restored");
	rl_clear_history();
	run_free(&r);
}

/* On a terminal readline edits and echoes itself; the answers and the result are the same. */
static void test_tty(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		ok(1, "# SKIP no pseudo-terminal");
		return;
	}
	int s = open(ptsname(m), O_RDWR | O_NOCTTY);
	struct termios raw, after;
	tcgetattr(s, &raw);
	cfmakeraw(&raw); /* no echo before readline takes the terminal */
	tcsetattr(s, TCSANOW, &raw);
	char *a = hengtai(REP_ID, HOLDERS, "y\n");
	size_t len = strlen(a);
	if (write(m, a, len) != (ssize_t)len)
		abort();
	FILE *in = fdopen(s, "r"), *out = tmpfile();
	reg_form_options opt = options(in, out, NULL);
	char *v[REG_COL__COUNT];
	reg_err *err = NULL;
	int rc = reg_form_run(&opt, v, &err);
	is_int(rc, 1, "on a terminal: confirmed");
	is_str(v[REG_COL_DIVISION], "150302", "on a terminal: TAB completion");
	is_str(v[REG_COL_SHAREHOLDERS],
	       "张伟:15030219850315609X:60.00;李娜:150302198705124184:40.00",
	       "on a terminal: shareholders");
	tcgetattr(s, &after);
	ok(after.c_lflag == raw.c_lflag && after.c_iflag == raw.c_iflag,
	   "the terminal is left as it was found");
	reg_form_values_free(v);

	/* Ctrl-D on an empty line abandons. */
	if (write(m, "llc\n\x04", 5) != 5)
		abort();
	rc = reg_form_run(&opt, v, &err);
	is_int(rc, 0, "on a terminal: Ctrl-D abandons");
	char *t = slurp(out);
	ok(contains(t, "企业名称 name: "), "on a terminal: prompts on the output stream");
	free(t);
	free(a);
	reg_err_free(err);
	fclose(out);
	fclose(in);
	close(m);
}

static char *file_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	char *s = slurp(fp);
	fclose(fp);
	return s;
}

static void test_draft(const char *dir)
{
	char path[300];
	run r;
	struct stat st;
	snprintf(path, sizeof path, "%s/state/draft", dir);
	run_draft = path;

	/* End of input after three answers: they are kept, in column order, 0600. */
	run_form(&r, "llc\n\n乌海市恒泰商贸有限公司\n", NULL);
	is_int(r.rc, 2, "draft: end of input after answers: interrupted, kept");
	ok(contains(r.transcript, "interrupted, nothing recorded: the answers are kept in "),
	   "draft: where the answers are said");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "draft: mode 0600");
	char *text = file_text(path);
	is_str(text, "regkit form draft 1\nname=乌海市恒泰商贸有限公司\nform=llc\ndivision=150302\n",
	       "draft: the answered questions, COLUMN=VALUE");
	free(text);
	ok(r.v[REG_COL_NAME] == NULL, "draft: interrupted returns no values");
	run_free(&r);

	/* Resumed: only the questions not yet answered are asked. */
	char *full = hengtai(REP_ID, HOLDERS, "y\n");
	char *a = answers_with("y\n%s", strstr(full, "1000000\n"));
	run_form(&r, a, NULL);
	is_int(r.rc, 1, "draft: resumed and confirmed");
	if (r.rc != 1)
		show(&r);
	ok(contains(r.transcript, "an interrupted form is kept in ") &&
	   contains(r.transcript, ": 3 answers, 企业名称 name 乌海市恒泰商贸有限公司"),
	   "draft: what it holds is said before resuming");
	ok(!contains(r.transcript, "行政区划 division [150302]: "),
	   "draft: an answered question is not asked again");
	is_str(r.v[REG_COL_NAME], "乌海市恒泰商贸有限公司", "draft: the resumed name");
	is_str(r.v[REG_COL_CAPITAL], "1000000.00", "draft: the answers after it");
	ok(access(path, F_OK) == 0, "draft: kept until the caller has the dossier accepted");
	is_int(reg_form_draft_remove(path, NULL), 0, "draft: removed");
	ok(access(path, F_OK) != 0, "draft: gone");
	is_int(reg_form_draft_remove(path, NULL), 0, "draft: removing none is fine");
	run_free(&r);
	free(a);
	free(full);

	/* n: the draft goes and the form starts afresh. */
	run_form(&r, "llc\n", NULL);
	is_int(r.rc, 2, "draft: one answer kept");
	run_free(&r);
	run_form(&r, "n\n", NULL);
	is_int(r.rc, 0, "draft: n, then end of input before any answer: abandoned");
	ok(contains(r.transcript, "draft removed: a new form") && access(path, F_OK) != 0,
	   "draft: n removes it");
	ok(contains(r.transcript, "组织形式 form: "), "draft: n asks from the first question");
	run_free(&r);

	/* A file that is not a draft is never overwritten. */
	FILE *fp = fopen(path, "w");
	fputs("not a draft\n", fp);
	fclose(fp);
	run_form(&r, "llc\n\n", NULL);
	is_int(r.rc, 0, "draft: beside a file that is not one, nothing is kept");
	ok(contains(r.transcript, "is not a form draft of this regkit"), "draft: that is said");
	text = file_text(path);
	is_str(text, "not a draft\n", "draft: the file is left as it was");
	free(text);
	run_free(&r);
	unlink(path);
	run_draft = NULL;
}

int main(void)
{
	/* The user's ~/.inputrc must not change what TAB or Enter do here. */
	setenv("INPUTRC", "/dev/null", 1);
	char dir[] = "/tmp/test-form-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	snprintf(material_file, sizeof material_file, "%s/legal-rep-id.txt", dir);
	FILE *fp = fopen(material_file, "w");
	fputs("身份证复印件\n", fp);
	fclose(fp);

	test_complete();
	test_bad_citizen_id();
	test_bad_scalars();
	test_shares();
	test_company_shareholder();
	test_eof();
	test_change();
	test_lists();
	test_help_and_completion_list();
	test_history(dir);
	test_draft(dir);
	test_options_and_globals();
	test_tty();
	test_history_path();

	char *cmd = answers_with("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	free(cmd);
	return tap_done();
}
