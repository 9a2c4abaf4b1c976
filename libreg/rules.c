#include "rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpathInternals.h>

#include "clock.h"
#include "ids.h"
#include "names.h"
#include "xml.h"

struct reg_rules {
	xmlXPathContext *ctx;
	reg_dossier *dossier;
	int ref_year, ref_month, ref_day;
	reg_name_lookup lookup;
	void *lookup_user;
	reg_err *lookup_err;   /* why the lookup could not tell, during one evaluation */
	reg_err *eval_err; /* what the per-context error handler saw during the last evaluation */
};

static reg_rules *rules_of(xmlXPathParserContext *ctxt)
{
	return ctxt->context->userData;
}

/* Pops one argument as a string; on a wrong arity sets the XPath error and returns NULL. */
static xmlChar *one_string_arg(xmlXPathParserContext *ctxt, int nargs)
{
	if (nargs != 1) {
		xmlXPathSetArityError(ctxt);
		return NULL;
	}
	return xmlXPathPopString(ctxt);
}

static void fn_uscc_valid(xmlXPathParserContext *ctxt, int nargs)
{
	xmlChar *s = one_string_arg(ctxt, nargs);
	if (!s)
		return;
	valuePush(ctxt, xmlXPathNewBoolean(reg_uscc_valid((const char *)s)));
	xmlFree(s);
}

static void fn_citizen_id_valid(xmlXPathParserContext *ctxt, int nargs)
{
	xmlChar *s = one_string_arg(ctxt, nargs);
	if (!s)
		return;
	valuePush(ctxt, xmlXPathNewBoolean(reg_citizen_id_valid((const char *)s)));
	xmlFree(s);
}

static void fn_age(xmlXPathParserContext *ctxt, int nargs)
{
	xmlChar *s = one_string_arg(ctxt, nargs);
	if (!s)
		return;
	reg_rules *r = rules_of(ctxt);
	int age = reg_citizen_id_age((const char *)s, r->ref_year, r->ref_month, r->ref_day);
	valuePush(ctxt, xmlXPathNewFloat(age < 0 ? NAN : (double)age));
	xmlFree(s);
}

static void fn_division_name(xmlXPathParserContext *ctxt, int nargs)
{
	xmlChar *s = one_string_arg(ctxt, nargs);
	if (!s)
		return;
	const char *name = reg_division_name((const char *)s);
	valuePush(ctxt, xmlXPathNewString(BAD_CAST(name ? name : "")));
	xmlFree(s);
}

static void fn_name_valid(xmlXPathParserContext *ctxt, int nargs)
{
	if (nargs != 3) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	xmlChar *division = xmlXPathPopString(ctxt);
	xmlChar *form = xmlXPathPopString(ctxt);
	xmlChar *name = xmlXPathPopString(ctxt);
	bool valid = name && form && division &&
		     reg_name_check((const char *)name, (const char *)form, (const char *)division,
				    NULL) == 0;
	valuePush(ctxt, xmlXPathNewBoolean(valid));
	xmlFree(name);
	xmlFree(form);
	xmlFree(division);
}

static void fn_name_taken(xmlXPathParserContext *ctxt, int nargs)
{
	xmlChar *s = one_string_arg(ctxt, nargs);
	if (!s)
		return;
	reg_rules *r = rules_of(ctxt);
	int taken = r->lookup ? r->lookup(r->lookup_user, (const char *)s, &r->lookup_err) : 0;
	if (taken < 0) {
		xmlXPathSetError(ctxt, XPATH_EXPR_ERROR);
	} else {
		valuePush(ctxt, xmlXPathNewBoolean(taken));
	}
	xmlFree(s);
}

/* Whether a <section>/<child> of the bound dossier has attribute `attr` equal to value. */
static bool listed(reg_rules *r, const char *section, const char *child, const char *attr,
		   const char *value)
{
	xmlNode *list = reg_dossier_section(r->dossier, section, false);
	reg_xml_for_each_child(c, list, REG_NS_DOSSIER, child) {
		char *v = reg_xml_attr(c, attr);
		bool same = v && strcmp(v, value) == 0;
		free(v);
		if (same)
			return true;
	}
	return false;
}

static void fn_has_material(xmlXPathParserContext *ctxt, int nargs)
{
	xmlChar *s = one_string_arg(ctxt, nargs);
	if (!s)
		return;
	valuePush(ctxt, xmlXPathNewBoolean(
				listed(rules_of(ctxt), "materials", "material", "type", (const char *)s)));
	xmlFree(s);
}

static void fn_committed(xmlXPathParserContext *ctxt, int nargs)
{
	xmlChar *s = one_string_arg(ctxt, nargs);
	if (!s)
		return;
	valuePush(ctxt, xmlXPathNewBoolean(listed(rules_of(ctxt), "commitments", "commitment",
						  "material", (const char *)s)));
	xmlFree(s);
}

static void fn_scope_mentions(xmlXPathParserContext *ctxt, int nargs)
{
	if (nargs < 1) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	char *scope = reg_dossier_text(rules_of(ctxt)->dossier, "enterprise/scope");
	bool any = false;
	for (int i = 0; i < nargs; i++) {
		xmlChar *word = xmlXPathPopString(ctxt);
		if (word && *word && scope && strstr(scope, (const char *)word))
			any = true;
		xmlFree(word);
	}
	free(scope);
	valuePush(ctxt, xmlXPathNewBoolean(any));
}

static void collect_error(void *user, xmlError *error)
{
	reg_rules *r = user;
	char *msg = strdup(error && error->message ? error->message : "xpath error");
	if (!msg)
		return;
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	reg_err_add(&r->eval_err, REG_ECONFIG, NULL, 0, NULL, "%s", msg);
	free(msg);
}

/* The reg: functions, registered in every context and the one list catalogs are checked
 * against. */
static const struct {
	const char *name;
	xmlXPathFunction fn;
} functions[] = {
	{"uscc-valid", fn_uscc_valid},       {"citizen-id-valid", fn_citizen_id_valid},
	{"age", fn_age},                     {"division-name", fn_division_name},
	{"name-taken", fn_name_taken},       {"name-valid", fn_name_valid},
	{"has-material", fn_has_material},
	{"committed", fn_committed},         {"scope-mentions", fn_scope_mentions},
};

bool reg_rules_has_function(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof functions / sizeof *functions; i++)
		if (strlen(functions[i].name) == len && memcmp(functions[i].name, name, len) == 0)
			return true;
	return false;
}

reg_rules *reg_rules_new(reg_err **errp)
{
	reg_rules *r = calloc(1, sizeof *r);
	if (!r || !(r->ctx = xmlXPathNewContext(NULL))) {
		free(r);
		reg_err_oom(errp);
		return NULL;
	}
	r->ctx->userData = r;
	r->ctx->error = collect_error;
	xmlXPathRegisterNs(r->ctx, BAD_CAST "d", BAD_CAST REG_NS_DOSSIER);
	xmlXPathRegisterNs(r->ctx, BAD_CAST "reg", BAD_CAST REG_NS_FUNCTIONS);
	for (size_t i = 0; i < sizeof functions / sizeof *functions; i++)
		xmlXPathRegisterFuncNS(r->ctx, BAD_CAST functions[i].name, BAD_CAST REG_NS_FUNCTIONS,
				       functions[i].fn);
	return r;
}

void reg_rules_set_name_lookup(reg_rules *r, reg_name_lookup fn, void *user)
{
	r->lookup = fn;
	r->lookup_user = user;
}

int reg_rules_bind(reg_rules *r, reg_dossier *d, int64_t reference, int offset_min, reg_err **errp)
{
	char *accepted = reg_dossier_attr(d, "acceptance", "time");
	int64_t when = reference;
	if (accepted && reg_time_parse(accepted, offset_min, &when, NULL, NULL) < 0)
		when = reference;
	free(accepted);
	(void)errp;
	reg_time_civil(when, offset_min, &r->ref_year, &r->ref_month, &r->ref_day);
	r->dossier = d;
	r->ctx->doc = reg_dossier_doc(d);
	r->ctx->node = reg_dossier_root(d);
	return 0;
}

int reg_rules_test(reg_rules *r, xmlXPathCompExpr *expr, const char *source, bool *result,
		   reg_err **errp)
{
	reg_err_clear(&r->eval_err);
	reg_err_clear(&r->lookup_err);
	xmlXPathObject *obj = xmlXPathCompiledEval(expr, r->ctx);
	if (r->lookup_err) {
		xmlXPathFreeObject(obj);
		reg_err_clear(&r->eval_err);
		reg_err_append(errp, &r->lookup_err);
		return -1;
	}
	if (!obj || r->eval_err) {
		xmlXPathFreeObject(obj);
		if (!r->eval_err)
			reg_err_set(&r->eval_err, REG_ECONFIG, NULL, 0, NULL, "evaluation failed");
		reg_err_prefix(r->eval_err, "rule '%s': ", source);
		reg_err_append(errp, &r->eval_err);
		return -1;
	}
	*result = xmlXPathCastToBoolean(obj) != 0;
	xmlXPathFreeObject(obj);
	return 0;
}

xmlXPathCompExpr *reg_rules_compile(const char *source, reg_err **errp)
{
	/* A throwaway context routes compile errors to us instead of libxml2's global stream. */
	reg_rules *r = reg_rules_new(errp);
	if (!r)
		return NULL;
	xmlXPathCompExpr *expr = xmlXPathCtxtCompile(r->ctx, BAD_CAST source);
	if (!expr) {
		if (!r->eval_err)
			reg_err_set(&r->eval_err, REG_ECONFIG, NULL, 0, NULL, "does not compile");
		reg_err_prefix(r->eval_err, "xpath '%s': ", source);
		reg_err_append(errp, &r->eval_err);
	}
	reg_rules_free(r);
	return expr;
}

void reg_rules_free(reg_rules *r)
{
	if (!r)
		return;
	reg_err_free(r->eval_err);
	reg_err_free(r->lookup_err);
	xmlXPathFreeContext(r->ctx);
	free(r);
}
