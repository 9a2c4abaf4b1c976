#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "regkit-config.h"

const char *reg_i18n_localedir(void)
{
	const char *env = getenv("REG_LOCALEDIR");
	if (env && *env)
		return env;
	/* Installed when the installed data folder is there, as reg_config_datadir decides. */
	struct stat st;
	if (stat(REG_INSTALL_DATADIR "/schemas/catalog.xml", &st) == 0 && S_ISREG(st.st_mode))
		return REG_INSTALL_LOCALEDIR;
	return REG_BUILD_LOCALEDIR;
}

void reg_i18n_init(void)
{
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	bindtextdomain(REG_TEXTDOMAIN, reg_i18n_localedir());
	bind_textdomain_codeset(REG_TEXTDOMAIN, "UTF-8");
}
