/* PostgreSQL backend: being written (this file is replaced before the change lands). */
#include "registry_backend.h"

#include <string.h>

bool db_target_is_pg(const char *target)
{
	return target && (strncmp(target, "postgresql://", 13) == 0 ||
			  strncmp(target, "postgres://", 11) == 0);
}

db *db_pg_open(const char *target, db_open_mode mode, int busy_ms, const db_ops **ops,
	       reg_err **errp)
{
	(void)mode, (void)busy_ms, (void)ops;
	reg_err_set(errp, REG_ECONFIG, target, 0, NULL, "PostgreSQL registries are not built yet");
	return NULL;
}
