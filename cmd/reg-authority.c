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
#include "xml.h"

static const char prog[] = "reg-authority";

static void usage(void)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_CATALOG | REG_CLI_USES_AUTHORITY | REG_CLI_USES_NOW);
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
	       prog, prog, prog, prog, config ? config : "");
	free(config);
}

enum { NEW = REG_AUTHORITY_NEW, KEYGEN = REG_AUTHORITY_KEYGEN, IMPORT = REG_AUTHORITY_IMPORT,
       SHOW = REG_AUTHORITY_SHOW };
enum { OPT_DIVISION = 0x2000, OPT_NAME, OPT_AREA, OPT_ZONE, OPT_SUPERVISOR, OPT_EXTERNAL,
       OPT_DEPT, OPT_OUTPUT, OPT_FROM, OPT_PRIVATE, OPT_END };
/* Which modes take each option above. */
static const int option_modes[] = {NEW, NEW, NEW, NEW, NEW, NEW, KEYGEN | IMPORT, KEYGEN,
				   IMPORT, IMPORT};

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
		REG_CLI_OPT_CATALOG,
		REG_CLI_OPT_AUTHORITY,
		REG_CLI_OPT_NOW,
		REG_CLI_OPT_HELP_VERSION,
		{NULL, 0, NULL, 0},
	};
	static const char *const names[] = {"new", "keygen", "import", "show"};
	const char **area = calloc((size_t)argc, sizeof *area);
	const char **external = calloc((size_t)argc, sizeof *external);
	reg_authority_command r = {.prog = prog, .cfg = reg_config_new(),
				   .spec = {.area = area, .external = external}};
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
	r.mode = mode;
	const char *why = reg_authority_command_problem(&r);
	if (why)
		code = reg_cli_usage_error(prog, "%s", why);
	else if (reg_authority_command_run(&r, &err) < 0 || reg_cli_close(stdout, "-", &err) < 0)
		code = reg_cli_fail(prog, err);
out:
	free(area);
	free(external);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return code;
}
