#include "errors.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

struct reg_err {
	reg_code code;
	char *file;
	long line;
	char *field;
	char *message;
	reg_err *next;
	size_t more;    /* a summary ("and N more problems"): the N it stands for; else 0 */
	/* Up to date in the first error of a chain only (errors.h: appending is O(1)): */
	reg_err *tail;
	reg_err *summary; /* the chain's "and N more problems", once the cap was reached */
	size_t kept;    /* errors in the chain but the summary */
};

/* A format in the reader's language (i18n.h): the callers' formats are msgids, all but "",
 * which gettext keeps for its catalogue's header. */
static const char *translated(const char *fmt)
{
	return fmt && *fmt ? _(fmt) : fmt;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static reg_err *make(reg_code code, const char *file, long line, const char *field,
		     const char *fmt, va_list ap)
{
	reg_err *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->code = code;
	e->file = dup_or_null(file);
	e->line = line;
	e->field = dup_or_null(field);
	if (vasprintf(&e->message, translated(fmt), ap) < 0)
		e->message = NULL;
	return e;
}

/* Which failure decides the exit status when a chain mixes them: a broken environment or a bug
 * says more than "this dossier was rejected". */
static int severity(reg_code c)
{
	switch (c) {
	case REG_OK: return 0;
	case REG_ENO: return 1;
	case REG_EDATA: return 2;
	case REG_ENOINPUT: return 3;
	case REG_EUSAGE: return 4;
	case REG_ECONFIG: return 5;
	case REG_EBUSY: return 6;
	case REG_EIO: return 7;
	case REG_ECANTCREAT: return 8;
	case REG_EINTERNAL: return 9;
	}
	return 9;
}

/* Link one error (next NULL, not a summary) at the end of a chain. */
static void link_tail(reg_err **errp, reg_err *e)
{
	reg_err *head = *errp;
	if (!head) {
		*errp = e;
		e->tail = e;
		e->kept = 1;
		return;
	}
	head->tail->next = e;
	head->tail = e;
	head->kept++;
}

/* Room for "and N more problems" in any language. */
#define MORE_SIZE 128

/* Count n more problems in the chain's summary, made at its end the first time. */
static void count_more(reg_err **errp, reg_code code, const char *file, long line, size_t n)
{
	reg_err *head = *errp, *s = head ? head->summary : NULL;
	if (!s) {
		if (!(s = calloc(1, sizeof *s)) || !(s->message = malloc(MORE_SIZE))) {
			free(s);
			return;
		}
		s->code = code;
		s->file = dup_or_null(file);
		s->line = line;
		if (head) {
			head->tail->next = s;
			head->tail = s;
		} else {
			*errp = head = s;
			s->tail = s;
		}
		head->summary = s;
	}
	if (severity(code) > severity(s->code))
		s->code = code;
	s->more += n;
	snprintf(s->message, MORE_SIZE,
		 dngettext(REG_TEXTDOMAIN, "and %zu more problem", "and %zu more problems", s->more),
		 s->more);
}

static bool at_cap(const reg_err *head, reg_code code)
{
	return head && code == REG_ENO && head->kept >= REG_ERR_MAX_PROBLEMS;
}

int reg_err_setv(reg_err **errp, reg_code code, const char *file, long line, const char *field,
		 const char *fmt, va_list ap)
{
	if (!errp)
		return -1;
	/* A caller that sets over an existing error loses nothing: the new one joins the chain,
	 * or past the cap its count (and nothing is formatted). */
	if (at_cap(*errp, code)) {
		count_more(errp, code, file, line, 1);
		return -1;
	}
	reg_err *e = make(code, file, line, field, fmt, ap);
	if (e)
		link_tail(errp, e);
	return -1;
}

int reg_err_oom(reg_err **errp)
{
	return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
}

int reg_err_set(reg_err **errp, reg_code code, const char *file, long line, const char *field,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	reg_err_setv(errp, code, file, line, field, fmt, ap);
	va_end(ap);
	return -1;
}

int reg_err_add(reg_err **errp, reg_code code, const char *file, long line, const char *field,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	reg_err_setv(errp, code, file, line, field, fmt, ap);
	va_end(ap);
	return -1;
}

void reg_err_add_more(reg_err **errp, reg_code code, const char *file, long line, size_t n)
{
	if (errp && n > 0)
		count_more(errp, code, file, line, n);
}

void reg_err_append(reg_err **to, reg_err **from)
{
	if (!to || !from || !*from)
		return;
	reg_err *e = *from;
	*from = NULL;
	if (!*to && !e->summary) {
		*to = e; /* a chain under the cap stays as it is */
		return;
	}
	/* One by one, so the cap holds for the joined chain: O(length of *from), which the cap
	 * keeps short. */
	while (e) {
		reg_err *next = e->next;
		e->next = NULL;
		e->tail = e->summary = NULL;
		e->kept = 0;
		if (e->more) {
			count_more(to, e->code, e->file, e->line, e->more);
			reg_err_free(e);
		} else if (at_cap(*to, e->code)) {
			count_more(to, e->code, e->file, e->line, 1);
			reg_err_free(e);
		} else {
			link_tail(to, e);
		}
		e = next;
	}
}

void reg_err_prefix(reg_err *err, const char *fmt, ...)
{
	char *prefix = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&prefix, translated(fmt), ap);
	va_end(ap);
	if (n < 0)
		return;
	for (; err; err = err->next) {
		char *joined = NULL;
		if (err->more)
			continue; /* "and N more problems" is about the chain, not one context */
		if (asprintf(&joined, "%s%s", prefix, err->message ? err->message : "") >= 0) {
			free(err->message);
			err->message = joined;
		}
	}
	free(prefix);
}

void reg_err_recode(reg_err *err, reg_code code)
{
	for (; err; err = err->next)
		err->code = code;
}

void reg_err_set_field(reg_err *err, const char *field)
{
	if (!err)
		return;
	char *copy = dup_or_null(field);
	if (field && !copy)
		return; /* out of memory: the old field is still a true one */
	free(err->field);
	err->field = copy;
}

void reg_err_locate(reg_err *err, const char *file, long line)
{
	for (; err; err = err->next) {
		if (!err->file && file)
			err->file = strdup(file);
		if (err->line == 0)
			err->line = line;
	}
}

reg_code reg_err_code(const reg_err *err) { return err ? err->code : REG_OK; }
const char *reg_err_message(const reg_err *err) { return err && err->message ? err->message : "out of memory"; }
const char *reg_err_file(const reg_err *err) { return err ? err->file : NULL; }
long reg_err_line(const reg_err *err) { return err ? err->line : 0; }
const char *reg_err_field(const reg_err *err) { return err ? err->field : NULL; }
const reg_err *reg_err_next(const reg_err *err) { return err ? err->next : NULL; }
size_t reg_err_more(const reg_err *err) { return err ? err->more : 0; }

size_t reg_err_count(const reg_err *err)
{
	size_t n = 0;
	for (; err; err = err->next)
		n += err->more ? err->more : 1;
	return n;
}

int reg_err_exit_code(const reg_err *err)
{
	reg_code worst = REG_OK;
	if (err && !err->message && err->code == REG_OK)
		return REG_EINTERNAL;
	for (; err; err = err->next)
		if (severity(err->code) > severity(worst))
			worst = err->code;
	return (int)worst;
}

static void print_one(const reg_err *e, FILE *fp)
{
	if (e->file) {
		fputs(e->file, fp);
		if (e->line > 0)
			fprintf(fp, ":%ld", e->line);
		fputs(": ", fp);
	}
	if (e->field && *e->field)
		fprintf(fp, "%s: ", e->field);
	fputs(reg_err_message(e), fp);
}

void reg_err_print(const reg_err *err, const char *prog, FILE *fp)
{
	for (; err; err = err->next) {
		if (prog)
			fprintf(fp, "%s: ", prog);
		print_one(err, fp);
		fputc('\n', fp);
	}
}

char *reg_err_join(const reg_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return NULL;
	for (const reg_err *e = err; e; e = e->next) {
		if (e != err)
			fputs("; ", fp);
		if (e->field && *e->field)
			fprintf(fp, "%s: ", e->field);
		fputs(reg_err_message(e), fp);
	}
	fclose(fp);
	return buf;
}

void reg_err_free(reg_err *err)
{
	while (err) {
		reg_err *next = err->next;
		free(err->file);
		free(err->field);
		free(err->message);
		free(err);
		err = next;
	}
}

void reg_err_clear(reg_err **errp)
{
	if (errp) {
		reg_err_free(*errp);
		*errp = NULL;
	}
}
