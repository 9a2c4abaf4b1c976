/*
 * test_ledger — the registry decides (libreg/ledger.h), on one dossier of the shipped catalog: a
 * recycling company, to which items 1-6 and 10 apply.  With it the signed statements
 * (libreg/verdict.h), the departments' reviews that make them (libreg/approve.h), the union of
 * copies (libreg/merge.h) and reg-merge's fan-in (libreg/fanin.h).
 *
 * What users rely on: a department's verdicts are signed as one statement anyone can rebuild
 * from the XML; a verdict counts only when the registry recorded it after checking its
 * signature (or when it is this process's own); no forged, altered, unsigned, replayed or
 * wrong-department verdict gets in, and a refusal changes nothing; the state follows from what
 * is recorded, a rejection is final and releases the name; a supplement voids exactly the
 * verdicts whose materials changed; copies merge the same in any order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "approve.h"
#include "authority.h"
#include "catalog.h"
#include "configuration.h"
#include "dossier.h"
#include "fanin.h"
#include "keyring.h"
#include "ledger.h"
#include "merge.h"
#include "regkit-config.h"
#include "registry.h"
#include "rules.h"
#include "tap.h"
#include "verdict.h"
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
	"  <acceptance number=\"%s\" window=\"01\" clerk=\"王芳\" "
	"time=\"2026-11-23T09:00:00+08:00\" authority=\"150302\"/>\n"
	"</dossier>\n";

static const char NUMBER[] = "150302-20261123-000002";
static const char T1[] = "2026-11-23T10:00:00+08:00";
static const char T2[] = "2026-11-24T10:00:00+08:00";
static const int OFFSET = 480;
static const long long NOW = 1795399200; /* 2026-11-23T10:00:00+08:00 */

static const char *src;
static char tmpdir[256];
static reg_catalog *cat;
static reg_rules *rules;
static reg_authority *auth;
static reg_keyring *keys;

static const char *const depts[] = {"amr", "tax", "hrss", "stats", "police", "commerce"};
#define N_DEPTS (sizeof depts / sizeof *depts)

static void die(reg_err *err, const char *what)
{
	diag("%s: %s", what, err ? reg_err_message(err) : "(no error)");
	reg_err_print(err, "test_ledger", stdout);
	abort();
}

static reg_dossier *parse(const char *text, const char *file)
{
	reg_err *err = NULL;
	xmlDoc *doc = reg_xml_parse_memory(text, strlen(text), file, &err);
	reg_dossier *d = doc ? reg_dossier_adopt(doc, file, 3, &err) : NULL;
	if (!d)
		die(err, "parse");
	return d;
}

static reg_dossier *sample_numbered(const char *file, const char *number)
{
	char *text = NULL;
	if (asprintf(&text, body, number) < 0)
		abort();
	reg_dossier *d = parse(text, file);
	free(text);
	return d;
}

static reg_dossier *sample(const char *file) { return sample_numbered(file, NUMBER); }

static char *serialize(reg_dossier *d)
{
	char *out = NULL;
	size_t len = 0;
	if (reg_xml_serialize(reg_dossier_doc(d), &out, &len, NULL) < 0)
		abort();
	return out;
}

static const reg_sign_key *key_of(const char *dept)
{
	const reg_sign_key *k = reg_keyring_signer(keys, dept, NOW);
	if (!k)
		die(NULL, dept);
	return k;
}

/* A department's automatic review of a fresh copy, signed, as reg-approve --dept writes it. */
static reg_dossier *dept_copy(const char *dept, const char *time)
{
	char file[64];
	snprintf(file, sizeof file, "%s.xml", dept);
	reg_dossier *d = sample(file);
	reg_err *err = NULL;
	reg_review *rv = reg_review_new(cat, rules, d, NOW, OFFSET, &err);
	if (!rv || reg_approve_dept(rv, dept, REG_APPROVE_REVIEWER, time, key_of(dept), &err) < 0)
		die(err, "review");
	reg_review_free(rv);
	reg_dossier *one[1] = {d};
	if (reg_merge_approvals(cat, OFFSET, one, 1, &err) < 0)
		die(err, "order");
	return d;
}

/* A clerk's signed decision on one item (signer: `as`, normally the item's department). */
static void decide(reg_dossier *d, const char *dept, const char *item, reg_verdict v,
		   const char *time, const char *reason, const char *as)
{
	reg_err *err = NULL;
	const char *reasons[1] = {reason};
	reg_review *rv = reg_review_new(cat, rules, d, NOW, OFFSET, &err);
	if (!rv || reg_approve_manual(rv, dept, item, v, reasons, 1, "李明", time,
				      key_of(as ? as : dept), &err) < 0)
		die(err, "decide");
	reg_review_free(rv);
}

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

static bool *applicable(reg_dossier *d)
{
	reg_err *err = NULL;
	bool *applies = calloc(reg_catalog_item_count(cat) + 1, sizeof *applies);
	if (!applies || reg_rules_bind(rules, d, NOW, OFFSET, &err) < 0 ||
	    reg_applicable_items(cat, rules, d, applies, &err) < 0)
		die(err, "applicable");
	return applies;
}

/* ---- reviews and statements ----------------------------------------------------------------- */

static void test_review(void)
{
	reg_dossier *d = dept_copy("commerce", T1);
	char *text = serialize(d);
	ok(strstr(text, "item=\"recycling\" dept=\"commerce\" verdict=\"approved\""),
	   "commerce approves item 10 for a scope with 再生资源回收");
	is_int(count(text, "<approval "), 1, "and gives no verdict on its items that do not apply");
	ok(strstr(text, "signature=\""), "the verdict carries its signature");
	free(text);
	reg_dossier_free(d);

	reg_err *err = NULL;
	reg_dossier *m = sample("m.xml");
	reg_review *rv = reg_review_new(cat, rules, m, NOW, OFFSET, &err);
	ok(rv && reg_approve_dept(rv, "commerce", "reg-approve", T1, NULL, &err) < 0 &&
		   reg_err_code(err) == REG_ECONFIG && err_says(err, "no private key of department"),
	   "without its key a department cannot answer");
	reg_err_clear(&err);
	ok(reg_review_added_count(rv) == 0 && !reg_dossier_section(m, "approvals", false),
	   "... and nothing was added");
	const char *why[] = {"照片不清晰"};
	ok(reg_approve_manual(rv, "commerce", "foreign-trade", REG_VERDICT_APPROVED, why, 1, "李明",
			      T2, key_of("commerce"), &err) < 0 && reg_err_code(err) == REG_ENO,
	   "a clerk cannot decide an item that does not apply");
	reg_err_clear(&err);
	ok(reg_approve_manual(rv, "tax", "recycling", REG_VERDICT_APPROVED, why, 1, "李明", T2,
			      key_of("tax"), &err) < 0 && reg_err_code(err) == REG_EUSAGE,
	   "nor another department's item");
	reg_err_clear(&err);
	ok(reg_approve_manual(rv, "commerce", NULL, REG_VERDICT_SUPPLEMENT, why, 1, "李明", T2,
			      key_of("commerce"), &err) == 1,
	   "without an item: every applicable item of the department (one here)");
	reg_review_free(rv);
	reg_dossier_free(m);
}

static void test_statement(void)
{
	char *reasons[] = {"a\\b\nc\td\x01", "第二"};
	reg_approval a = {.item = "recycling", .dept = "commerce", .reviewer = "李明",
			  .time = "2026-11-23T10:00:00+08:00", .digest = "ab",
			  .verdict = REG_VERDICT_SUPPLEMENT, .reasons = reasons, .n_reasons = 2};
	reg_approval b = a;
	b.item = "foreign-trade";
	b.verdict = REG_VERDICT_APPROVED;
	b.n_reasons = 0;
	const reg_approval *group[] = {&a, &b};
	char *text = NULL;
	size_t len = 0;
	reg_err *err = NULL;
	ok(reg_statement_text("150302-20261123-000002", group, 2, &text, &len, &err) == 0,
	   "a statement is made");
	is_str(text,
	       "regkit-verdicts/1\n"
	       "dossier: 150302-20261123-000002\n"
	       "department: commerce\n"
	       "body-digest: ab\n"
	       "time: 2026-11-23T10:00:00+08:00\n"
	       "reviewer: 李明\n"
	       "item: foreign-trade approved\n"
	       "item: recycling supplement\n"
	       "reason: a\\\\b\\nc\\td\\x01\n"
	       "reason: 第二\n",
	       "exactly docs/signatures.md's form: items by id, values escaped");
	char *back = reg_statement_unescape("a\\\\b\\nc\\td\\x01", strlen("a\\\\b\\nc\\td\\x01"));
	is_str(back, reasons[0], "escaping is undone exactly");
	free(back);
	ok(!reg_statement_unescape("x\\q", 3), "an unknown escape is not a value");
	free(text);

	unsigned char sig[REG_SIG_LEN] = {1, 2, 3};
	char b64[REG_SIGNATURE_B64_LEN + 1];
	reg_signature_encode(sig, b64);
	unsigned char again[REG_SIG_LEN];
	ok(reg_signature_decode(b64, again) == 0 && memcmp(sig, again, sizeof sig) == 0,
	   "a signature round-trips through base64");
	b64[0] = '*';
	ok(reg_signature_decode(b64, again) < 0, "a broken base64 signature does not decode");
	ok(reg_signature_decode("AAAA", again) < 0, "nor a short one");

	/* Signed by commerce: valid; then each part changed. */
	reg_dossier *d = dept_copy("commerce", T1);
	reg_approval *list = NULL;
	size_t n = 0;
	if (reg_dossier_approvals(d, &list, &n, &err) < 0 || n != 1)
		die(err, "approvals");
	const reg_approval *one[] = {&list[0]};
	reg_key_verdict kv;
	const char *other = NULL;
	char fp[65] = "";
	ok(reg_statement_check(keys, NUMBER, one, 1, NOW, &kv, fp, &other, &err) == 0 &&
		   kv == REG_KEY_VALID && strlen(fp) == 64,
	   "the department's signature verifies, naming its key");
	ok(reg_statement_check(keys, "150302-20261123-000009", one, 1, NOW, &kv, NULL, &other,
			       &err) == 0 && kv == REG_KEY_MISMATCH,
	   "the same verdict for another dossier does not");
	list[0].verdict = REG_VERDICT_REJECTED;
	ok(reg_statement_check(keys, NUMBER, one, 1, NOW, &kv, NULL, &other, &err) == 0 &&
		   kv == REG_KEY_MISMATCH, "a flipped verdict does not");
	list[0].verdict = REG_VERDICT_APPROVED;
	list[0].dept[0] = 't'; /* "commerce" → "tommerce": not even a department */
	ok(reg_statement_check(keys, NUMBER, one, 1, NOW, &kv, NULL, &other, &err) == 0 &&
		   kv == REG_KEY_NO_KEY, "a department the authority lists no key for");
	free(list[0].dept);
	list[0].dept = strdup("tax");
	ok(reg_statement_check(keys, NUMBER, one, 1, NOW, &kv, NULL, &other, &err) == 0 &&
		   kv == REG_KEY_MISMATCH,
	   "commerce's verdict passed off as tax's matches no key (the department is signed)");
	ok(reg_statement_check(keys, NUMBER, one, 1, 0, &kv, NULL, &other, &err) == 0 &&
		   kv == REG_KEY_NO_KEY, "no key covers a time before any key's period");
	reg_approval_list_free(list, n);
	reg_dossier_free(d);
}

/* ---- union and counting --------------------------------------------------------------------- */

static void test_union(void)
{
	reg_dossier *copies[N_DEPTS], *reversed[N_DEPTS];
	for (size_t i = 0; i < N_DEPTS; i++) {
		copies[i] = dept_copy(depts[i], T1);
		reversed[N_DEPTS - 1 - i] = dept_copy(depts[i], T1);
	}
	reg_err *err = NULL;
	ok(reg_merge_approvals(cat, OFFSET, copies, N_DEPTS, &err) == 0, "six copies unite");
	ok(reg_merge_approvals(cat, OFFSET, reversed, N_DEPTS, &err) == 0, "... in reverse too");
	char *a = serialize(copies[0]), *b = serialize(reversed[0]);
	is_str(b, a, "the order of the inputs changes nothing");
	is_int(count(a, "<approval "), 7, "one verdict per applicable item");
	ok(strstr(a, "item=\"business-license\"") < strstr(a, "item=\"org-code\"") &&
		   strstr(a, "item=\"seal-filing\"") < strstr(a, "item=\"recycling\""),
	   "approvals sorted by item number");
	reg_dossier *again = parse(a, "merged.xml");
	ok(reg_merge_approvals(cat, OFFSET, &again, 1, &err) == 0, "a united dossier unites again");
	char *c = serialize(again);
	is_str(c, a, "uniting one complete copy is the identity");
	free(c);
	reg_dossier_free(again);

	reg_dossier *x[2] = {dept_copy("commerce", T1), sample("late.xml")};
	decide(x[1], "commerce", "recycling", REG_VERDICT_REJECTED, "2026-11-23T02:00:00+00:00",
	       "不符合", NULL);
	ok(reg_merge_approvals(cat, OFFSET, x, 2, &err) < 0 &&
		   err_says(err, "conflicting verdicts on 'recycling'") && err_says(err, "(late.xml:"),
	   "two verdicts on one item at the same instant, written in two zones, conflict");
	reg_err_clear(&err);
	reg_dossier_free(x[0]);
	reg_dossier_free(x[1]);
	free(a);
	free(b);
	for (size_t i = 0; i < N_DEPTS; i++) {
		reg_dossier_free(copies[i]);
		reg_dossier_free(reversed[i]);
	}
}

static reg_state assess_of(reg_dossier *d, reg_assessment *as)
{
	reg_err *err = NULL;
	reg_approval *list = NULL;
	size_t n = 0;
	bool *applies = applicable(d);
	if (reg_dossier_approvals(d, &list, &n, &err) < 0 ||
	    reg_assess(cat, applies, list, n, NULL, OFFSET, as, &err) < 0)
		die(err, "assess");
	reg_approval_list_free(list, n);
	free(applies);
	return as->state;
}

static void test_assess(void)
{
	reg_err *err = NULL;
	reg_assessment as = {0};
	reg_dossier *part[3] = {dept_copy("amr", T1), dept_copy("tax", T1), dept_copy("commerce", T1)};
	reg_merge_approvals(cat, OFFSET, part, 3, &err);
	ok(assess_of(part[0], &as) == REG_STATE_PENDING, "three departments answered: pending");
	ok(reg_assessment_write(cat, &as, part[0], &err) == 0, "the waits are written");
	char *t = serialize(part[0]);
	ok(strstr(t, "<wait item=\"social-insurance\" dept=\"hrss\" why=\"no-answer\"/>") &&
		   strstr(t, "<wait item=\"seal-filing\" dept=\"police\" why=\"no-answer\"/>") &&
		   count(t, "<wait ") == 3 && strstr(t, "state=\"pending\""),
	   "... waiting for exactly the missing departments' applicable items");
	free(t);
	reg_assessment_clear(&as);

	reg_dossier *full[N_DEPTS];
	for (size_t i = 0; i < N_DEPTS; i++)
		full[i] = dept_copy(depts[i], T1);
	reg_merge_approvals(cat, OFFSET, full, N_DEPTS, &err);
	ok(assess_of(full[0], &as) == REG_STATE_APPROVED, "every department approved: approved");
	reg_assessment_clear(&as);
	decide(full[0], "commerce", "recycling", REG_VERDICT_SUPPLEMENT, T2, "照片不清晰", NULL);
	ok(assess_of(full[0], &as) == REG_STATE_PENDING &&
		   as.status[9] == REG_ITEM_SUPPLEMENT, "a later supplement request is in force");
	reg_assessment_clear(&as);
	decide(full[0], "commerce", "recycling", REG_VERDICT_REJECTED, "2026-11-25T10:00:00+08:00",
	       "场地不符", NULL);
	ok(assess_of(full[0], &as) == REG_STATE_APPROVED && as.status[9] == REG_ITEM_REFUSED,
	   "a rejected recycling filing refuses only itself: the establishment is approved");
	char *detail = reg_assessment_detail(cat, &as);
	is_str(detail, "every applicable item approved; refused: recycling", "the event says so");
	free(detail);
	reg_assessment_clear(&as);
	decide(full[0], "tax", "tax-registration", REG_VERDICT_REJECTED, T2, "欠缴税款", NULL);
	ok(assess_of(full[0], &as) == REG_STATE_REJECTED && as.status[2] == REG_ITEM_REJECTED,
	   "a rejected tax registration refuses the establishment");
	reg_assessment_clear(&as);
	for (size_t i = 0; i < 3; i++)
		reg_dossier_free(part[i]);
	for (size_t i = 0; i < N_DEPTS; i++)
		reg_dossier_free(full[i]);
}

/* ---- over the registry ---------------------------------------------------------------------- */

static char *db_path(const char *stem)
{
	char *p = NULL;
	static int n;
	if (asprintf(&p, "%s/%s-%d.db", tmpdir, stem, ++n) < 0)
		abort();
	return p;
}

/* A registry holding the sample as accepted (numbers: NUMBER and any others given). */
static reg_registry *registry_with(const char *path, const char *const *numbers, size_t n)
{
	reg_err *err = NULL;
	reg_registry *reg = reg_registry_open(path, &err);
	if (!reg)
		die(err, "open");
	for (size_t i = 0; i < n; i++) {
		reg_dossier *d = sample_numbered("x.xml", numbers[i]);
		char digest[65], enterprise[65], *materials = NULL, *text = serialize(d);
		char name[128];
		snprintf(name, sizeof name, "乌海市绿源再生资源有限公司%zu", i);
		if (reg_dossier_body_digest(d, digest, &err) < 0 ||
		    reg_ledger_body_facts(d, enterprise, &materials, &err) < 0)
			die(err, "facts");
		reg_registry_dossier row = {.number = numbers[i], .name = i ? name : "乌海市绿源再生资源有限公司",
					    .authority = "150302", .state = "accepted",
					    .accepted_at = NOW - 3600};
		reg_registry_body b = {.digest = digest, .body = text, .enterprise_digest = enterprise,
				       .materials = materials, .recorded_at = NOW - 3600};
		if (reg_registry_add_dossier(reg, &row, &b, &err) < 0 ||
		    reg_registry_reserve_name(reg, "150302", row.name, numbers[i], NOW, &err) < 0)
			die(err, "add");
		free(materials);
		free(text);
		reg_dossier_free(d);
	}
	return reg;
}

static int64_t rows(reg_registry *reg, const char *table)
{
	int64_t n = -1;
	reg_err *err = NULL;
	if (reg_registry_count(reg, table, &n, &err) < 0)
		die(err, "count");
	return n;
}

/* Admit d's approvals (own: none) in one transaction; the state settled; 0 or -1 with *errp. */
static int admit(reg_ledger *l, reg_registry *reg, reg_dossier *d, const bool *own,
		 reg_state *state, reg_err **errp)
{
	reg_approval *list = NULL;
	size_t n = 0, added = 0;
	reg_assessment as = {0};
	bool *applies = applicable(d);
	reg_ledger_record *rec = NULL;
	char *number = reg_dossier_number(d);
	int rc = -1;
	if (reg_registry_begin(reg, errp) < 0)
		goto out;
	if (reg_dossier_approvals(d, &list, &n, errp) < 0 ||
	    !(rec = reg_ledger_read(l, reg, number, true, errp)) ||
	    reg_ledger_admit(l, reg, rec, list, n, own, &added, errp) < 0 ||
	    reg_ledger_assess(l, rec, applies, &as, errp) < 0 ||
	    reg_ledger_settle(l, reg, rec, &as, NOW, added > 0, NULL, errp) < 0 ||
	    reg_ledger_write_view(l, rec, &as, d, errp) < 0 || reg_registry_commit(reg, errp) < 0)
		goto out;
	if (state)
		*state = reg_ledger_state(rec);
	rc = 0;
out:
	if (rc < 0)
		reg_registry_rollback(reg, NULL);
	reg_ledger_record_free(rec);
	reg_assessment_clear(&as);
	reg_approval_list_free(list, n);
	free(applies);
	free(number);
	return rc;
}

static reg_dossier *all_depts(void)
{
	reg_dossier *copies[N_DEPTS];
	for (size_t i = 0; i < N_DEPTS; i++)
		copies[i] = dept_copy(depts[i], T1);
	reg_err *err = NULL;
	if (reg_merge_approvals(cat, OFFSET, copies, N_DEPTS, &err) < 0)
		die(err, "unite");
	for (size_t i = 1; i < N_DEPTS; i++)
		reg_dossier_free(copies[i]);
	return copies[0];
}

/* A refusal: the call fails with REG_ENO saying `what`, and no row or event is added. */
static void refused(reg_ledger *l, reg_registry *reg, reg_dossier *d, const char *what,
		    const char *desc)
{
	reg_err *err = NULL;
	int64_t a = rows(reg, "approvals"), e = rows(reg, "events");
	int rc = admit(l, reg, d, NULL, NULL, &err);
	ok(rc < 0 && reg_err_code(err) == REG_ENO && err_says(err, what), "%s", desc);
	if (rc == 0 || !err_says(err, what))
		diag("got: %s", err ? reg_err_message(err) : "success");
	ok(rows(reg, "approvals") == a && rows(reg, "events") == e, "... and the registry is as it was");
	reg_err_clear(&err);
}

static void test_admission(void)
{
	reg_err *err = NULL;
	const char *numbers[] = {NUMBER, "150302-20261123-000003"};
	char *path = db_path("admit");
	reg_registry *reg = registry_with(path, numbers, 2);
	reg_ledger *l = reg_ledger_new(cat, keys, OFFSET, &err);
	reg_state state = REG_STATE_NONE;

	/* Forgeries first, on a fresh dossier. */
	reg_dossier *f = sample("forged.xml");
	char own_digest[65];
	reg_dossier_body_digest(f, own_digest, NULL);
	reg_approval bare = {.item = "tax-registration", .dept = "tax", .reviewer = "x",
			     .time = (char *)T1, .digest = own_digest, .verdict = REG_VERDICT_APPROVED};
	reg_dossier_add_approval(f, &bare, NULL);
	refused(l, reg, f, "is not signed", "an unsigned verdict is refused");
	reg_dossier_free(f);

	f = sample("wrongkey.xml");
	decide(f, "tax", "tax-registration", REG_VERDICT_APPROVED, T1, "ok", "commerce");
	refused(l, reg, f, "signed with the key of 'commerce', not of 'tax'",
		"a verdict signed with another department's key is refused, naming it");
	reg_dossier_free(f);

	f = dept_copy("tax", T1);
	xmlNode *v = reg_xml_child(reg_dossier_section(f, "approvals", false), REG_NS_DOSSIER,
				   "approval");
	xmlSetProp(v, BAD_CAST "verdict", BAD_CAST "rejected");
	refused(l, reg, f, "signature that does not match", "an edited verdict is refused");
	reg_dossier_free(f);

	/* Approvals copied from another dossier (of another body). */
	reg_dossier *other = sample_numbered("other.xml", "150302-20261123-000003");
	xmlNodeSetContent(reg_dossier_node(other, "enterprise/capital"), BAD_CAST "600000.00");
	reg_review *rv = reg_review_new(cat, rules, other, NOW, OFFSET, &err);
	reg_approve_dept(rv, "tax", "reg-approve", T1, key_of("tax"), &err);
	reg_review_free(rv);
	f = sample("replay.xml");
	xmlNode *list = reg_dossier_section(other, "approvals", false);
	xmlAddChild(reg_dossier_section(f, "approvals", true),
		    xmlDocCopyNode(reg_xml_child(list, REG_NS_DOSSIER, "approval"),
				   reg_dossier_doc(f), 1));
	refused(l, reg, f, "a body the registry does not hold",
		"a verdict replayed from another dossier's body is refused");
	reg_dossier_free(f);
	reg_dossier_free(other);

	/* Genuine foreign verdicts are recorded with the key that proved them. */
	reg_dossier *d = dept_copy("tax", T1);
	ok(admit(l, reg, d, NULL, &state, &err) == 0 && state == REG_STATE_PENDING,
	   "tax's signed verdict is admitted: pending");
	reg_err_clear(&err);
	is_int(rows(reg, "approvals"), 1, "one verdict recorded");
	reg_ledger_record *rec = reg_ledger_read(l, reg, NUMBER, false, &err);
	ok(rec && reg_ledger_verdict_count(rec) == 1 && reg_ledger_verdicts(rec)[0].signature,
	   "the record holds it with its signature");
	reg_ledger_record_free(rec);

	/* Recorded once: the same verdict again needs no key at all. */
	reg_ledger *blind = reg_ledger_new(cat, NULL, OFFSET, &err);
	ok(admit(blind, reg, d, NULL, &state, &err) == 0, "a recorded verdict is not checked again");
	reg_err_clear(&err);
	is_int(rows(reg, "approvals"), 1, "nor recorded twice");
	reg_dossier *c = dept_copy("commerce", T1);
	refused(blind, reg, c, "cannot be verified here",
		"with no keys, a verdict not yet recorded cannot get in");
	reg_ledger_free(blind);

	/* A recorded verdict with its reason changed. */
	reg_dossier *s = sample("supp.xml");
	decide(s, "commerce", "recycling", REG_VERDICT_SUPPLEMENT, "2026-11-23T11:00:00+08:00",
	       "照片不清晰", NULL);
	ok(admit(l, reg, s, NULL, &state, &err) == 0 && state == REG_STATE_PENDING,
	   "commerce asks for a supplement");
	reg_err_clear(&err);
	xmlNode *reason = reg_xml_child(reg_xml_child(reg_dossier_section(s, "approvals", false),
						      REG_NS_DOSSIER, "approval"),
					REG_NS_DOSSIER, "reason");
	for (xmlNode *a = reg_xml_child(reg_dossier_section(s, "approvals", false), REG_NS_DOSSIER,
					 "approval");
	     a; a = reg_xml_next_sibling(a, REG_NS_DOSSIER, "approval")) {
		char *item = reg_xml_attr(a, "item");
		if (item && strcmp(item, "recycling") == 0)
			reason = reg_xml_child(a, REG_NS_DOSSIER, "reason");
		free(item);
	}
	xmlNodeSetContent(reason, BAD_CAST "无需补正");
	refused(l, reg, s, "differs from the one the registry recorded",
		"a recorded verdict whose reason was changed is refused");
	reg_dossier_free(s);

	/* Everyone approves: approved, and the view is the record. */
	reg_dossier *all = all_depts();
	ok(admit(l, reg, all, NULL, &state, &err) == 0 && state == REG_STATE_PENDING,
	   "every department's approval admitted; commerce's later supplement stays in force");
	reg_err_clear(&err);
	decide(all, "commerce", "recycling", REG_VERDICT_APPROVED, T2, "材料已补正", NULL);
	ok(admit(l, reg, all, NULL, &state, &err) == 0 && state == REG_STATE_APPROVED,
	   "commerce's later approval: approved");
	reg_err_clear(&err);
	char *view = serialize(all);
	ok(strstr(view, "state=\"approved\"") && count(view, "<approval ") == 9 &&
		   strstr(view, "<reason>照片不清晰</reason>"),
	   "the view holds every recorded verdict, the superseded supplement with its reason");
	free(view);

	/* A rejection is final, and gives the name back. */
	bool taken = true;
	decide(all, "tax", "tax-registration", REG_VERDICT_REJECTED, "2026-11-25T10:00:00+08:00",
	       "欠缴税款", NULL);
	ok(admit(l, reg, all, NULL, &state, &err) == 0 && state == REG_STATE_REJECTED,
	   "tax rejects: rejected");
	reg_err_clear(&err);
	reg_registry_name_taken(reg, "150302", "乌海市绿源再生资源有限公司", &taken, &err);
	ok(!taken, "a rejected dossier releases its name");
	decide(all, "tax", "tax-registration", REG_VERDICT_APPROVED, "2026-11-26T10:00:00+08:00",
	       "复核通过", NULL);
	refused(l, reg, all, "a rejection is final", "no verdict after a rejection changes it");
	reg_dossier_free(all);
	reg_dossier_free(c);
	reg_dossier_free(d);
	reg_ledger_free(l);
	reg_registry_free(reg);
	free(path);
}

static void test_versions(void)
{
	reg_err *err = NULL;
	const char *numbers[] = {NUMBER};
	char *path = db_path("versions");
	reg_registry *reg = registry_with(path, numbers, 1);
	reg_ledger *l = reg_ledger_new(cat, keys, OFFSET, &err);
	reg_state state;
	reg_dossier *all = all_depts();
	ok(admit(l, reg, all, NULL, &state, &err) == 0 && state == REG_STATE_APPROVED,
	   "every department approved version 1");
	reg_err_clear(&err);

	/* The applicant brings the recycling-site proof: version 2, one material more. */
	reg_dossier *v2 = sample("v2.xml");
	xmlNode *m = xmlNewChild(reg_dossier_section(v2, "materials", false), NULL,
				 BAD_CAST "material", NULL);
	xmlSetNs(m, reg_dossier_root(v2)->ns);
	xmlSetProp(m, BAD_CAST "type", BAD_CAST "recycling-site-proof");
	xmlSetProp(m, BAD_CAST "sha256", BAD_CAST "5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c"
						 "5f0c5f0c5f0c");
	char digest[65], enterprise[65], *materials = NULL, *text = serialize(v2);
	reg_dossier_body_digest(v2, digest, NULL);
	reg_ledger_body_facts(v2, enterprise, &materials, NULL);
	reg_registry_body b = {.number = NUMBER, .digest = digest, .body = text,
			       .enterprise_digest = enterprise, .materials = materials,
			       .recorded_at = NOW + 60};
	int64_t version = 0;
	ok(reg_registry_add_body(reg, &b, &version, &err) == 0 && version == 2,
	   "the registry records version 2 of the body");
	reg_err_clear(&err);
	reg_ledger_record *rec = reg_ledger_read(l, reg, NUMBER, false, &err);
	reg_assessment as = {0};
	bool *applies = applicable(v2);
	ok(rec && reg_ledger_assess(l, rec, applies, &as, &err) == 0 &&
		   as.state == REG_STATE_PENDING && as.status[9] == REG_ITEM_NO_ANSWER &&
		   as.status[2] == REG_ITEM_APPROVED && as.status[0] == REG_ITEM_APPROVED,
	   "only commerce, whose recycling filing uses that material, must review again");
	reg_assessment_clear(&as);
	reg_ledger_record_free(rec);
	free(materials);
	free(text);

	/* A change to the enterprise itself voids every verdict. */
	xmlNodeSetContent(reg_dossier_node(v2, "enterprise/capital"), BAD_CAST "800000.00");
	text = serialize(v2);
	reg_dossier_body_digest(v2, digest, NULL);
	reg_ledger_body_facts(v2, enterprise, &materials, NULL);
	b = (reg_registry_body){.number = NUMBER, .digest = digest, .body = text,
				.enterprise_digest = enterprise, .materials = materials,
				.recorded_at = NOW + 120};
	reg_registry_add_body(reg, &b, &version, &err);
	rec = reg_ledger_read(l, reg, NUMBER, false, &err);
	size_t waiting = 0;
	if (rec && reg_ledger_assess(l, rec, applies, &as, &err) == 0)
		for (size_t k = 0; k < as.n_items; k++)
			waiting += as.status[k] == REG_ITEM_NO_ANSWER;
	is_int(waiting, 7, "a changed capital voids all seven verdicts");
	reg_assessment_clear(&as);
	reg_ledger_record_free(rec);
	free(applies);
	free(materials);
	free(text);
	reg_dossier_free(v2);
	reg_dossier_free(all);
	reg_ledger_free(l);
	reg_registry_free(reg);
	free(path);
}

/* ---- reg-merge's fan-in ----------------------------------------------------------------------- */

static void write_file(const char *path, reg_dossier *d)
{
	char *text = serialize(d);
	FILE *fp = fopen(path, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
		abort();
	free(text);
}

static char *slurp(const char *path)
{
	reg_err *err = NULL;
	FILE *fp = fopen(path, "r");
	char *out = NULL;
	size_t len = 0;
	if (!fp || reg_read_all(fp, path, 1 << 20, &out, &len, &err) < 0)
		die(err, path);
	fclose(fp);
	return out;
}

static void test_fanin(void)
{
	reg_err *err = NULL;
	const char *numbers[] = {NUMBER};
	char *path = db_path("fanin");
	reg_registry_free(registry_with(path, numbers, 1));
	char *inputs[N_DEPTS], *reversed[N_DEPTS], out1[300], out2[300];
	for (size_t i = 0; i < N_DEPTS; i++) {
		reg_dossier *d = dept_copy(depts[i], T1);
		if (asprintf(&inputs[i], "%s/%s.xml", tmpdir, depts[i]) < 0)
			abort();
		write_file(inputs[i], d);
		reversed[N_DEPTS - 1 - i] = inputs[i];
		reg_dossier_free(d);
	}
	snprintf(out1, sizeof out1, "%s/merged1.xml", tmpdir);
	snprintf(out2, sizeof out2, "%s/merged2.xml", tmpdir);
	reg_config *cfg = reg_config_new();
	reg_config_set(cfg, REG_CFG_DB, path);
	reg_config_set(cfg, REG_CFG_NOW, T2);
	ok(reg_fanin_run(cfg, inputs, N_DEPTS, out1, "test", &err) == 0,
	   "six departments' streams merge");
	reg_err_clear(&err);
	ok(reg_fanin_run(cfg, reversed, N_DEPTS, out2, "test", &err) == 0,
	   "... and again, in the reverse order, on the same registry");
	reg_err_clear(&err);
	char *a = slurp(out1), *b = slurp(out2);
	is_str(b, a, "the same bytes whichever input comes first");
	ok(strstr(a, "state=\"approved\"") && count(a, "<approval ") == 7,
	   "the ledger's view: approved, seven verdicts");
	free(a);
	free(b);

	/* One stream edited on its way back: the dossier is refused by name, nothing recorded. */
	reg_dossier *t = dept_copy("tax", T2);
	xmlNode *v = reg_xml_child(reg_dossier_section(t, "approvals", false), REG_NS_DOSSIER,
				   "approval");
	xmlSetProp(v, BAD_CAST "reviewer", BAD_CAST "someone");
	write_file(inputs[1], t);
	reg_dossier_free(t);
	reg_registry *reg = reg_registry_open_existing(path, &err);
	int64_t before = rows(reg, "approvals");
	ok(reg_fanin_run(cfg, inputs, N_DEPTS, out1, "test", &err) < 0 &&
		   reg_err_code(err) == REG_ENO && err_says(err, "1 of 1 dossiers refused"),
	   "an edited stream refuses its dossier");
	reg_err_clear(&err);
	is_int(rows(reg, "approvals"), before, "... and records nothing");
	reg_registry_free(reg);
	reg_config_free(cfg);
	for (size_t i = 0; i < N_DEPTS; i++)
		free(inputs[i]);
	free(path);
}

int main(void)
{
	const char *env = getenv("REG_SOURCE_DIR");
	char *schema_dir = NULL, *catalog = NULL, *authority = NULL;
	src = env && *env ? env : REG_SOURCE_DATADIR;
	if (asprintf(&schema_dir, "%s/schemas", src) < 0 ||
	    asprintf(&catalog, "%s/schemas/catalog.xml", src) < 0 ||
	    asprintf(&authority, "%s/fixtures/authority/authority.xml", src) < 0)
		return 1;
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/test-ledger-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		return 1;
	reg_xml_init(schema_dir);
	reg_err *err = NULL;
	if (!(cat = reg_catalog_load(catalog, schema_dir, &err)) || !(rules = reg_rules_new(&err)) ||
	    !(auth = reg_authority_load(authority, &err)) || !(keys = reg_keyring_new(auth, &err)) ||
	    reg_keyring_load_signers(keys, NULL, 0, NOW, &err) < 0)
		die(err, "setup");
	test_review();
	test_statement();
	test_union();
	test_assess();
	test_admission();
	test_versions();
	test_fanin();
	reg_keyring_free(keys);
	reg_authority_free(auth);
	reg_rules_free(rules);
	reg_catalog_free(cat);
	free(schema_dir);
	free(catalog);
	free(authority);
	char *cmd = NULL;
	if (asprintf(&cmd, "rm -rf -- '%s'", tmpdir) >= 0 && system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	free(cmd);
	reg_xml_cleanup();
	return tap_done();
}
