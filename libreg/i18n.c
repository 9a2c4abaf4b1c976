#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "configuration.h"
#include "regkit-config.h"

char *reg_i18n_localedir(void)
{
	const char *env = getenv("REG_LOCALEDIR");
	if (env && *env)
		return strdup(env);
	/* Found as the data is (docs/install.md): beside an installed executable, else in the
	 * build tree of an uninstalled one. */
	char *installed = reg_prefix_path(REG_LOCALEDIR_REL);
	return installed ? installed : reg_build_path("po");
}

void reg_i18n_init(void)
{
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	char *dir = reg_i18n_localedir();
	if (dir)
		bindtextdomain(REG_TEXTDOMAIN, dir);
	free(dir);
	bind_textdomain_codeset(REG_TEXTDOMAIN, "UTF-8");
}
