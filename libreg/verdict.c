#include "verdict.h"

#include "clock.h"
#include "i18n.h"
#include "hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

void reg_signature_encode(const unsigned char sig[REG_SIG_LEN],
			  char out[REG_SIGNATURE_B64_LEN + 1])
{
	EVP_EncodeBlock((unsigned char *)out, sig, REG_SIG_LEN);
	out[REG_SIGNATURE_B64_LEN] = '\0';
}

int reg_signature_decode(const char *text, unsigned char sig[REG_SIG_LEN])
{
	unsigned char raw[REG_SIGNATURE_B64_LEN];
	if (!text || strlen(text) != REG_SIGNATURE_B64_LEN ||
	    text[REG_SIGNATURE_B64_LEN - 2] != '=' || text[REG_SIGNATURE_B64_LEN - 1] != '=')
		return -1;
	/* EVP_DecodeBlock counts the two padding characters as decoded zero bytes. */
	if (EVP_DecodeBlock(raw, (const unsigned char *)text, REG_SIGNATURE_B64_LEN) !=
	    REG_SIG_LEN + 2)
		return -1;
	memcpy(sig, raw, REG_SIG_LEN);
	/* Only one spelling per signature: a changed padding bit would be another text. */
	char again[REG_SIGNATURE_B64_LEN + 1];
	reg_signature_encode(sig, again);
	return strcmp(again, text) == 0 ? 0 : -1;
}

static void put_escaped(FILE *fp, const char *v)
{
	for (const unsigned char *p = (const unsigned char *)(v ? v : ""); *p; p++) {
		switch (*p) {
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02x", *p);
			else
				fputc(*p, fp);
		}
	}
}

int reg_statement_escape(const char *value, char **out, size_t *len)
{
	FILE *fp = open_memstream(out, len);
	if (!fp)
		return -1;
	put_escaped(fp, value);
	if (fclose(fp) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

char *reg_statement_unescape(const char *text, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\\') {
			*o++ = text[i];
			continue;
		}
		if (++i >= len)
			goto bad;
		switch (text[i]) {
		case '\\': *o++ = '\\'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'x': {
			int hi = i + 2 < len ? reg_hex_digit(text[i + 1], false) : -1;
			int lo = hi >= 0 ? reg_hex_digit(text[i + 2], false) : -1;
			if (lo < 0)
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
			break;
		}
		default:
			goto bad;
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static int cmp_item(const void *pa, const void *pb)
{
	const reg_approval *a = *(const reg_approval *const *)pa;
	const reg_approval *b = *(const reg_approval *const *)pb;
	return strcmp(a->item ? a->item : "", b->item ? b->item : "");
}

int reg_statement_text(const char *number, const reg_approval *const *group, size_t n,
		       char **text, size_t *len, reg_err **errp)
{
	*text = NULL;
	if (n == 0)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "an empty statement");
	const reg_approval **sorted = malloc(n * sizeof *sorted);
	FILE *fp = sorted ? open_memstream(text, len) : NULL;
	if (!fp) {
		free(sorted);
		return reg_err_oom(errp);
	}
	memcpy(sorted, group, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp_item);
	const reg_approval *h = sorted[0];
	static const char *const heads[] = {"dossier", "department", "body-digest", "time",
					    "reviewer"};
	const char *values[] = {number, h->dept, h->digest, h->time, h->reviewer};
	fputs(REG_STATEMENT_MAGIC "\n", fp);
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		fprintf(fp, "%s: ", heads[i]);
		put_escaped(fp, values[i]);
		fputc('\n', fp);
	}
	for (size_t i = 0; i < n; i++) {
		fputs("item: ", fp);
		put_escaped(fp, sorted[i]->item);
		fprintf(fp, " %s\n", reg_verdict_name(sorted[i]->verdict));
		for (size_t r = 0; r < sorted[i]->n_reasons; r++) {
			fputs("reason: ", fp);
			put_escaped(fp, sorted[i]->reasons[r]);
			fputc('\n', fp);
		}
	}
	free(sorted);
	if (fclose(fp) != 0) {
		free(*text);
		*text = NULL;
		return reg_err_oom(errp);
	}
	return 0;
}

int reg_statement_sign(const reg_sign_key *key, const char *number, reg_approval *const *group,
		       size_t n, reg_err **errp)
{
	char *text = NULL, b64[REG_SIGNATURE_B64_LEN + 1];
	size_t len = 0;
	unsigned char sig[REG_SIG_LEN];
	if (reg_statement_text(number, (const reg_approval *const *)group, n, &text, &len,
			       errp) < 0)
		return -1;
	int rc = reg_sign(key, text, len, sig, errp);
	free(text);
	if (rc < 0)
		return -1;
	reg_signature_encode(sig, b64);
	for (size_t i = 0; i < n; i++) {
		free(group[i]->signature);
		if (!(group[i]->signature = strdup(b64)))
			return reg_err_oom(errp);
	}
	return 0;
}

static int cmp_opt(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Approvals of one statement share these; qsort_r over indexes into the list. */
static int cmp_statement(const void *pa, const void *pb, void *ctx)
{
	const reg_approval *list = ctx;
	const reg_approval *a = &list[*(const size_t *)pa], *b = &list[*(const size_t *)pb];
	int c;
	if ((c = cmp_opt(a->dept, b->dept)) || (c = cmp_opt(a->time, b->time)) ||
	    (c = cmp_opt(a->reviewer, b->reviewer)) || (c = cmp_opt(a->digest, b->digest)) ||
	    (c = cmp_opt(a->signature, b->signature)))
		return c;
	size_t x = *(const size_t *)pa, y = *(const size_t *)pb;
	return (x > y) - (x < y);
}

static bool same_statement(const reg_approval *a, const reg_approval *b)
{
	return !cmp_opt(a->dept, b->dept) && !cmp_opt(a->time, b->time) &&
	       !cmp_opt(a->reviewer, b->reviewer) && !cmp_opt(a->digest, b->digest) &&
	       !cmp_opt(a->signature, b->signature);
}

long reg_statements_group(const reg_approval *list, size_t n, size_t *order, size_t *start)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof *order, cmp_statement, (void *)list);
	long groups = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || !same_statement(&list[order[i - 1]], &list[order[i]]))
			start[groups++] = i;
	start[groups] = n;
	return groups;
}

int reg_statement_check(const reg_keyring *kr, const char *number,
			const reg_approval *const *group, size_t n, int64_t at,
			reg_key_verdict *verdict, char fingerprint[65], const char **other,
			reg_err **errp)
{
	unsigned char sig[REG_SIG_LEN];
	char *text = NULL;
	size_t len = 0;
	*verdict = REG_KEY_MISMATCH;
	if (n == 0 || reg_signature_decode(group[0]->signature, sig) < 0)
		return 0;
	if (reg_statement_text(number, group, n, &text, &len, errp) < 0)
		return -1;
	int rc = reg_keyring_check(kr, group[0]->dept, at, text, len, sig, verdict, fingerprint,
				   other, errp);
	free(text);
	return rc;
}

void reg_key_verdict_text(reg_key_verdict v, const char *dept, const char *other, bool unsigned_,
			  char *buf, size_t size)
{
	if (unsigned_)
		snprintf(buf, size, _("is not signed"));
	else if (v == REG_KEY_NO_KEY)
		snprintf(buf, size, _("is signed at a time for which the authority lists no key of '%s'"),
			 dept);
	else if (v == REG_KEY_OTHER_DEPT)
		snprintf(buf, size, _("is signed with the key of '%s', not of '%s'"), other, dept);
	else if (v == REG_KEY_MISMATCH)
		snprintf(buf, size, _("has a signature that does not match: altered, or signed for "
			 "another dossier or body"));
	else
		snprintf(buf, size, _("is signed by '%s'"), dept);
}

/* Statements in the order of their files: time as an instant, then what groups them. */
static int cmp_file(const void *pa, const void *pb)
{
	const reg_statement_file *x = pa, *y = pb;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	const reg_approval *a = x->first, *b = y->first;
	int c;
	if ((c = cmp_opt(a->dept, b->dept)) || (c = cmp_opt(a->time, b->time)) ||
	    (c = cmp_opt(a->reviewer, b->reviewer)) || (c = cmp_opt(a->digest, b->digest)))
		return c;
	return cmp_opt(a->signature, b->signature);
}

void reg_statement_files_free(reg_statement_file *files, size_t count)
{
	for (size_t i = 0; files && i < count; i++)
		free(files[i].text);
	free(files);
}

int reg_statement_files(const char *number, const reg_approval *list, size_t n, int offset_min,
			reg_statement_file **out, size_t *count, reg_err **errp)
{
	reg_approval *verdicts = calloc(n ? n : 1, sizeof *verdicts);
	size_t *ord = calloc(n ? n : 1, sizeof *ord), *start = calloc(n + 1, sizeof *start), m = 0;
	const reg_approval **group = calloc(n ? n : 1, sizeof *group);
	size_t *origin = calloc(n ? n : 1, sizeof *origin);
	reg_statement_file *files = NULL;
	long groups = 0;
	int rc = -1;
	*out = NULL;
	*count = 0;
	if (!verdicts || !ord || !start || !group || !origin) {
		reg_err_oom(errp);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (list[i].verdict != REG_VERDICT_NOT_APPLICABLE) {
			origin[m] = i;
			verdicts[m++] = list[i]; /* shallow */
		}
	groups = reg_statements_group(verdicts, m, ord, start);
	if (!(files = calloc(groups ? (size_t)groups : 1, sizeof *files))) {
		reg_err_oom(errp);
		goto out;
	}
	for (long g = 0; g < groups; g++) {
		size_t first = start[g], k = start[g + 1] - first;
		for (size_t j = 0; j < k; j++)
			group[j] = &list[origin[ord[first + j]]];
		reg_statement_file *f = &files[g];
		f->first = group[0];
		f->n = k;
		f->signed_ = reg_signature_decode(group[0]->signature, f->sig) == 0;
		if (reg_time_parse(group[0]->time, offset_min, &f->at, NULL, NULL) < 0)
			f->at = INT64_MIN;
		if (reg_statement_text(number, group, k, &f->text, &f->len, errp) < 0)
			goto out;
	}
	qsort(files, (size_t)groups, sizeof *files, cmp_file);
	for (long g = 0; g < groups; g++)
		snprintf(files[g].name, sizeof files[g].name, "%02ld-%.60s", g + 1,
			 files[g].first->dept ? files[g].first->dept : "");
	*out = files;
	*count = (size_t)groups;
	files = NULL;
	rc = 0;
out:
	reg_statement_files_free(files, groups > 0 ? (size_t)groups : 0);
	free(verdicts);
	free(ord);
	free(start);
	free(group);
	free(origin);
	return rc;
}
