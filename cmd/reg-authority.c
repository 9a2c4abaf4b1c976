/*
 * reg-authority — setting up a real registration authority, one mode per function (signify):
 * new makes the authority's file and keys, keygen a department's key on its own host, import
 * adds a department's public key with the instant it counts from, show lists what an
 * authority file says.  The work is libreg/authority_setup.h's; nothing here prints a private key.
 */
#include <stdlib.h>
#include <string.h>

#include "authority_setup.h"
#include "cli.h"
#include "sign.h"
#include "xml.h"

static const char prog[] = "reg-authority";

static void usage(void)
{
	printf(_("usage: %s new --division CODE [--name NAME] [--area CODE]... [--time-zone +HH:MM]\n"
	       "              [--supervisor NAME] [--external DEPT]... [options] DIR\n"
	       "       %s keygen --dept DEPT -o FILE.key [options]\n"
	       "       %s import --dept DEPT --from TIME [--private FILE.key] [options] PUBKEY\n"
	       "       %s show [options]\n"
	       "Make an authority in DIR (authority.xml, its key, a key per catalog department but\n"
	       "the --external ones; no file is ever replaced), a department's key on its own host\n"
	       "(the public key on stdout), add a department's public key from TIME (rotation closes\n"
	       "the previous one there), or show the --authority file's facts (TSV).\n\n"
	       "      --division CODE   its GB/T 2260 division; --name NAME (default: the division's\n"
	       "                        + 市场监督管理局), --area CODE (repeatable; default: its\n"
	       "                        own), --time-zone ZONE, --supervisor NAME (transfer letters)\n"
	       "      --external DEPT   DEPT brings its own key, imported later (repeatable)\n"
	       "  -d, --dept DEPT       the catalog department of the key\n"
	       "  -o, --output FILE     keygen: where the private key goes (mode 0600)\n"
	       "      --from TIME       import: the instant the key counts from (ISO 8601)\n"
	       "      --private FILE    import: where this host keeps its private half\n\n%s\n"
	       "Exit status: 0 done, 1 import refused, 64 usage, 66 no authority file, 73 a file\n"
	       "exists or cannot be made, 74 I/O, 75 authority file changed meanwhile (run again),\n"
	       "78 bad catalog, authority or key.\n"),
	       prog, prog, prog, prog, reg_cli_config_help);
}

enum { NEW = 1, KEYGEN = 2, IMPORT = 4, SHOW = 8 };
enum { OPT_DIVISION = 0x2000, OPT_NAME, OPT_AREA, OPT_ZONE, OPT_SUPERVISOR, OPT_EXTERNAL,
       OPT_DEPT, OPT_OUTPUT, OPT_FROM, OPT_PRIVATE, OPT_END };
/* Which modes take each option above. */
static const int option_modes[] = {NEW, NEW, NEW, NEW, NEW, NEW, KEYGEN | IMPORT, KEYGEN,
				   IMPORT, IMPORT};

typedef struct run {
	reg_config *cfg;
	reg_authority_spec spec;
	reg_key_import imp;
	const char *output;
	char **args;
	int n_args;
} run;

/* The facts of the authority file at `path` (dept: only that department's keys). */
static int show_file(const char *path, int64_t now, const char *dept, reg_err **errp)
{
	reg_authority *a = reg_authority_load(path, errp);
	int rc = a ? reg_authority_describe(a, now, dept, stdout, errp) : -1;
	reg_authority_free(a);
	return rc;
}

static int cmd_new(run *r, reg_err **errp)
{
	char *path = NULL;
	int rc = reg_authority_create(r->args[0], &r->spec, errp) < 0 ||
			 asprintf(&path, "%s/authority.xml", r->args[0]) < 0
		 ? -1 : show_file(path, r->spec.now, NULL, errp);
	if (rc == 0 && !r->spec.supervisor)
		fprintf(stderr, _("%s: note: %s names no <supervisor> yet: fill it in, and each <year> "
			"of its calendar, before the first transfer letter falls due\n"), prog, path);
	free(path);
	return rc;
}

static int cmd_keygen(run *r, reg_err **errp)
{
	char *pem = NULL, fp[65];
	size_t len = 0;
	if (reg_authority_keygen(r->output, &pem, &len, fp, errp) < 0)
		return -1;
	fwrite(pem, 1, len, stdout);
	reg_sign_pem_free(pem, len);
	fprintf(stderr, _("%s: %s: private key in %s (mode 0600: it stays on this host); public key "
		"fingerprint %s\n"), prog, r->imp.dept, r->output, fp);
	return 0;
}

static int cmd_import(run *r, reg_err **errp)
{
	const char *path = reg_config_authority_path(r->cfg);
	reg_authority_edit *e = reg_authority_edit_open(path, errp);
	int rc = e && reg_authority_edit_add_key(e, &r->imp, NULL, errp) == 0 &&
			 reg_authority_edit_commit(e, errp) == 0
		 ? show_file(path, r->imp.now, r->imp.dept, errp) : -1;
	reg_authority_edit_free(e);
	return rc;
}

static int cmd_show(run *r, reg_err **errp)
{
	const reg_authority *a = reg_config_authority(r->cfg, errp);
	return a ? reg_authority_describe(a, r->imp.now, NULL, stdout, errp) : -1;
}

static int dispatch(run *r, int mode, reg_err **errp)
{
	reg_catalog *cat = NULL;
	int rc = -1;
	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (reg_config_now(r->cfg, &r->imp.now, errp) < 0 ||
	    (mode != SHOW && !(cat = reg_catalog_load(reg_config_catalog_path(r->cfg),
						      reg_config_schema_dir(r->cfg), errp))))
		goto out;
	r->spec.now = r->imp.now;
	r->spec.catalog = r->imp.catalog = cat;
	r->imp.public_path = r->n_args ? r->args[0] : NULL;
	if (mode == KEYGEN && !reg_catalog_find_department(cat, r->imp.dept))
		rc = reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "department '%s' is not in the "
				 "catalog", r->imp.dept);
	else
		rc = mode == NEW ? cmd_new(r, errp) : mode == KEYGEN ? cmd_keygen(r, errp)
		   : mode == IMPORT ? cmd_import(r, errp) : cmd_show(r, errp);
	if (reg_cli_close(stdout, "-", errp) < 0)
		rc = -1;
out:
	reg_catalog_free(cat);
	return rc;
}

/* What the mode needs; NULL when the command line makes sense. */
static const char *check(const run *r, int mode)
{
	if (!mode)
		return _("say what to do: new, keygen, import or show");
	if (mode == NEW && (!r->spec.division || r->n_args != 1))
		return _("new wants --division CODE and one DIR");
	if (mode == KEYGEN && (!r->imp.dept || !r->output || r->n_args))
		return _("keygen wants --dept DEPT and -o FILE.key");
	if (mode == IMPORT && (!r->imp.dept || !r->imp.from || r->n_args != 1))
		return _("import wants --dept DEPT, --from TIME and one PUBKEY");
	if (mode == SHOW && r->n_args)
		return _("show takes no argument (--authority FILE says which)");
	return NULL;
}

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"division", required_argument, NULL, OPT_DIVISION},
		{"name", required_argument, NULL, OPT_NAME},
		{"area", required_argument, NULL, OPT_AREA},
		{"time-zone", required_argument, NULL, OPT_ZONE},
		{"supervisor", required_argument, NULL, OPT_SUPERVISOR},
		{"external", required_argument, NULL, OPT_EXTERNAL},
		{"dept", required_argument, NULL, OPT_DEPT},
		{"output", required_argument, NULL, OPT_OUTPUT},
		{"from", required_argument, NULL, OPT_FROM},
		{"private", required_argument, NULL, OPT_PRIVATE},
		REG_CLI_CONFIG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	static const char *const names[] = {"new", "keygen", "import", "show"};
	const char **area = calloc((size_t)argc, sizeof *area);
	const char **external = calloc((size_t)argc, sizeof *external);
	run r = {.cfg = reg_config_new(), .spec = {.area = area, .external = external}};
	reg_err *err = NULL;
	int opt, code = 0, mode = 0;
	if (!area || !external || !r.cfg) {
		fprintf(stderr, _("%s: out of memory\n"), prog);
		code = REG_EINTERNAL;
		goto out;
	}
	for (int i = 0; argc > 1 && i < 4; i++)
		mode = strcmp(argv[1], names[i]) == 0 ? 1 << i : mode;
	if (mode) { /* the mode word goes; getopt's messages keep the program's name */
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	while ((opt = getopt_long(argc, argv, ":d:o:", longopts, NULL)) != -1) {
		if (opt == 'd' || opt == 'o')
			opt = opt == 'd' ? OPT_DEPT : OPT_OUTPUT;
		if (mode && opt >= OPT_DIVISION && opt < OPT_END &&
		    !(option_modes[opt - OPT_DIVISION] & mode)) {
			code = reg_cli_usage_error(prog, "%s does not go with this mode",
						   argv[optind - 1]);
			goto out;
		}
		switch (opt) {
		case OPT_DIVISION: r.spec.division = optarg; break;
		case OPT_NAME: r.spec.name = optarg; break;
		case OPT_AREA: area[r.spec.n_area++] = optarg; break;
		case OPT_ZONE: r.spec.time_zone = optarg; break;
		case OPT_SUPERVISOR: r.spec.supervisor = optarg; break;
		case OPT_EXTERNAL: external[r.spec.n_external++] = optarg; break;
		case OPT_DEPT: r.imp.dept = optarg; break;
		case OPT_OUTPUT: r.output = optarg; break;
		case OPT_FROM: r.imp.from = optarg; break;
		case OPT_PRIVATE: r.imp.private_path = optarg; break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(r.cfg, opt, optarg)) {
				code = reg_cli_option_error(prog, opt, argv);
				goto out;
			}
		}
	}
	r.args = argv + optind;
	r.n_args = argc - optind;
	const char *why = check(&r, mode);
	if (why)
		code = reg_cli_usage_error(prog, "%s", why);
	else if (dispatch(&r, mode, &err) < 0)
		code = reg_cli_fail(prog, err);
out:
	free(area);
	free(external);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return code;
}
