/*
 * i18n — the translation of what regkit says to people (docs/i18n.md).
 *
 * Every message a person reads (an error's "what is wrong", a note on stderr, a tool's --help)
 * is written in English in the source and looked up in the "regkit" gettext domain at run time:
 *
 *   _("text")    the translation of text in the current locale's LC_MESSAGES, or text itself
 *   N_("text")   marks text for xgettext without translating it here (a table of messages, a
 *                format string handed to a function that translates it: reg_err_set and its
 *                kin translate their format themselves)
 *
 * libreg always looks in its own domain (dgettext), never in the program's, so it speaks the
 * same language in any program that links it.  Data is never looked up: registry rows, signed
 * reasons, archive contents, XML, TSV and CSV headers are the same bytes in every locale.
 */
#ifndef REG_I18N_H
#define REG_I18N_H

#include <libintl.h>

#define REG_TEXTDOMAIN "regkit"

#define _(msgid) dgettext(REG_TEXTDOMAIN, msgid)
#define N_(msgid) msgid

/*
 * Called once by a tool before anything else (reg_cli_init): take LC_CTYPE and LC_MESSAGES from
 * the environment (LC_ALL, LC_MESSAGES, LANG), leave every other category at "C" (numbers,
 * dates and sorting in outputs never depend on the clerk's machine), and bind the domain to its
 * catalogues: REG_LOCALEDIR when set, else the installed locale folder when regkit is installed,
 * else the build tree's po/ (running uninstalled).  Not thread-safe: the process's locale is
 * global, so call it from main before any thread starts.
 */
void reg_i18n_init(void);

/* The folder reg_i18n_init binds the domain to; caller frees (NULL when out of memory). */
char *reg_i18n_localedir(void);

#endif
