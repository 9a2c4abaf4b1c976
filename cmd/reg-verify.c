/*
 * reg-verify — the auditor's checks, one mode per function (signify): verify_ids checks
 * identifiers (USCC, organization code, citizen id) given as arguments or one per line on stdin;
 * verify_archives checks issued archives (libreg/verify.h), never extracting them.
 * main only parses options, picks the mode and returns its exit status; the rules themselves
 * live in libreg (ids.c, tarball.c, verify.c).
 *
 * Output, one line per input, always three TAB-separated fields: the input as given (control
 * bytes written as \xHH so the line keeps its shape), "ok" or "invalid", and the explanation.
 * Exit 0 when every input is ok, 1 when any is invalid (the delayed error exit of bsdtar: every
 * input is reported first), 64 on usage errors, 74 when reading or writing fails; archives add
 * 66 (an archive that cannot be opened), 75 (registry busy) and 78 (key, catalog, authority).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tarball.h"
#include "catalog.h"
#include "cli.h"
#include "configuration.h"
#include "errors.h"
#include "ids.h"
#include "keyring.h"
#include "registry.h"
#include "sign.h"
#include "verify.h"
#include "xml.h"

static const char prog[] = "reg-verify";

/* Longest input line (after a trailing CR is stripped); longer ones are invalid, never read
 * whole: an identifier is 18 characters, so this is generous and bounds memory. */
#define INPUT_MAX 4096
/* How much of an overlong input the report shows. */
#define INPUT_SHOWN 40

enum {
	OPT_USCC = 1,
	OPT_ORG_CODE,
	OPT_CITIZEN_ID,
	OPT_EXPLAIN,
	OPT_KEY,
};

struct id_kind {
	const char *flag;
	reg_id_result (*check)(const char *code);
	void (*explain)(const char *code, char *buf, size_t size);
};

static const struct id_kind kind_uscc = {"--uscc", reg_uscc_check, reg_uscc_explain};
static const struct id_kind kind_org_code = {"--org-code", reg_org_code_check, reg_org_code_explain};
static const struct id_kind kind_citizen_id = {"--citizen-id", reg_citizen_id_check,
					       reg_citizen_id_explain};

/* One run: what the options chose. */
struct verify {
	const struct id_kind *kind; /* NULL: no identifier mode chosen */
	bool explain;
	const char *key;  /* --key: the public key archives are checked with */
	bool db;          /* --db given (or REG_DB set): compare archives with the registry */
	reg_config *cfg;
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: %s --uscc | --org-code | --citizen-id [--explain] [CODE...]\n"
		"       %s [--key PUBKEY] [--db FILE] ARCHIVE...\n"
		"Check identifiers against their standards; with no CODE, read one per line from\n"
		"standard input.  Or check issued archives (<USCC>.tar.gz, '-' for standard input)\n"
		"without extracting them: MANIFEST digests, signature, USCC and identifiers, the\n"
		"registration records and seal set, and with --db the registry's records.\n"
		"Each input gets one line: INPUT<TAB>ok|invalid<TAB>EXPLANATION.\n"
		"Exit status: 0 all ok, 1 any invalid (a hostile archive included), 64 usage error,\n"
		"66 archive or registry missing, 75 registry busy, 78 bad key, catalog or authority.\n"
		"\n"
		"      --uscc            unified social credit codes (GB 32100-2015)\n"
		"      --org-code        organization codes (GB 11714)\n"
		"      --citizen-id      citizen identity numbers (GB 11643)\n"
		"      --explain         decompose valid codes (department, division, birth date ...)\n"
		"      --key PUBKEY      archives: the authority's public key (PEM; default the\n"
		"                        configured authority's)\n"
		"\n",
		prog, prog);
	fputs(reg_cli_config_help, fp);
}

/* ---- identifier mode ------------------------------------------------------------------------ */

/* The input as given, with control bytes as \xHH: a TAB or CR inside an input must not add
 * a field or break the line. */
static void put_input(const char *s, size_t len, FILE *out)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			fprintf(out, "\\x%02X", c);
		else
			putc(c, out);
	}
}

/* Check one input and print its line; returns true when it is ok. */
static bool verify_one(const struct verify *v, const char *input, size_t len, bool too_long,
		       FILE *out)
{
	char why[REG_ID_EXPLAIN_MAX] = "";
	bool ok = false;

	if (too_long) {
		/* Show the start only, cut on a UTF-8 character boundary. */
		size_t shown = len < INPUT_SHOWN ? len : INPUT_SHOWN;
		while (shown > 0 && shown < len && ((unsigned char)input[shown] & 0xC0) == 0x80)
			shown--;
		put_input(input, shown, out);
		fprintf(out, "...\tinvalid\tlonger than %d bytes\n", INPUT_MAX);
		return false;
	}
	if (memchr(input, '\0', len)) {
		snprintf(why, sizeof why, "contains a nul byte");
	} else {
		reg_id_result r = v->kind->check(input);
		ok = r.rule == REG_ID_OK;
		if (!ok)
			snprintf(why, sizeof why, "%s", r.message);
		else if (v->explain)
			v->kind->explain(input, why, sizeof why);
	}
	put_input(input, len, out);
	fprintf(out, "\t%s\t%s\n", ok ? "ok" : "invalid", why);
	return ok;
}

/* Read one line of at most INPUT_MAX bytes (after stripping "\r"); the rest of a longer line is
 * read and dropped, *too_long set.  Returns 1 for a line, 0 at the end, -1 on a read error. */
static int read_line(FILE *in, char buf[INPUT_MAX + 2], size_t *len, bool *too_long)
{
	int c;
	*len = 0;
	*too_long = false;
	while ((c = getc_unlocked(in)) != EOF && c != '\n') {
		if (*len < INPUT_MAX + 1)
			buf[(*len)++] = (char)c;
		else
			*too_long = true;
	}
	if (ferror(in))
		return -1;
	if (c == EOF && *len == 0 && !*too_long)
		return 0;
	if (*len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	if (*len > INPUT_MAX)
		*too_long = true;
	buf[*len] = '\0';
	return 1;
}

static int verify_ids(const struct verify *v, int argc, char **argv)
{
	reg_err *err = NULL;
	bool all_ok = true;
	FILE *out = stdout;

	if (argc > 0) {
		for (int i = 0; i < argc; i++) {
			size_t len = strlen(argv[i]);
			all_ok &= verify_one(v, argv[i], len, len > INPUT_MAX, out);
		}
	} else {
		char buf[INPUT_MAX + 2];
		size_t len;
		bool too_long;
		int got;
		while ((got = read_line(stdin, buf, &len, &too_long)) > 0)
			all_ok &= verify_one(v, buf, len, too_long, out);
		if (got < 0)
			reg_err_set(&err, REG_EIO, "-", 0, NULL, "read failed: %s", strerror(errno));
	}
	reg_cli_close(out, "-", &err);
	if (err)
		return reg_cli_fail(prog, err);
	return all_ok ? REG_OK : REG_ENO;
}

/* ---- archive mode --------------------------------------------------------------------------- */

/* Everything the archive checks share, loaded once before the first archive. */
struct archive_run {
	reg_sign_key *key;
	reg_catalog *catalog;
	reg_registry *registry;
	reg_keyring *keys;
	const char *test_authority;  /* set when archives are checked with the TEST key */
	int offset;
};

static int archive_setup(const struct verify *v, struct archive_run *a, reg_err **errp)
{
	const reg_authority *auth = reg_config_authority(v->cfg, errp);
	if (!auth)
		return -1;
	const char *key = v->key ? v->key : reg_authority_public_key_path(auth);
	if (!key)
		return reg_err_set(errp, REG_ECONFIG, reg_config_authority_path(v->cfg), 0, NULL,
				   "the authority has no public key: give --key");
	if (!(a->key = reg_sign_key_load_public(key, errp)) ||
	    !(a->keys = reg_keyring_new(auth, errp)) ||
	    reg_config_offset(v->cfg, &a->offset, errp) < 0 ||
	    !(a->catalog = reg_catalog_load(reg_config_catalog_path(v->cfg),
					    reg_config_schema_dir(v->cfg), errp)))
		return -1;
	/* Checked with the TEST authority's key, an archive proves nothing: say so. */
	if (reg_authority_test_only(auth) && reg_authority_public_key_path(auth)) {
		reg_sign_key *test = reg_sign_key_load_public(reg_authority_public_key_path(auth),
							      errp);
		if (!test)
			return -1;
		if (reg_sign_key_same_public(test, a->key))
			a->test_authority = reg_authority_name(auth);
		reg_sign_key_free(test);
	}
	if (v->db && !(a->registry = reg_registry_open_readonly(reg_config_db(v->cfg), errp)))
		return -1;
	return 0;
}

/* Check one archive and print its line.  Returns 1 when ok, 0 when invalid; a check that could
 * not be made (missing file, registry busy …) is reported on stderr, its errors moved to
 * *trouble, and -1 returned. */
static int verify_archive(const struct archive_run *a, const char *path, FILE *out,
			  reg_err **trouble)
{
	reg_archive_entries *e = NULL;
	reg_err *why = NULL;
	reg_verify_options opt = {.key = a->key, .catalog = a->catalog, .registry = a->registry,
				  .keys = a->keys, .test_authority = a->test_authority,
				  .offset_min = a->offset};
	int rc = strcmp(path, "-") == 0 ? reg_archive_load_fp(stdin, "-", &e, &why)
					: reg_archive_load(path, &e, &why);
	if (rc == 0)
		rc = reg_verify_archive(e, &opt, &why);
	reg_archive_entries_free(e);
	if (rc == 0) {
		/* Genuine; notes, if any, are the explanation. */
		char *notes = why ? reg_verify_reasons(why, path) : NULL;
		put_input(path, strlen(path), out);
		fprintf(out, "\tok\t%s\n", notes ? notes : "");
		free(notes);
		reg_err_free(why);
		return 1;
	}
	if (reg_err_exit_code(why) != REG_ENO) {
		/* Not an answer about the archive: no line (ok|invalid only), the error on stderr. */
		fflush(out);
		reg_err_print(why, prog, stderr);
		reg_err_append(trouble, &why);
		return -1;
	}
	char *reasons = reg_verify_reasons(why, path);
	put_input(path, strlen(path), out);
	fprintf(out, "\tinvalid\t%s\n", reasons ? reasons : "out of memory");
	free(reasons);
	reg_err_free(why);
	return 0;
}

static int verify_archives(const struct verify *v, int argc, char **argv)
{
	struct archive_run a = {0};
	reg_err *err = NULL, *trouble = NULL;
	bool all_ok = true;
	int code = REG_OK;

	reg_xml_init(reg_config_schema_dir(v->cfg));
	if (archive_setup(v, &a, &err) < 0)
		goto out;
	for (int i = 0; i < argc; i++)
		all_ok &= verify_archive(&a, argv[i], stdout, &trouble) == 1;
	reg_cli_close(stdout, "-", &err);
out:
	if (err) {
		code = reg_cli_fail(prog, err);
	} else if (trouble) {
		code = reg_err_exit_code(trouble);
	} else {
		code = all_ok ? REG_OK : REG_ENO;
	}
	reg_err_free(trouble);
	reg_registry_free(a.registry);
	reg_catalog_free(a.catalog);
	reg_keyring_free(a.keys);
	reg_sign_key_free(a.key);
	reg_xml_cleanup();
	return code;
}

/* ---- main ----------------------------------------------------------------------------------- */

static int choose_kind(struct verify *v, const struct id_kind *kind)
{
	if (v->kind && v->kind != kind)
		return reg_cli_usage_error(prog, "choose one of --uscc, --org-code, --citizen-id, "
					   "not both %s and %s", v->kind->flag, kind->flag);
	v->kind = kind;
	return 0;
}

/* getopt has refused an option: say why in our own words (opterr is off).  A short option
 * leaves its letter in optopt; a long one given a value it does not take leaves its own code. */
static int bad_option(const char *arg)
{
	if (optopt > ' ' && optopt < 0x7F)
		return reg_cli_usage_error(prog, "unknown option '-%c'", optopt);
	const char *eq = strchr(arg, '=');
	if (optopt != 0 && strncmp(arg, "--", 2) == 0 && eq)
		return reg_cli_usage_error(prog, "option '%.*s' takes no value", (int)(eq - arg), arg);
	return reg_cli_usage_error(prog, "unknown option '%s'", arg);
}

/* An argument that names no file and is letters and digits only is an identifier given
 * without its kind flag, not a missing archive: say so as a usage error. */
static bool looks_like_code(const char *arg)
{
	if (!*arg || access(arg, F_OK) == 0)
		return false;
	for (const char *p = arg; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			return false;
	return true;
}

static int run(reg_config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"uscc", no_argument, NULL, OPT_USCC},
		{"org-code", no_argument, NULL, OPT_ORG_CODE},
		{"citizen-id", no_argument, NULL, OPT_CITIZEN_ID},
		{"explain", no_argument, NULL, OPT_EXPLAIN},
		{"key", required_argument, NULL, OPT_KEY},
		REG_CLI_CONFIG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	const char *env_db = getenv("REG_DB");
	struct verify v = {.kind = NULL, .explain = false, .db = env_db && *env_db, .cfg = cfg};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		int rc = 0;
		switch (opt) {
		case OPT_USCC: rc = choose_kind(&v, &kind_uscc); break;
		case OPT_ORG_CODE: rc = choose_kind(&v, &kind_org_code); break;
		case OPT_CITIZEN_ID: rc = choose_kind(&v, &kind_citizen_id); break;
		case OPT_EXPLAIN: v.explain = true; break;
		case OPT_KEY: v.key = optarg; break;
		case REG_OPT_DB:
			v.db = true;
			reg_cli_config_option(cfg, opt, optarg);
			break;
		case REG_OPT_HELP: usage(stdout); return REG_OK;
		case REG_OPT_VERSION: reg_cli_version(prog); return REG_OK;
		case ':':
			return reg_cli_usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
		case '?':
			return bad_option(argv[optind - 1]);
		default:
			if (!reg_cli_config_option(cfg, opt, optarg))
				return reg_cli_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
		}
		if (rc)
			return rc;
	}
	argc -= optind;
	argv += optind;

	if (v.kind) {
		if (v.key)
			return reg_cli_usage_error(prog, "--key is for archives, not identifiers");
		return verify_ids(&v, argc, argv);
	}
	if (argc > 0) {
		if (v.explain)
			return reg_cli_usage_error(prog, "--explain is for identifiers, not archives");
		for (int i = 0; i < argc; i++)
			if (looks_like_code(argv[i]))
				return reg_cli_usage_error(prog, "'%s' is not an archive; to check an "
							   "identifier say --uscc, --org-code or "
							   "--citizen-id", argv[i]);
		return verify_archives(&v, argc, argv);
	}
	return reg_cli_usage_error(prog, "say what to check: ARCHIVE..., or --uscc, --org-code or "
				   "--citizen-id");
}

int main(int argc, char **argv)
{
	reg_config *cfg = reg_config_new();
	if (!cfg) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return REG_EINTERNAL;
	}
	int rc = run(cfg, argc, argv);
	reg_config_free(cfg);
	return rc;
}
