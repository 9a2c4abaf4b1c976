#include "configuration.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "regkit-config.h"

struct reg_config {
	char *given[REG_CFG__COUNT];    /* command-line values */
	char *resolved[REG_CFG__COUNT]; /* after environment and defaults */
	char *schema_dir;
	char *schema_path;              /* the last reg_config_schema_path answer */
	reg_authority *authority;
	reg_progress *progress;
	bool installed;                 /* the data found beside an installed executable */
	bool now_resolved;
	int64_t now;
};

reg_config *reg_config_new(void)
{
	return calloc(1, sizeof(reg_config));
}

void reg_config_set(reg_config *cfg, reg_config_key key, const char *value)
{
	free(cfg->given[key]);
	cfg->given[key] = value ? strdup(value) : NULL;
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static char *join(const char *dir, const char *rest)
{
	char *out = NULL;
	return asprintf(&out, "%s/%s", dir, rest) < 0 ? NULL : out;
}

/* Option beats environment beats default; the answer is cached in cfg->resolved. */
static const char *resolve(reg_config *cfg, reg_config_key key, const char *env, char *dflt)
{
	if (!cfg->resolved[key]) {
		const char *v = cfg->given[key] ? cfg->given[key] : env ? env_nonempty(env) : NULL;
		if (v) {
			cfg->resolved[key] = strdup(v);
			free(dflt);
		} else {
			cfg->resolved[key] = dflt;
		}
	} else {
		free(dflt);
	}
	return cfg->resolved[key];
}

/* The folder of the running executable ("/usr/bin"), or NULL. */
static char *exe_dir(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return strdup(buf);
}

/* The install prefix of an executable in <prefix>/<bindir>, or NULL when it is not there. */
static char *installed_prefix(const char *dir)
{
	if (REG_BINDIR[0] == '/')
		return strcmp(dir, REG_BINDIR) == 0 ? strdup("/") : NULL;
	size_t n = strlen(dir), b = strlen(REG_BINDIR);
	if (n <= b || dir[n - b - 1] != '/' || strcmp(dir + n - b, REG_BINDIR) != 0)
		return NULL;
	return strndup(dir, n - b - 1 > 0 ? n - b - 1 : 1);
}

char *reg_prefix_path(const char *rel)
{
	char *dir = exe_dir(), *prefix = dir ? installed_prefix(dir) : NULL;
	char *out = prefix ? (rel[0] == '/' ? strdup(rel) : join(prefix, rel)) : NULL;
	free(prefix);
	free(dir);
	return out;
}

char *reg_build_path(const char *rel)
{
	char *dir = exe_dir(), *up = dir ? join(dir, "..") : NULL;
	char *out = up ? join(up, rel) : NULL;
	free(up);
	free(dir);
	return out;
}

/* An uninstalled tool: the source tree named by regkit-uninstalled in the build root. */
static char *source_tree(void)
{
	char *path = reg_build_path("regkit-uninstalled"), line[4096];
	FILE *f = path ? fopen(path, "r") : NULL;
	char *out = NULL;
	if (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '/')
			out = strdup(line);
	}
	if (f)
		fclose(f);
	free(path);
	return out;
}

/* Where the data is when REG_DATADIR does not say: beside the installed executable, else the
 * source tree of an uninstalled one, else (nothing found) the current folder, which then lacks
 * the catalog and says so by name.  *installed tells which. */
static char *find_datadir(bool *installed)
{
	char *data = reg_prefix_path(REG_DATADIR_REL);
	char *probe = data ? join(data, "schemas/catalog.xml") : NULL;
	*installed = probe && file_exists(probe);
	free(probe);
	if (*installed)
		return data;
	free(data);
	char *tree = source_tree();
	return tree ? tree : strdup(".");
}

const char *reg_config_datadir(reg_config *cfg)
{
	if (!cfg->resolved[REG_CFG_DATADIR]) {
		bool installed = false;
		bool chosen = cfg->given[REG_CFG_DATADIR] || env_nonempty("REG_DATADIR");
		resolve(cfg, REG_CFG_DATADIR, "REG_DATADIR", chosen ? NULL : find_datadir(&installed));
		cfg->installed = installed;
	}
	return cfg->resolved[REG_CFG_DATADIR];
}

const char *reg_config_schema_dir(reg_config *cfg)
{
	if (!cfg->schema_dir)
		cfg->schema_dir = join(reg_config_datadir(cfg), "schemas");
	return cfg->schema_dir;
}

const char *reg_config_schema_path(reg_config *cfg, const char *name)
{
	free(cfg->schema_path);
	cfg->schema_path = join(reg_config_schema_dir(cfg), name);
	return cfg->schema_path;
}

const char *reg_config_db(reg_config *cfg)
{
	return resolve(cfg, REG_CFG_DB, "REG_DB", strdup("./registry.db"));
}

const char *reg_config_catalog_path(reg_config *cfg)
{
	return resolve(cfg, REG_CFG_CATALOG, "REG_CATALOG",
		       join(reg_config_datadir(cfg), "schemas/catalog.xml"));
}

/* The default authority: an installed regkit has none but the one the deployment put in
 * <sysconfdir>/regkit (reg-authority new writes it); the source tree's is the TEST authority,
 * whose private keys are public (docs/install.md). */
static char *default_authority(reg_config *cfg)
{
	const char *data = reg_config_datadir(cfg);
	if (!cfg->installed)
		return join(data, "fixtures/authority/authority.xml");
	char *etc = reg_prefix_path(REG_SYSCONFDIR);
	char *out = etc ? join(etc, "regkit/authority.xml") : NULL;
	free(etc);
	return out;
}

const char *reg_config_authority_path(reg_config *cfg)
{
	return resolve(cfg, REG_CFG_AUTHORITY, "REG_AUTHORITY", default_authority(cfg));
}

const char *reg_config_window(reg_config *cfg)
{
	return resolve(cfg, REG_CFG_WINDOW, "REG_WINDOW", strdup("01"));
}

const char *reg_config_clerk(reg_config *cfg)
{
	const char *login = env_nonempty("LOGNAME");
	if (!login)
		login = env_nonempty("USER");
	return resolve(cfg, REG_CFG_CLERK, "REG_CLERK", strdup(login ? login : "clerk"));
}

const reg_authority *reg_config_authority(reg_config *cfg, reg_err **errp)
{
	if (!cfg->authority)
		cfg->authority = reg_authority_load(reg_config_authority_path(cfg), errp);
	return cfg->authority;
}

int reg_config_offset(reg_config *cfg, int *offset_min, reg_err **errp)
{
	const reg_authority *a = reg_config_authority(cfg, errp);
	if (!a)
		return -1;
	*offset_min = reg_authority_offset(a);
	return 0;
}

static int parse_epoch(const char *text, int64_t *out)
{
	char *end = NULL;
	long long v = strtoll(text, &end, 10);
	if (!*text || *end || v < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int reg_config_now(reg_config *cfg, int64_t *epoch, reg_err **errp)
{
	if (!cfg->now_resolved) {
		const char *sde = env_nonempty("SOURCE_DATE_EPOCH");
		if (cfg->given[REG_CFG_NOW]) {
			const char *text = cfg->given[REG_CFG_NOW];
			int offset = 0;
			/* Only a --now without an offset needs the authority's zone. */
			size_t n = strlen(text);
			bool has_offset = n > 10 && (text[n - 1] == 'Z' || (n >= 6 && text[n - 3] == ':' &&
						(text[n - 6] == '+' || text[n - 6] == '-')));
			if (!has_offset && reg_config_offset(cfg, &offset, errp) < 0)
				return -1;
			if (reg_time_parse(text, offset, &cfg->now, NULL, errp) < 0) {
				reg_err_prefix(*errp, "--now: ");
				return -1;
			}
		} else if (sde) {
			if (parse_epoch(sde, &cfg->now) < 0)
				return reg_err_set(errp, REG_ECONFIG, NULL, 0, NULL,
						   "SOURCE_DATE_EPOCH '%s' is not a number of seconds", sde);
		} else {
			cfg->now = (int64_t)time(NULL);
		}
		cfg->now_resolved = true;
	}
	*epoch = cfg->now;
	return 0;
}

unsigned reg_cores(unsigned max)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned long)n > max ? max : (unsigned)n;
}

reg_progress *reg_config_progress(reg_config *cfg, const char *unit)
{
	if (!cfg->progress) {
		const char *mode = resolve(cfg, REG_CFG_PROGRESS, NULL, NULL);
		cfg->progress = reg_progress_new(program_invocation_short_name, unit,
						 !mode ? REG_PROGRESS_AUTO
						 : strcmp(mode, "always") == 0 ? REG_PROGRESS_ALWAYS
									      : REG_PROGRESS_NEVER);
	}
	return cfg->progress;
}

void reg_config_free(reg_config *cfg)
{
	if (!cfg)
		return;
	reg_progress_free(cfg->progress);
	for (int i = 0; i < REG_CFG__COUNT; i++) {
		free(cfg->given[i]);
		free(cfg->resolved[i]);
	}
	free(cfg->schema_dir);
	free(cfg->schema_path);
	reg_authority_free(cfg->authority);
	free(cfg);
}
