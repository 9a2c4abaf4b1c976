#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "regkit-config.h"
#include "xml.h"

static fuzz_world world;
static int made;

const fuzz_world *fuzz_world_get(void)
{
	if (made)
		return &world;
	const char *dir = getenv("REG_DATADIR");
	world.datadir = dir && *dir ? dir : REG_SOURCE_DATADIR;
	snprintf(world.fixtures, sizeof world.fixtures, "%s/fixtures", world.datadir);
	world.cfg = reg_config_new();
	if (!world.cfg)
		abort();
	reg_config_set(world.cfg, REG_CFG_DATADIR, world.datadir);
	reg_config_set(world.cfg, REG_CFG_NOW, "2026-11-23T09:00:00+08:00");
	reg_xml_init(reg_config_schema_dir(world.cfg));
	reg_err *err = NULL;
	world.catalog = reg_catalog_load(reg_config_catalog_path(world.cfg),
					 reg_config_schema_dir(world.cfg), &err);
	if (!world.catalog || !reg_config_authority(world.cfg, &err) ||
	    !(world.checker = reg_apply_new(world.cfg, world.catalog, NULL, &err))) {
		reg_err_print(err, "fuzz: cannot load the data directory", stderr);
		abort();
	}
	made = 1;
	return &world;
}
