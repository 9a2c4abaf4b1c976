/*
 * configuration — one way for every tool to find its registry, catalog, authority, data and time.
 *
 * An option beats the environment beats the default (docs/architecture.md, "Configuration"):
 *   db         --db         REG_DB         ./registry.db
 *   catalog    --catalog    REG_CATALOG    DATADIR/schemas/catalog.xml
 *   authority  --authority  REG_AUTHORITY  DATADIR/fixtures/authority/authority.xml (test-only)
 *   now        --now        SOURCE_DATE_EPOCH, else the clock; --now without an offset is in
 *                                          the authority's zone
 *   window     --window     REG_WINDOW     "01"
 *   clerk      --clerk      REG_CLERK      the login name, else "clerk"
 * DATADIR is REG_DATADIR, else the installed share/regkit when it holds schemas/catalog.xml,
 * else the source tree (running uninstalled from a build directory).
 *
 * The authority and the current time are resolved on first use, so a tool that needs neither
 * never fails on them.  A config belongs to one run and is not shared between threads while it
 * may still resolve; read it freely once resolved.
 */
#ifndef REG_CONFIGURATION_H
#define REG_CONFIGURATION_H

#include <stdint.h>

#include "authority.h"
#include "errors.h"
#include "progress.h"

typedef enum reg_config_key {
	REG_CFG_DB,
	REG_CFG_CATALOG,
	REG_CFG_AUTHORITY,
	REG_CFG_NOW,
	REG_CFG_WINDOW,
	REG_CFG_CLERK,
	REG_CFG_DATADIR,
	REG_CFG_PROGRESS,   /* "always" (--progress) or "never" (--quiet); unset: auto */
	REG_CFG__COUNT
} reg_config_key;

typedef struct reg_config reg_config;

reg_config *reg_config_new(void);
/* A command-line value (copied); NULL clears it. */
void reg_config_set(reg_config *cfg, reg_config_key key, const char *value);

const char *reg_config_datadir(reg_config *cfg);
const char *reg_config_schema_dir(reg_config *cfg);        /* DATADIR/schemas */
/* DATADIR/schemas/NAME, owned by cfg until it is freed. */
const char *reg_config_schema_path(reg_config *cfg, const char *name);
const char *reg_config_db(reg_config *cfg);
const char *reg_config_catalog_path(reg_config *cfg);
const char *reg_config_authority_path(reg_config *cfg);
const char *reg_config_window(reg_config *cfg);
const char *reg_config_clerk(reg_config *cfg);

/* Loaded on first call, owned by cfg.  NULL with REG_ECONFIG when it cannot be loaded. */
const reg_authority *reg_config_authority(reg_config *cfg, reg_err **errp);
/* The run's "now", fixed once resolved so every record of a run carries the same instant. */
int reg_config_now(reg_config *cfg, int64_t *epoch, reg_err **errp);
/* The authority's offset (minutes) — the zone dates are printed in. */
int reg_config_offset(reg_config *cfg, int *offset_min, reg_err **errp);

/* An installed tool's folder: `rel` ("share/locale", as meson's options give it) below the prefix
 * the running executable is installed in (<prefix>/<bindir>/reg-x), or `rel` itself when it is
 * absolute; NULL when the executable is not installed (docs/install.md).  Caller frees. */
char *reg_prefix_path(const char *rel);
/* An uninstalled tool's build-tree folder: `rel` beside the folder of the running executable
 * (<build>/cmd/reg-x: <build>/rel).  Caller frees; NULL when out of memory. */
char *reg_build_path(const char *rel);

/* The processors online, at least 1 and at most `max`: the default number of threads of the
 * tools that take -j. */
unsigned reg_cores(unsigned max);

/* The run's progress line (libreg/progress.h), made at the first call with `unit` and the mode
 * REG_CFG_PROGRESS says, named after the program; the configuration's, ended and freed by
 * reg_config_free.  NULL (no progress) when out of memory. */
reg_progress *reg_config_progress(reg_config *cfg, const char *unit);
void reg_config_free(reg_config *cfg);

#endif
