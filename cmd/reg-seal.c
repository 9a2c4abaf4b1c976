/*
 * reg-seal — the free seal set (公章刻制免费) on its own: true-size SVG drawings of the catalog's
 * seals and the public-security filing record, for enterprises read from a dossier stream or
 * given by flags.  Seal codes come from the registry (filed once per USCC: a re-run reuses them);
 * --specimen draws unfiled samples and never opens the registry.  Drawing, filing and the record
 * are libreg/seal.h, the very functions reg-issue uses; main only parses options, picks the
 * owners and writes the files.
 *
 * Output layout (reg-seal(1)):
 *   DIR/<USCC>/seals/NN-<seal-id>.svg, DIR/<USCC>/seals/filing.xml   filed sets
 *   DIR/specimen/seals/NN-<seal-id>.svg                             one specimen set
 *   DIR/specimen-<N>/seals/NN-<seal-id>.svg                         the Nth dossier of a batch
 * Every file is written to a temporary name in its folder and renamed into place.  One line per
 * file written goes to standard output: PATH, a TAB, the seal code ("-" for filing.xml and for
 * specimens).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "cli.h"
#include "configuration.h"
#include "dossier.h"
#include "errors.h"
#include "registry.h"
#include "seal.h"
#include "xml.h"

static const char prog[] = "reg-seal";

enum {
	OPT_NAME = 1,
	OPT_USCC,
	OPT_LEGAL_REP,
	OPT_FORM,
};

/* One run: what the options chose and what it opened. */
struct run {
	reg_config *cfg;
	const char *dir;
	bool specimen;
	bool flags;                    /* the enterprise comes from --name … */
	reg_seal_owner given;          /* borrowed from argv in flag mode */
	const char *input;             /* FILE, or NULL for stdin */
	reg_catalog *cat;
	reg_registry *reg;
	const reg_authority *authority;
	int64_t now;
	int worst;                     /* the delayed exit status (bsdtar) */
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: %s [-o DIR] [--specimen] [FILE]\n"
		"       %s [-o DIR] [--specimen] --name NAME --uscc USCC --legal-rep NAME [--form FORM]\n"
		"Draw the free seal set of each enterprise as true-size SVG and write its public-security\n"
		"filing record: DIR/USCC/seals/NN-ID.svg and DIR/USCC/seals/filing.xml.  FILE is a\n"
		"dossier or batch of issued dossiers (none or '-' reads standard input).  Seal codes are\n"
		"filed in the registry once per USCC; running again reuses them.\n"
		"\n"
		"  -o, --output DIR      write below DIR (default the current directory)\n"
		"  -s, --specimen        draw unfiled samples without codes (样本), into DIR/specimen;\n"
		"                        the registry is not opened\n"
		"      --name NAME       the enterprise name, instead of reading dossiers\n"
		"      --uscc USCC       its unified social credit code (optional with --specimen)\n"
		"      --legal-rep NAME  its legal representative\n"
		"      --form FORM       llc (default), jsc, sole or partnership; jsc gets the 42 mm\n"
		"                        official seal\n"
		"\n"
		"Exit status: 0 success, 1 some enterprise refused (not issued by this registry, a name\n"
		"that does not fit a seal), 64 usage, 65 input not XML dossiers, 66 no input, 73 cannot\n"
		"create output, 74 I/O error, 75 registry busy, 78 bad catalog or configuration.\n"
		"\n",
		prog, prog);
	fputs(reg_cli_config_help, fp);
}

/* The exit status of two failures together: whichever reg_err_exit_code ranks higher. */
static int worse(int a, int b)
{
	if (a == REG_OK || b == REG_OK)
		return a == REG_OK ? b : a;
	reg_err *both = NULL;
	reg_err_set(&both, (reg_code)a, NULL, 0, NULL, "a");
	reg_err_add(&both, (reg_code)b, NULL, 0, NULL, "b");
	int code = reg_err_exit_code(both);
	reg_err_free(both);
	return code;
}

/* Report a failure now and remember it for the exit status; processing goes on (bsdtar's
 * delayed error exit). */
static void report(struct run *r, reg_err *err)
{
	/* Given by flags, a value's field is the flag that gave it, not its dossier element. */
	static const char *const flag_of[][2] = {
		{"/dossier/enterprise/name", "--name"},
		{"/dossier/issuance/@uscc", "--uscc"},
		{"/dossier/enterprise/legal-representative/name", "--legal-rep"},
	};
	int code = reg_err_exit_code(err);
	for (const reg_err *e = err; e; e = reg_err_next(e)) {
		const char *field = reg_err_field(e);
		for (size_t i = 0; r->flags && field && i < sizeof flag_of / sizeof *flag_of; i++)
			if (strcmp(field, flag_of[i][0]) == 0)
				field = flag_of[i][1];
		fprintf(stderr, "%s: ", prog);
		if (reg_err_file(e)) {
			fputs(reg_err_file(e), stderr);
			if (reg_err_line(e) > 0)
				fprintf(stderr, ":%ld", reg_err_line(e));
			fputs(": ", stderr);
		}
		if (field && *field)
			fprintf(stderr, "%s: ", field);
		fprintf(stderr, "%s\n", reg_err_message(e));
	}
	reg_err_free(err);
	r->worst = worse(r->worst, code == REG_OK ? REG_EINTERNAL : code);
}

/* Failures that concern the run, not one enterprise: stop instead of going on. */
static bool fatal(int code)
{
	return code != REG_OK && code != REG_ENO;
}

/* ---- files ---------------------------------------------------------------------------------- */

static int make_dir(const char *path, reg_err **errp)
{
	struct stat st;
	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL, "cannot create directory: %s",
			   errno == EEXIST ? "not a directory" : strerror(errno));
}

/* Write `data` to DIR/NAME through a temporary file in DIR and a rename, so a reader never sees
 * half a file and an interrupted run leaves the old one. */
static int write_file(const char *dir, const char *name, const char *data, size_t len,
		      reg_err **errp)
{
	char *path = NULL, *tmp = NULL;
	int fd = -1, rc = -1;
	if (asprintf(&path, "%s/%s", dir, name) < 0 || asprintf(&tmp, "%s/.%s.XXXXXX", dir, name) < 0) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL, "cannot create: %s", strerror(errno));
		goto out;
	}
	mode_t mask = umask(0);
	umask(mask);
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			reg_err_set(errp, REG_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
			goto out;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, 0666 & ~mask) < 0 || close(fd) < 0) {
		fd = -1;
		reg_err_set(errp, REG_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL, "cannot create: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(path);
	free(tmp);
	return rc;
}

/* ---- one enterprise --------------------------------------------------------------------------- */

/* Everything one set writes, drawn before any of it is written. */
struct set {
	size_t n;
	char *svg[64];
	size_t len[64];
	char *filing;
	size_t filing_len;
	reg_seal_filed filed[64];
};

static void set_free(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->svg[i]);
	free(s->filing);
}

/* File (unless a specimen) and draw the set: one registry transaction, rolled back on any
 * failure so a refused enterprise burns no serial. */
static int draw_set(struct run *r, const reg_seal_owner *o, struct set *s, reg_err **errp)
{
	s->n = reg_catalog_seal_count(r->cat);
	if (s->n > sizeof s->svg / sizeof *s->svg)
		return reg_err_set(errp, REG_ECONFIG, reg_catalog_path(r->cat), 0, NULL,
				   "the catalog has %zu seal types, at most %zu are supported", s->n,
				   sizeof s->svg / sizeof *s->svg);
	for (size_t i = 0; i < s->n; i++)
		s->svg[i] = NULL;
	if (!r->specimen) {
		/* Opened at the first set (registry.h: pipelines), and only an existing one. */
		if (!r->reg && !(r->reg = reg_registry_open_existing(reg_config_db(r->cfg), errp)))
			return -1;
		if (reg_registry_begin(r->reg, errp) < 0)
			return -1;
		if (reg_seal_file_set(r->reg, r->cat, reg_authority_division(r->authority), o->uscc,
				      r->now, s->filed, NULL, errp) < 0)
			goto fail;
	}
	for (size_t i = 0; i < s->n; i++) {
		reg_seal_spec spec = {
			.type = reg_catalog_seal(r->cat, i),
			.owner = o,
			.code = r->specimen ? NULL : s->filed[i].code,
			.test_authority = !r->specimen && reg_authority_test_only(r->authority),
		};
		if (reg_seal_svg(&spec, &s->svg[i], &s->len[i], errp) < 0)
			goto fail;
	}
	if (!r->specimen) {
		if (reg_seal_filing_xml(r->cat, r->authority, o, s->filed, s->n, &s->filing,
					&s->filing_len, errp) < 0 ||
		    reg_registry_commit(r->reg, errp) < 0)
			goto fail;
	}
	return 0;
fail:
	if (!r->specimen)
		reg_registry_rollback(r->reg, NULL);
	return -1;
}

static int write_set(struct run *r, const char *folder, const struct set *s, reg_err **errp)
{
	char *top = NULL, *dir = NULL;
	int rc = -1;
	if (asprintf(&top, "%s/%s", r->dir, folder) < 0 ||
	    asprintf(&dir, "%s/%s", top, REG_SEAL_DIR) < 0) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if (make_dir(top, errp) < 0 || make_dir(dir, errp) < 0)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		char name[REG_SEAL_FILE_NAME_MAX];
		if (reg_seal_file_name(reg_catalog_seal(r->cat, i), name, sizeof name) < 0) {
			reg_err_set(errp, REG_ECONFIG, reg_catalog_path(r->cat), 0, NULL,
				    "seal id too long for a file name");
			goto out;
		}
		if (write_file(dir, name, s->svg[i], s->len[i], errp) < 0)
			goto out;
		printf("%s/%s\t%s\n", dir, name, r->specimen ? "-" : s->filed[i].code);
	}
	if (s->filing) {
		if (write_file(dir, REG_SEAL_FILING, s->filing, s->filing_len, errp) < 0)
			goto out;
		printf("%s/%s\t-\n", dir, REG_SEAL_FILING);
	}
	rc = 0;
out:
	free(top);
	free(dir);
	return rc;
}

/* One enterprise from start to finish; `file`/`line` locate its dossier (NULL for flags),
 * `index` is its place in a batch (0 when it stands alone). */
static int seal_one(struct run *r, const reg_seal_owner *o, const char *file, long line,
		    size_t index, reg_err **errp)
{
	struct set s = {0};
	char folder[32];
	int rc = -1;
	if (r->specimen) {
		if (index)
			snprintf(folder, sizeof folder, "specimen-%zu", index);
		else
			snprintf(folder, sizeof folder, "specimen");
	} else if (!o->uscc) {
		return reg_err_set(errp, REG_ENO, file, line, "/dossier/issuance",
				   "the dossier has not been issued: its seals need a USCC "
				   "(--specimen draws samples)");
	}
	if (draw_set(r, o, &s, errp) == 0)
		rc = write_set(r, r->specimen ? folder : o->uscc, &s, errp);
	if (rc < 0 && errp && *errp)
		reg_err_locate(*errp, file, line);
	set_free(&s);
	return rc;
}

/* ---- inputs ----------------------------------------------------------------------------------- */

static int seal_stream(struct run *r)
{
	reg_err *err = NULL;
	const char *name = r->input ? r->input : "-";
	FILE *fp = reg_cli_open_input(name, &err);
	reg_xml_stream *st = fp ? reg_xml_stream_new(fp, name, &err) : NULL;
	size_t index = 0;
	if (!st)
		goto out;
	for (;;) {
		xmlDoc *doc = NULL;
		long line = 0;
		int got = reg_xml_stream_next(st, &doc, &line, &err);
		if (got <= 0)
			break;
		index++;
		reg_dossier *d = reg_dossier_adopt(doc, name, line, &err);
		reg_seal_owner o;
		if (d && reg_seal_owner_from_dossier(d, &o, &err) == 0) {
			seal_one(r, &o, name, line,
				 reg_xml_stream_is_batch(st) ? index : 0, &err);
			reg_seal_owner_clear(&o);
		}
		reg_dossier_free(d);
		if (err) {
			bool stop = fatal(reg_err_exit_code(err));
			report(r, err);
			err = NULL;
			if (stop)
				break;
		}
	}
out:
	reg_xml_stream_free(st);
	if (fp && fp != stdin)
		fclose(fp);
	if (err)
		report(r, err);
	return r->worst;
}

static int run_all(struct run *r)
{
	reg_err *err = NULL;
	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (!(r->cat = reg_catalog_load(reg_config_catalog_path(r->cfg),
					reg_config_schema_dir(r->cfg), &err)))
		goto fail;
	if (!r->specimen) {
		if (!(r->authority = reg_config_authority(r->cfg, &err)) ||
		    reg_config_now(r->cfg, &r->now, &err) < 0)
			goto fail;
	}
	if (make_dir(r->dir, &err) < 0)
		goto fail;
	if (!r->flags)
		return seal_stream(r);
	if (seal_one(r, &r->given, NULL, 0, 0, &err) < 0)
		goto fail;
	return r->worst;
fail:
	report(r, err);
	return r->worst;
}

/* ---- main ------------------------------------------------------------------------------------ */

static int bad_option(const char *arg)
{
	if (optopt > ' ' && optopt < 0x7F)
		return reg_cli_usage_error(prog, "unknown option '-%c'", optopt);
	const char *eq = strchr(arg, '=');
	if (optopt != 0 && strncmp(arg, "--", 2) == 0 && eq)
		return reg_cli_usage_error(prog, "option '%.*s' takes no value", (int)(eq - arg), arg);
	return reg_cli_usage_error(prog, "unknown option '%s'", arg);
}

static int parse(struct run *r, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"specimen", no_argument, NULL, 's'},
		{"name", required_argument, NULL, OPT_NAME},
		{"uscc", required_argument, NULL, OPT_USCC},
		{"legal-rep", required_argument, NULL, OPT_LEGAL_REP},
		{"form", required_argument, NULL, OPT_FORM},
		REG_CLI_CONFIG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:s", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': r->dir = optarg; break;
		case 's': r->specimen = true; break;
		case OPT_NAME: r->given.name = optarg; r->flags = true; break;
		case OPT_USCC: r->given.uscc = optarg; r->flags = true; break;
		case OPT_LEGAL_REP: r->given.legal_rep = optarg; r->flags = true; break;
		case OPT_FORM: r->given.form = optarg; r->flags = true; break;
		case REG_OPT_HELP: usage(stdout); return -1;
		case REG_OPT_VERSION: reg_cli_version(prog); return -1;
		case ':':
			return reg_cli_usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
		case '?':
			return bad_option(argv[optind - 1]);
		default:
			if (!reg_cli_config_option(r->cfg, opt, optarg))
				return reg_cli_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return reg_cli_usage_error(prog, "one input at a time: '%s' and '%s'", argv[optind],
					   argv[optind + 1]);
	if (argc - optind == 1)
		r->input = argv[optind];
	if (r->flags) {
		static const char *const forms[] = {"llc", "jsc", "sole", "partnership"};
		bool known = !r->given.form;
		for (size_t i = 0; r->given.form && i < sizeof forms / sizeof *forms; i++)
			known |= strcmp(r->given.form, forms[i]) == 0;
		if (r->input)
			return reg_cli_usage_error(prog, "give either FILE or --name …, not both");
		if (!r->given.name || !r->given.legal_rep)
			return reg_cli_usage_error(prog, "--name and --legal-rep go together");
		if (!r->given.uscc && !r->specimen)
			return reg_cli_usage_error(prog, "--uscc is needed unless --specimen");
		if (!known)
			return reg_cli_usage_error(prog, "unknown --form '%s': llc, jsc, sole or "
						   "partnership", r->given.form);
		if (!r->given.form)
			r->given.form = (char *)"llc";
	}
	if (!*r->dir)
		return reg_cli_usage_error(prog, "-o needs a directory");
	return 0;
}

int main(int argc, char **argv)
{
	struct run r = {.cfg = reg_config_new(), .dir = "."};
	if (!r.cfg) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return REG_EINTERNAL;
	}
	int rc = parse(&r, argc, argv);
	if (rc == 0)
		rc = run_all(&r);
	else if (rc < 0)
		rc = REG_OK; /* --help, --version */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: -: write failed: %s\n", prog, strerror(errno));
		if (rc == REG_OK)
			rc = REG_EIO;
	}
	reg_registry_free(r.reg);
	reg_catalog_free(r.cat);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return rc;
}
