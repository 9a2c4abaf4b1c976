/*
 * test_merge — the fan-in of parallel approval (libreg/merge.h) and the automatic review it
 * merges (libreg/approve.h), on one dossier of the shipped catalog: a recycling company, to
 * which items 1-6 and 10 apply.
 *
 * What users rely on: copies from several departments become one dossier whatever order they
 * come in; identical verdicts are kept once; merging a merged dossier changes nothing; a later
 * verdict supersedes an earlier one; the state says approved / rejected / pending and
 * <outstanding> says who is still to answer and why; and a dossier whose body changed after
 * review, or with two verdicts at one instant, is refused with the file and the department
 * named, left as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approve.h"
#include "catalog.h"
#include "dossier.h"
#include "merge.h"
#include "regkit-config.h"
#include "rules.h"
#include "tap.h"
#include "xml.h"

static const char body[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\">\n"
	"  <enterprise>\n"
	"    <name>乌海市绿源再生资源有限公司</name>\n"
	"    <form>llc</form>\n"
	"    <capital>500000.00</capital>\n"
	"    <address division=\"150302\">乌海市海勃湾区千里山工业园区纬三路6号</address>\n"
	"    <scope industry=\"F5191\">再生资源回收（除生产性废旧金属）；再生资源销售</scope>\n"
	"    <legal-representative>\n"
	"      <name>王建军</name>\n"
	"      <citizen-id>150304197206087831</citizen-id>\n"
	"      <phone>15847301122</phone>\n"
	"    </legal-representative>\n"
	"    <shareholders>\n"
	"      <shareholder><name>王建军</name><citizen-id>150304197206087831</citizen-id>"
	"<share>100.00</share></shareholder>\n"
	"    </shareholders>\n"
	"  </enterprise>\n"
	"  <materials>\n"
	"    <material type=\"application-form\" sighted=\"true\"/>\n"
	"    <material type=\"legal-rep-id\" sighted=\"true\"/>\n"
	"  </materials>\n"
	"  <commitments>\n"
	"    <commitment material=\"recycling-site-proof\" due=\"2026-12-18\"/>\n"
	"  </commitments>\n"
	"  <acceptance number=\"150302-20261123-000002\" window=\"01\" clerk=\"王芳\" "
	"time=\"2026-11-23T09:00:00+08:00\" authority=\"150302\"/>\n"
	"%s"
	"</dossier>\n";

static const char T1[] = "2026-11-23T10:00:00+08:00";
static const char T2[] = "2026-11-24T10:00:00+08:00";
static const int OFFSET = 480;
static const long long NOW = 1795399200; /* 2026-11-23T10:00:00+08:00 */

static reg_catalog *cat;
static reg_rules *rules;

static reg_dossier *parse(const char *text, const char *file)
{
	reg_err *err = NULL;
	xmlDoc *doc = reg_xml_parse_memory(text, strlen(text), file, &err);
	reg_dossier *d = doc ? reg_dossier_adopt(doc, file, 3, &err) : NULL;
	if (!d) {
		reg_err_print(err, "test_merge", stderr);
		abort();
	}
	return d;
}

/* The sample dossier as it left acceptance, with `extra` XML after the acceptance. */
static reg_dossier *sample_with(const char *file, const char *extra)
{
	char *text = NULL;
	if (asprintf(&text, body, extra) < 0)
		abort();
	reg_dossier *d = parse(text, file);
	free(text);
	return d;
}

static reg_dossier *sample(const char *file) { return sample_with(file, ""); }

static char *serialize(reg_dossier *d)
{
	char *out = NULL;
	size_t len = 0;
	if (reg_xml_serialize(reg_dossier_doc(d), &out, &len, NULL) < 0)
		abort();
	return out;
}

/* A department's automatic review of a fresh copy, as reg-approve --dept writes it. */
static reg_dossier *dept_copy(const char *dept, const char *time)
{
	char file[64];
	snprintf(file, sizeof file, "%s.xml", dept);
	reg_dossier *d = sample(file);
	reg_err *err = NULL;
	reg_review *rv = reg_review_new(cat, rules, d, NOW, OFFSET, &err);
	if (!rv || reg_approve_dept(rv, dept, REG_APPROVE_REVIEWER, time, &err) < 0) {
		reg_err_print(err, "test_merge", stderr);
		abort();
	}
	reg_review_free(rv);
	return d;
}

/* Add one approval by hand, on the dossier's own body unless digest is given. */
static void add(reg_dossier *d, const char *item, const char *dept, reg_verdict v,
		const char *time, const char *reviewer, const char *reason, const char *digest)
{
	char own[65];
	if (!digest && reg_dossier_body_digest(d, own, NULL) < 0)
		abort();
	char *reasons[1] = {(char *)reason};
	reg_approval a = {
		.item = (char *)item, .dept = (char *)dept, .verdict = v, .time = (char *)time,
		.reviewer = (char *)reviewer, .digest = (char *)(digest ? digest : own),
		.reasons = reasons, .n_reasons = reason ? 1 : 0,
	};
	if (reg_dossier_add_approval(d, &a, NULL) < 0)
		abort();
}

static int merge(reg_dossier **copies, size_t n, reg_err **errp)
{
	reg_merge_opts o = {.catalog = cat, .rules = rules, .now = NOW, .offset_min = OFFSET};
	return reg_merge(&o, copies, n, NULL, errp);
}

static const char *const depts[] = {"amr", "tax", "hrss", "stats", "police", "commerce"};
#define N_DEPTS (sizeof depts / sizeof *depts)

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static bool err_says(const reg_err *err, const char *what)
{
	for (; err; err = reg_err_next(err))
		if (strstr(reg_err_message(err), what))
			return true;
	return false;
}

static void test_review(void)
{
	reg_dossier *d = dept_copy("commerce", T1);
	char *text = serialize(d);
	ok(strstr(text, "item=\"recycling\" dept=\"commerce\" verdict=\"approved\""),
	   "commerce approves item 10 for a scope with 再生资源回收");
	is_int(count(text, "dept=\"commerce\" verdict=\"not-applicable\""), 3,
	       "its other three items are recorded not-applicable");
	free(text);
	reg_dossier_free(d);

	reg_dossier *cafe = sample("cafe.xml");
	xmlNode *scope = reg_dossier_node(cafe, "enterprise/scope");
	xmlNodeSetContent(scope, BAD_CAST "餐饮服务；食品销售");
	reg_err *err = NULL;
	reg_review *rv = reg_review_new(cat, rules, cafe, NOW, OFFSET, &err);
	ok(rv && reg_approve_dept(rv, "commerce", "reg-approve", T1, &err) == 4,
	   "a restaurant: commerce answers all four of its items");
	text = serialize(cafe);
	ok(strstr(text, "item=\"recycling\" dept=\"commerce\" verdict=\"not-applicable\""),
	   "... and recycling is not-applicable");
	is_int(reg_review_added_count(rv), 4, "the review remembers the four for the registry");
	free(text);
	reg_review_free(rv);
	reg_dossier_free(cafe);

	reg_dossier *raw = sample("raw.xml");
	reg_dossier_drop_section(raw, "acceptance");
	ok(!reg_review_new(cat, rules, raw, NOW, OFFSET, &err) && reg_err_code(err) == REG_ENO &&
		   err_says(err, "no acceptance number"),
	   "a dossier without an acceptance number cannot be reviewed");
	reg_err_clear(&err);
	reg_dossier_free(raw);

	reg_dossier *m = sample("m.xml");
	rv = reg_review_new(cat, rules, m, NOW, OFFSET, &err);
	const char *why[] = {"照片不清晰"};
	ok(reg_approve_manual(rv, "commerce", "foreign-trade", REG_VERDICT_APPROVED, why, 1, "李明",
			      T2, &err) < 0 && reg_err_code(err) == REG_ENO,
	   "a clerk cannot decide an item that does not apply");
	reg_err_clear(&err);
	ok(reg_approve_manual(rv, "tax", "recycling", REG_VERDICT_APPROVED, why, 1, "李明", T2,
			      &err) < 0 && reg_err_code(err) == REG_EUSAGE,
	   "nor another department's item");
	reg_err_clear(&err);
	ok(reg_approve_manual(rv, "commerce", NULL, REG_VERDICT_SUPPLEMENT, why, 1, "李明", T2,
			      &err) == 1,
	   "without an item: every applicable item of the department (one here)");
	reg_review_free(rv);
	reg_dossier_free(m);
}

static void test_fan_in(void)
{
	reg_dossier *copies[N_DEPTS], *reversed[N_DEPTS];
	for (size_t i = 0; i < N_DEPTS; i++) {
		copies[i] = dept_copy(depts[i], T1);
		reversed[N_DEPTS - 1 - i] = dept_copy(depts[i], T1);
	}
	reg_err *err = NULL;
	ok(merge(copies, N_DEPTS, &err) == 0, "six department copies merge");
	ok(merge(reversed, N_DEPTS, &err) == 0, "... and in the reverse order too");
	char *a = serialize(copies[0]), *b = serialize(reversed[0]);
	is_str(b, a, "the order of the inputs changes nothing");
	ok(strstr(a, "state=\"approved\"") && !strstr(a, "<outstanding"),
	   "every applicable item approved: state approved, nothing outstanding");
	ok(strstr(a, "item=\"business-license\"") < strstr(a, "item=\"org-code\"") &&
		   strstr(a, "item=\"org-code\"") < strstr(a, "item=\"tax-registration\"") &&
		   strstr(a, "item=\"seal-filing\"") < strstr(a, "item=\"security-branch\"") &&
		   strstr(a, "item=\"foreign-trade\"") < strstr(a, "item=\"recycling\""),
	   "approvals sorted by item number");

	/* The same as --all: every department on one copy, then the merge of that one. */
	reg_dossier *one = sample("all.xml");
	reg_review *rv = NULL;
	char digest[65];
	ok(reg_approve_all(cat, rules, one, "reg-approve", T1, NOW, OFFSET, &rv, digest, &err) == 0,
	   "reg_approve_all reviews with every department");
	char *all = serialize(one);
	/* The shipped catalog has 11 departments: the five not in `depts` add not-applicable
	 * answers for items 12-20, which do not change the state. */
	ok(strstr(all, "state=\"approved\"") && count(all, "<approval ") == 20,
	   "... twenty approvals, approved");
	reg_review_free(rv);
	free(all);
	reg_dossier_free(one);

	/* Idempotence: merging a merged dossier again changes no byte. */
	reg_dossier *again = parse(a, "merged.xml");
	ok(merge(&again, 1, &err) == 0, "a merged dossier merges again");
	char *c = serialize(again);
	is_str(c, a, "merging one complete stream is the identity");
	free(c);
	reg_dossier_free(again);

	/* Identical approvals from two copies are kept once. */
	reg_dossier *twice[2] = {parse(a, "x.xml"), parse(a, "y.xml")};
	ok(merge(twice, 2, &err) == 0, "the same merged dossier twice");
	c = serialize(twice[0]);
	is_int(count(c, "<approval "), count(a, "<approval "), "identical approvals kept once");
	free(c);
	reg_dossier_free(twice[0]);
	reg_dossier_free(twice[1]);
	free(a);
	free(b);
	for (size_t i = 0; i < N_DEPTS; i++) {
		reg_dossier_free(copies[i]);
		reg_dossier_free(reversed[i]);
	}
}

static void test_state(void)
{
	reg_err *err = NULL;
	/* Only three departments answered. */
	reg_dossier *part[3] = {dept_copy("amr", T1), dept_copy("tax", T1), dept_copy("commerce", T1)};
	ok(merge(part, 3, &err) == 0, "a partial set of departments merges");
	char *t = serialize(part[0]);
	ok(strstr(t, "state=\"pending\""), "... pending");
	ok(strstr(t, "<wait item=\"social-insurance\" dept=\"hrss\" why=\"no-answer\"/>") &&
		   strstr(t, "<wait item=\"statistics\" dept=\"stats\" why=\"no-answer\"/>") &&
		   strstr(t, "<wait item=\"seal-filing\" dept=\"police\" why=\"no-answer\"/>") &&
		   count(t, "<wait ") == 3,
	   "... waiting for exactly the three missing departments' applicable items");
	free(t);

	/* A supplement asked later supersedes commerce's approval. */
	reg_dossier *full[N_DEPTS];
	for (size_t i = 0; i < N_DEPTS; i++)
		full[i] = dept_copy(depts[i], T1);
	add(full[5], "recycling", "commerce", REG_VERDICT_SUPPLEMENT, T2, "李明", "回收场地照片不清晰",
	    NULL);
	ok(merge(full, N_DEPTS, &err) == 0, "a later supplement request merges");
	t = serialize(full[0]);
	ok(strstr(t, "state=\"pending\"") &&
		   strstr(t, "<wait item=\"recycling\" dept=\"commerce\" why=\"supplement\"/>") &&
		   count(t, "<wait ") == 1,
	   "... the later verdict is in force: pending, waiting for the supplement");
	ok(strstr(t, "<reason>回收场地照片不清晰</reason>"), "... its reason kept");
	free(t);

	/* Then approved again, later still. */
	add(full[0], "recycling", "commerce", REG_VERDICT_APPROVED, "2026-11-25T10:00:00+08:00",
	    "李明", "材料已补正", NULL);
	ok(merge(full, 1, &err) == 0 && reg_dossier_state(full[0]) == REG_STATE_APPROVED,
	   "a still later approval supersedes the supplement: approved");

	/* A rejection anywhere rejects, reasons kept. */
	add(full[0], "tax-registration", "tax", REG_VERDICT_REJECTED, T2, "赵税", "欠缴税款", NULL);
	ok(merge(full, 1, &err) == 0 && reg_dossier_state(full[0]) == REG_STATE_REJECTED,
	   "a later rejection: rejected");
	t = serialize(full[0]);
	ok(strstr(t, "<reason>欠缴税款</reason>") && !strstr(t, "<outstanding"),
	   "... with its reason, and nothing outstanding");
	free(t);

	for (size_t i = 0; i < 3; i++)
		reg_dossier_free(part[i]);
	for (size_t i = 0; i < N_DEPTS; i++)
		reg_dossier_free(full[i]);

	/* A verdict on an item that does not apply counts for nothing. */
	reg_dossier *ok_copies[N_DEPTS];
	for (size_t i = 0; i < N_DEPTS; i++)
		ok_copies[i] = dept_copy(depts[i], T1);
	add(ok_copies[5], "foreign-trade", "commerce", REG_VERDICT_REJECTED, T2, "李明", "无备案表",
	    NULL);
	ok(merge(ok_copies, N_DEPTS, &err) == 0 &&
		   reg_dossier_state(ok_copies[0]) == REG_STATE_APPROVED,
	   "a rejection of an item that does not apply changes nothing: approved");
	for (size_t i = 0; i < N_DEPTS; i++)
		reg_dossier_free(ok_copies[i]);
}

static void test_refusals(void)
{
	reg_err *err = NULL;

	/* The body changed in one department's copy after its review. */
	reg_dossier *c[3] = {dept_copy("amr", T1), dept_copy("commerce", T1), dept_copy("tax", T1)};
	char *before = serialize(c[0]);
	xmlNodeSetContent(reg_dossier_node(c[1], "enterprise/capital"), BAD_CAST "600000.00");
	ok(merge(c, 3, &err) < 0 && reg_err_code(err) == REG_ENO, "a changed body is refused");
	bool named = false;
	for (const reg_err *e = err; e; e = reg_err_next(e))
		named |= reg_err_file(e) && strcmp(reg_err_file(e), "commerce.xml") == 0 &&
			 strstr(reg_err_message(e), "amr.xml") &&
			 strstr(reg_err_message(e), "departments commerce");
	ok(named, "... naming the changed input, the reference input and the department");
	ok(err_says(err, "approval of 'recycling' by 'commerce' was given on another body"),
	   "... and every approval given on the old body is void");
	reg_err_clear(&err);
	char *after = serialize(c[0]);
	is_str(after, before, "a refused dossier is left as it was");
	free(before);
	free(after);
	for (size_t i = 0; i < 3; i++)
		reg_dossier_free(c[i]);

	/* Two verdicts for one item at one instant — also when written in two zones. */
	reg_dossier *x[2] = {dept_copy("commerce", T1), sample("late.xml")};
	add(x[1], "recycling", "commerce", REG_VERDICT_REJECTED, "2026-11-23T02:00:00+00:00", "李明",
	    "不符合", NULL);
	ok(merge(x, 2, &err) < 0 && err_says(err, "conflicting verdicts on 'recycling'"),
	   "two verdicts on one item at the same instant are a conflict");
	ok(err_says(err, "(late.xml:") && err_says(err, "(commerce.xml:") &&
		   err_says(err, "approved by reg-approve") && err_says(err, "rejected by 李明"),
	   "... naming both verdicts, their reviewers and inputs");
	reg_err_clear(&err);
	reg_dossier_free(x[0]);
	reg_dossier_free(x[1]);

	/* Approvals that do not fit the catalog. */
	reg_dossier *y = sample("y.xml");
	add(y, "recycling", "tax", REG_VERDICT_APPROVED, T1, "reg-approve", NULL, NULL);
	add(y, "no-such-item", "tax", REG_VERDICT_APPROVED, T1, "reg-approve", NULL, NULL);
	add(y, "statistics", "stats", REG_VERDICT_APPROVED, "yesterday", "reg-approve", NULL, NULL);
	ok(merge(&y, 1, &err) < 0 && err_says(err, "decided by 'commerce', not by 'tax'") &&
		   err_says(err, "unknown item 'no-such-item'") &&
		   err_says(err, "time 'yesterday' is not ISO 8601"),
	   "an item of another department, an unknown item and a bad time are all reported");
	reg_err_clear(&err);
	reg_dossier_free(y);

	/* An approval whose digest is not the body's (a body changed after review). */
	reg_dossier *z = sample("z.xml");
	add(z, "statistics", "stats", REG_VERDICT_APPROVED, T1, "reg-approve", NULL,
	    "0000000000000000000000000000000000000000000000000000000000000000");
	ok(merge(&z, 1, &err) < 0 && err_says(err, "given on another body"),
	   "an approval on another body is void: the dossier is refused");
	reg_err_clear(&err);
	reg_dossier_free(z);

	/* Already issued. */
	reg_dossier *issued = sample_with("i.xml", "  <issuance uscc=\"91150302MA0000015Y\" "
						   "time=\"2026-11-23T12:00:00+08:00\" "
						   "authority=\"150302\"/>\n");
	ok(merge(&issued, 1, &err) < 0 && err_says(err, "already issued"),
	   "an issued dossier is not merged again");
	reg_err_clear(&err);
	reg_dossier_free(issued);
}

int main(void)
{
	const char *env = getenv("REG_SOURCE_DIR");
	char *schema_dir = NULL, *catalog = NULL;
	const char *src = env && *env ? env : REG_SOURCE_DATADIR;
	if (asprintf(&schema_dir, "%s/schemas", src) < 0 ||
	    asprintf(&catalog, "%s/schemas/catalog.xml", src) < 0)
		return 1;
	reg_xml_init(schema_dir);
	reg_err *err = NULL;
	if (!(cat = reg_catalog_load(catalog, schema_dir, &err)) || !(rules = reg_rules_new(&err))) {
		reg_err_print(err, "test_merge", stderr);
		return 1;
	}
	test_review();
	test_fan_in();
	test_state();
	test_refusals();
	reg_rules_free(rules);
	reg_catalog_free(cat);
	free(schema_dir);
	free(catalog);
	reg_xml_cleanup();
	return tap_done();
}
