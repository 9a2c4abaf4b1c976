#include "appform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "apply.h"
#include "clock.h"
#include "decimal.h"
#include "files.h"
#include "i18n.h"
#include "ids.h"
#include "names.h"
#include "utf8.h"

/* Longest answer read, in bytes: the scope's 4000 characters at 3 bytes each, with room. */
#define ANSWER_MAX 16384
/* Longest list a clerk types at the window; far above real applications. */
#define LIST_MAX 200
/* A history file larger than this is not read (readline would load all of it). */
#define HISTORY_FILE_MAX (1024 * 1024)
/* Completion lists longer than this are cut: type more to narrow them. */
#define SHOW_MAX 40
/* A draft larger than this is no draft of ours. */
#define DRAFT_FILE_MAX (1024 * 1024)
static const char draft_magic[] = "regkit form draft 1\n";

/* Tables ------------------------------------------------------------------------------------ */

static const struct legal_form {
	const char *id, *zh;
} legal_forms[] = {
	{"llc", "有限责任公司"},
	{"jsc", "股份有限公司"},
	{"sole", "个人独资企业"},
	{"partnership", "合伙企业"},
};
#define N_FORMS (sizeof legal_forms / sizeof *legal_forms)

/* GB/T 4754-2017 sections and the 2-digit divisions each spans. */
static const struct section {
	char letter;
	int lo, hi;
} sections[] = {
	{'A', 1, 5},   {'B', 6, 12},  {'C', 13, 43}, {'D', 44, 46}, {'E', 47, 50},
	{'F', 51, 52}, {'G', 53, 60}, {'H', 61, 62}, {'I', 63, 65}, {'J', 66, 69},
	{'K', 70, 70}, {'L', 71, 72}, {'M', 73, 75}, {'N', 76, 79}, {'O', 80, 82},
	{'P', 83, 83}, {'Q', 84, 85}, {'R', 86, 90}, {'S', 91, 96}, {'T', 97, 97},
};

/* Common GB/T 4754-2017 classes at a market-regulation window, for completion only: any
 * code whose division lies in its section is accepted. */
static const struct industry {
	const char *code, *name;
} industries[] = {
	{"A0111", "稻谷种植"},
	{"A0141", "蔬菜种植"},
	{"A0311", "牛的饲养"},
	{"A0314", "羊的饲养"},
	{"B0610", "烟煤和无烟煤开采洗选"},
	{"B0620", "褐煤开采洗选"},
	{"C1311", "稻谷加工"},
	{"C1512", "白酒制造"},
	{"C1515", "葡萄酒制造"},
	{"C2521", "炼焦"},
	{"C2614", "有机化学原料制造"},
	{"C3011", "水泥制造"},
	{"C3110", "炼铁"},
	{"C3120", "炼钢"},
	{"D4411", "火力发电"},
	{"D4415", "风力发电"},
	{"D4416", "太阳能发电"},
	{"D4430", "热力生产和供应"},
	{"D4610", "自来水生产和供应"},
	{"E4710", "住宅房屋建筑"},
	{"E5011", "公共建筑装饰和装修"},
	{"E5012", "住宅装饰和装修"},
	{"F5121", "米、面制品及食用油批发"},
	{"F5127", "酒、饮料及茶叶批发"},
	{"F5154", "医疗用品及器材批发"},
	{"F5161", "煤炭及制品批发"},
	{"F5162", "石油及制品批发"},
	{"F5164", "金属及金属矿批发"},
	{"F5165", "建材批发"},
	{"F5191", "再生物资回收与批发"},
	{"F5211", "百货零售"},
	{"F5212", "超级市场零售"},
	{"F5213", "便利店零售"},
	{"F5221", "粮油零售"},
	{"F5223", "果品、蔬菜零售"},
	{"F5226", "酒、饮料及茶叶零售"},
	{"F5261", "汽车新车零售"},
	{"F5265", "机动车燃油零售"},
	{"F5281", "五金零售"},
	{"G5431", "普通货物道路运输"},
	{"G5821", "货物运输代理"},
	{"G5920", "通用仓储"},
	{"G6020", "快递服务"},
	{"H6110", "旅游饭店"},
	{"H6121", "经济型连锁酒店"},
	{"H6129", "其他一般旅馆"},
	{"H6210", "正餐服务"},
	{"H6220", "快餐服务"},
	{"I6513", "应用软件开发"},
	{"I6531", "信息系统集成服务"},
	{"I6560", "信息技术咨询服务"},
	{"K7010", "房地产开发经营"},
	{"K7020", "物业管理"},
	{"K7030", "房地产中介服务"},
	{"K7040", "房地产租赁经营"},
	{"L7111", "汽车租赁"},
	{"L7212", "投资与资产管理"},
	{"L7241", "会计、审计及税务服务"},
	{"L7243", "社会经济咨询"},
	{"L7251", "互联网广告服务"},
	{"L7259", "其他广告服务"},
	{"L7263", "劳务派遣服务"},
	{"L7271", "安全服务"},
	{"L7291", "旅行社及相关服务"},
	{"M7481", "工程管理服务"},
	{"M7484", "工程设计活动"},
	{"M7515", "新能源技术推广服务"},
	{"M7516", "环保技术推广服务"},
	{"O8040", "理发及美容服务"},
	{"O8111", "汽车修理与维护"},
	{"P8391", "职业技能培训"},
};
#define N_INDUSTRIES (sizeof industries / sizeof *industries)

/* The form ------------------------------------------------------------------------------------ */

enum complete {
	C_NONE,     /* free text: TAB does nothing */
	C_FILE,     /* readline's own file-name completion */
	C_FORM,
	C_DIVISION,
	C_INDUSTRY,
	C_MATERIAL,
	C_ITEM,
	C_FIELD,    /* column names, at the change question */
};

typedef struct form {
	const reg_form_options *opt;
	FILE *out;
	bool tty;
	enum complete kind;      /* what TAB completes at the current question */
	const char *prompt;      /* the current question, to repeat after a completion list */
	char *v[REG_COL__COUNT]; /* the answers, in the columns' syntax */
	char **taken;            /* material ids TAB no longer offers (given or committed) */
	size_t n_taken;
	bool history_on;         /* opt->history is usable */
	int history_added;       /* lines this session added to the history list */
	bool done[REG_COL__COUNT]; /* the question of the column answered (or resumed) */
	bool draft_on;           /* opt->draft is written */
	bool draft_written;      /* and holds this form's answers */
	bool interrupted;        /* end of input (not "abandon") */
	reg_err *failure;        /* what stopped the form other than memory (the registry) */
} form;

/* readline calls the completion hooks without user data: this is how they find the form.  Set
 * only while reg_form_run runs (and restored after), like every readline global it touches. */
static form *current;

static int oom(void)
{
	return -1;
}

/* A failure of the checks themselves (the registry busy or gone): the form stops. */
static int fail(form *f, reg_err **err)
{
	reg_err_append(&f->failure, err);
	return -1;
}

/* Print "  COLUMN: reason" for a refused answer, the reason's format in the reader's language
 * (i18n.h); returns 0 (refused). */
static int refuse(form *f, const char *what, const char *fmt, ...) REG_PRINTF(3, 4);
static int refuse(form *f, const char *what, const char *fmt, ...)
{
	va_list ap;
	fprintf(f->out, "  %s: ", what);
	va_start(ap, fmt);
	vfprintf(f->out, _(fmt), ap);
	va_end(ap);
	fputc('\n', f->out);
	return 0;
}

static void set_value(form *f, reg_column c, char *value)
{
	free(f->v[c]);
	f->v[c] = value;
}

/* Text ----------------------------------------------------------------------------------------- */

/* Number of characters in valid UTF-8 without control characters (C0, DEL, C1), or -1. */
static long text_chars(const char *s)
{
	size_t n = strlen(s);
	long count = 0;
	for (size_t i = 0, k; i < n; i += k, count++) {
		uint32_t cp;
		if (!(k = reg_utf8_next(s + i, n - i, &cp)) || reg_utf8_is_control(cp))
			return -1;
	}
	return count;
}

static bool is_space_at(const char *s, size_t *len)
{
	if (*s == ' ' || *s == '\t') {
		*len = 1;
		return true;
	}
	if (strncmp(s, "\xE3\x80\x80", 3) == 0) {
		*len = 3;
		return true;
	}
	return false;
}

/* Drop surrounding ASCII blanks and U+3000 in place. */
static char *trim(char *s)
{
	size_t k;
	while (*s && is_space_at(s, &k))
		s += k;
	size_t n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	return s;
}

static void upcase(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A catalog id: [a-z][a-z0-9]*(-[a-z0-9]+)*, at most 64 characters (schemas/dossier.xsd). */
static bool id_syntax(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
		if (!ok || (c == '-' && s[i + 1] == '-'))
			return false;
	}
	return true;
}

static bool in_list(const char *const *list, const char *s, size_t *index)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], s) == 0) {
			if (index)
				*index = i;
			return true;
		}
	return false;
}

/* Append "sep + piece" (or just piece when *text is NULL) to a malloc'd string. */
static int append(char **text, char sep, const char *piece)
{
	size_t old = *text ? strlen(*text) : 0, add = strlen(piece);
	char *grown = realloc(*text, old + add + 2);
	if (!grown)
		return oom();
	if (old)
		grown[old++] = sep;
	memcpy(grown + old, piece, add + 1);
	*text = grown;
	return 0;
}

/* The first `max` bytes of s cut at a character boundary, with "…" when cut. */
static char *shorten(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return strdup(s);
	max = reg_utf8_cut(s, n, max);
	char *out = malloc(max + 4);
	if (out) {
		memcpy(out, s, max);
		memcpy(out + max, "…", 4);
	}
	return out;
}

/* Completion ----------------------------------------------------------------------------------- */

static bool is_taken(const form *f, const char *id)
{
	for (size_t i = 0; i < f->n_taken; i++)
		if (strcmp(f->taken[i], id) == 0)
			return true;
	return false;
}

static int take(form *f, const char *id)
{
	char **grown = realloc(f->taken, (f->n_taken + 1) * sizeof *grown);
	if (!grown)
		return oom();
	f->taken = grown;
	if (!(f->taken[f->n_taken] = strdup(id)))
		return oom();
	f->n_taken++;
	return 0;
}

static void untake_all(form *f)
{
	for (size_t i = 0; i < f->n_taken; i++)
		free(f->taken[i]);
	free(f->taken);
	f->taken = NULL;
	f->n_taken = 0;
}

/* The i-th candidate of the current question's enumeration; false past the end. */
static bool candidate(const form *f, size_t i, const char **word, const char **desc)
{
	*desc = NULL;
	switch (f->kind) {
	case C_FORM:
		if (i >= N_FORMS)
			return false;
		*word = legal_forms[i].id;
		*desc = legal_forms[i].zh;
		return true;
	case C_DIVISION:
		return reg_division_at(i, word, desc);
	case C_INDUSTRY:
		if (i >= N_INDUSTRIES)
			return false;
		*word = industries[i].code;
		*desc = industries[i].name;
		return true;
	case C_MATERIAL:
		if (!f->opt->material_ids || !f->opt->material_ids[i])
			return false;
		*word = f->opt->material_ids[i];
		*desc = f->opt->material_names ? f->opt->material_names[i] : NULL;
		return true;
	case C_ITEM:
		if (!f->opt->item_ids || !f->opt->item_ids[i])
			return false;
		*word = f->opt->item_ids[i];
		return true;
	case C_FIELD:
		if (i >= REG_COL__COUNT)
			return false;
		*word = reg_column_name((reg_column)i);
		*desc = reg_column_alias((reg_column)i);
		return true;
	case C_NONE:
	case C_FILE:
		break;
	}
	return false;
}

/* Matches for TAB: words starting with the text (ASCII case ignored), or whose description
 * contains it ("海勃湾" finds 150302).  readline's array: [0] what replaces the text, then the
 * matches, then NULL. */
static char **complete(const char *text, int start, int end)
{
	(void)start, (void)end;
	form *f = current;
	if (!f || f->kind == C_FILE)
		return NULL; /* readline completes file names */
	rl_attempted_completion_over = 1;
	rl_completion_append_character = '\0';
	size_t tlen = strlen(text), n = 0, cap = 0;
	bool by_prefix = true;
	char **m = NULL;
	const char *word, *desc;
	for (size_t i = 0; candidate(f, i, &word, &desc); i++) {
		if (f->kind == C_MATERIAL && is_taken(f, word))
			continue;
		bool prefix = strncasecmp(word, text, tlen) == 0;
		if (!prefix && !(tlen && desc && strstr(desc, text)))
			continue;
		by_prefix = by_prefix && prefix;
		if (n + 2 >= cap) {
			cap = cap ? 2 * cap : 16;
			char **grown = realloc(m, cap * sizeof *grown);
			if (!grown)
				goto fail;
			m = grown;
		}
		if (!(m[++n] = strdup(word)))
			goto fail;
		m[n + 1] = NULL;
	}
	if (n == 0)
		return NULL;
	if (n == 1) {
		m[0] = m[1];
		m[1] = NULL;
		return m;
	}
	/* Several: the longest common prefix replaces a prefix, a name fragment stays. */
	size_t common = strlen(m[1]);
	for (size_t i = 2; i <= n; i++) {
		size_t k = 0;
		while (k < common && m[i][k] == m[1][k])
			k++;
		common = k;
	}
	m[0] = by_prefix && common >= tlen ? strndup(m[1], common) : strdup(text);
	if (!m[0])
		goto fail;
	return m;
fail:
	for (size_t i = 1; m && i <= n; i++)
		free(m[i]);
	free(m);
	return NULL;
}

static const char *description_of(const form *f, const char *word)
{
	const char *w, *desc;
	for (size_t i = 0; candidate(f, i, &w, &desc); i++)
		if (strcmp(w, word) == 0)
			return desc;
	return NULL;
}

/* The list of matches with their names ("150302  内蒙古自治区乌海市海勃湾区"), cut at SHOW_MAX
 * lines: readline's own list would show the bare codes and ask before long lists. */
static void show_matches(char **matches, int n, int max_length)
{
	form *f = current;
	if (!f)
		return;
	fputc('\n', f->out);
	for (int i = 1; i <= n && i <= SHOW_MAX; i++) {
		const char *desc = description_of(f, matches[i]);
		fprintf(f->out, "  %-*s  %s\n", max_length, matches[i], desc ? desc : "");
	}
	if (n > SHOW_MAX)
		fprintf(f->out, _("  … %d more: type more to narrow the list\n"), n - SHOW_MAX);
	if (!f->tty && f->prompt)
		fputs(f->prompt, f->out); /* the answer follows it once read */
	fflush(f->out);
	rl_on_new_line();
	rl_forced_update_display();
}

static char *word_breaks(void)
{
	static char breaks[] = " \t;,"; /* requests are lists: "1;3;foreign-tr<TAB>" */
	form *f = current;
	return f && f->kind == C_FILE ? NULL : breaks;
}

/* On piped input readline must not draw: the form prints the transcript itself. */
static void no_redisplay(void)
{
}

/* readline's globals, as the caller had them ----------------------------------------------- */

typedef struct saved_rl {
	FILE *in, *out;
	const char *name;
	rl_completion_func_t *attempted;
	rl_compdisp_func_t *display;
	rl_cpvfunc_t *word_break;
	rl_vintfunc_t *prep;
	rl_voidfunc_t *deprep, *redisplay;
	int catch_signals, catch_sigwinch, change_environment;
	char meta[3][8];
	HISTORY_STATE *history;
	int stifled, history_max, history_base;
	form *current;
} saved_rl;

static const char *const meta_vars[3] = {"input-meta", "output-meta", "convert-meta"};
static const char *const meta_values[3] = {"on", "on", "off"};

static int rl_install(form *f, FILE *in, saved_rl *s)
{
	s->history = history_get_history_state();
	if (!s->history)
		return oom();
	s->stifled = history_is_stifled();
	s->history_max = history_max_entries;
	s->history_base = history_base;
	s->in = rl_instream;
	s->out = rl_outstream;
	s->name = rl_readline_name;
	s->attempted = rl_attempted_completion_function;
	s->display = rl_completion_display_matches_hook;
	s->word_break = rl_completion_word_break_hook;
	s->prep = rl_prep_term_function;
	s->deprep = rl_deprep_term_function;
	s->redisplay = rl_redisplay_function;
	s->catch_signals = rl_catch_signals;
	s->catch_sigwinch = rl_catch_sigwinch;
	s->change_environment = rl_change_environment;
	s->current = current;

	rl_instream = in;
	rl_outstream = f->out;
	rl_readline_name = "regkit";
	rl_change_environment = 0;
	if (!f->tty) {
		rl_prep_term_function = NULL;
		rl_deprep_term_function = NULL;
		rl_redisplay_function = no_redisplay;
		rl_catch_signals = 0;
		rl_catch_sigwinch = 0;
	}
	/* Initialize now (once per process readline reads ~/.inputrc here), so the meta
	 * settings below are not overridden by the first readline() call. */
	rl_initialize();
	for (int i = 0; i < 3; i++) {
		const char *v = rl_variable_value(meta_vars[i]);
		snprintf(s->meta[i], sizeof s->meta[i], "%s", v ? v : "off");
		rl_variable_bind(meta_vars[i], meta_values[i]);
	}
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_completion_word_break_hook = word_breaks;
	current = f;

	/* Our own history list: empty, then the file's lines. */
	HISTORY_STATE empty = {0};
	history_set_history_state(&empty);
	unstifle_history();
	history_base = 1;
	return 0;
}

static void rl_restore(saved_rl *s)
{
	rl_clear_history();
	HISTORY_STATE *ours = history_get_history_state();
	if (ours) {
		free(ours->entries);
		free(ours);
	}
	history_set_history_state(s->history);
	free(s->history);
	if (s->stifled)
		stifle_history(s->history_max);
	else
		unstifle_history();
	history_max_entries = s->history_max;
	history_base = s->history_base;

	for (int i = 0; i < 3; i++)
		rl_variable_bind(meta_vars[i], s->meta[i]);
	rl_instream = s->in;
	rl_outstream = s->out;
	rl_readline_name = s->name;
	rl_attempted_completion_function = s->attempted;
	rl_completion_display_matches_hook = s->display;
	rl_completion_word_break_hook = s->word_break;
	rl_prep_term_function = s->prep;
	rl_deprep_term_function = s->deprep;
	rl_redisplay_function = s->redisplay;
	rl_catch_signals = s->catch_signals;
	rl_catch_sigwinch = s->catch_sigwinch;
	rl_change_environment = s->change_environment;
	current = s->current;
}

/* History file ------------------------------------------------------------------------------ */

char *reg_form_history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	char *path = NULL;
	if (state && state[0] == '/') {
		if (asprintf(&path, "%s/regkit/history", state) < 0)
			return NULL;
		return path;
	}
	const char *home = getenv("HOME");
	if (home && home[0] == '/') {
		if (asprintf(&path, "%s/.local/state/regkit/history", home) < 0)
			return NULL;
		return path;
	}
	return NULL;
}

/* Create the missing directories above `path`, 0700 (XDG: user-private state). */
static int make_parents(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int r = 0;
	for (char *p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
			r = -1;
			break;
		}
		*p = '/';
	}
	int saved = errno;
	free(copy);
	errno = saved;
	return r;
}

static void history_open(form *f)
{
	const char *path = f->opt->history;
	if (!path || !*path)
		return;
	if (make_parents(path) < 0) {
		fprintf(f->out, _("history not kept: cannot create the directory of '%s': %s\n"), path,
			strerror(errno));
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		fprintf(f->out, _("history not kept: cannot open '%s': %s\n"), path, strerror(errno));
		return;
	}
	struct stat st;
	bool usable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= HISTORY_FILE_MAX;
	close(fd);
	if (!usable) {
		fprintf(f->out, _("history not kept: '%s' is not a regular file of at most %d bytes\n"),
			path, HISTORY_FILE_MAX);
		return;
	}
	int e = read_history(path);
	if (e != 0) {
		fprintf(f->out, _("history not kept: cannot read '%s': %s\n"), path, strerror(e));
		return;
	}
	f->history_on = true;
}

static void history_close(form *f)
{
	if (!f->history_on || f->history_added == 0)
		return;
	int e = append_history(f->history_added, f->opt->history);
	if (e == 0)
		e = history_truncate_file(f->opt->history, REG_FORM_HISTORY_MAX);
	if (e != 0)
		fprintf(f->out, _("history not kept: cannot write '%s': %s\n"), f->opt->history,
			strerror(e));
}

/* Reading one answer ----------------------------------------------------------------------- */

/* Read one line at `prompt`: 1 with the trimmed answer in *answer (malloc'd), 0 at end of
 * input, -1 out of memory.  `remember` puts a non-empty answer into the history. */
static int ask(form *f, const char *prompt, enum complete kind, bool remember, char **answer)
{
	*answer = NULL;
	for (;;) {
		f->kind = kind;
		f->prompt = prompt;
		if (!f->tty)
			fputs(prompt, f->out);
		fflush(f->out);
		char *line = readline(f->tty ? prompt : "");
		f->prompt = NULL;
		if (!line) {
			/* End the prompt's line; on a terminal readline already does when
			 * bracketed paste was on. */
			const char *paste = rl_variable_value("enable-bracketed-paste");
			if (!f->tty || !paste || strcmp(paste, "on") != 0)
				fputc('\n', f->out);
			f->interrupted = true;
			return 0;
		}
		char *t = trim(line);
		if (!f->tty) {
			/* The transcript shows the answer, control characters as '?'. */
			for (const char *p = t; *p; p++)
				fputc((unsigned char)*p < 0x20 || *p == 0x7F ? '?' : *p, f->out);
			fputc('\n', f->out);
		}
		if (strlen(t) > ANSWER_MAX) {
			free(line);
			fprintf(f->out, _("  answer longer than %d bytes\n"), ANSWER_MAX);
			continue;
		}
		if (remember && *t) {
			add_history(t);
			f->history_added++;
		}
		*answer = strdup(t);
		free(line);
		return *answer ? 1 : oom();
	}
}

static const char *kind_hint(enum complete kind)
{
	switch (kind) {
	case C_FORM:
	case C_DIVISION:
	case C_INDUSTRY:
	case C_MATERIAL:
	case C_ITEM:
	case C_FIELD:
		return _(" (TAB lists the choices)");
	case C_FILE:
		return _(" (TAB completes file names)");
	case C_NONE:
		break;
	}
	return "";
}

static void help(form *f, reg_column c, enum complete kind)
{
	fprintf(f->out, "  %s %s: %s%s\n", reg_column_alias(c), reg_column_name(c),
		reg_column_description(c), kind_hint(kind));
}

/* Checks: 1 accepted (*value set, malloc'd), 0 refused (reason printed), -1 out of memory. */
typedef int check_fn(form *f, reg_column c, const char *answer, char **value);

static int give(char **value, const char *text)
{
	*value = strdup(text);
	return *value ? 1 : oom();
}

static int check_text(form *f, reg_column c, const char *answer, char **value, long max)
{
	long n = text_chars(answer);
	if (n < 0)
		return refuse(f, reg_column_name(c), "not valid UTF-8 text (control characters?)");
	if (n > max)
		return refuse(f, reg_column_name(c), "%ld characters, at most %ld", n, max);
	return give(value, answer);
}

static int check_address(form *f, reg_column c, const char *answer, char **value)
{
	return check_text(f, c, answer, value, 200);
}

static int check_scope(form *f, reg_column c, const char *answer, char **value)
{
	return check_text(f, c, answer, value, 4000);
}

/* The column a problem's field names (a CSV column name), or -1. */
static int column_of_field(const char *field)
{
	for (int c = 0; field && c < REG_COL__COUNT; c++)
		if (strcmp(field, reg_column_name((reg_column)c)) == 0)
			return c;
	return -1;
}

/* Print every problem of a chain as "  FIELD: message" (`what` when it names no column);
 * 0 (refused), or -1 when the chain holds a failure rather than problems.  *concerned, when
 * not NULL, is the first problem's column (-1: none). */
static int print_problems(form *f, const char *what, reg_err **err, int *concerned)
{
	if (concerned)
		*concerned = -1;
	for (const reg_err *e = *err; e; e = reg_err_next(e))
		if (reg_err_code(e) != REG_ENO)
			return fail(f, err);
	for (const reg_err *e = *err; e; e = reg_err_next(e)) {
		int c = column_of_field(reg_err_field(e));
		if (concerned && *concerned < 0)
			*concerned = c;
		if (reg_err_more(e))
			refuse(f, what, dngettext(REG_TEXTDOMAIN, "and %zu more problem",
						  "and %zu more problems", reg_err_more(e)),
			       reg_err_more(e));
		else
			refuse(f, c >= 0 ? reg_column_name((reg_column)c) : what, "%s",
			       reg_err_message(e));
	}
	reg_err_clear(err);
	return 0;
}

static int print_name_problems(form *f, const char *what, reg_err **err)
{
	return print_problems(f, what, err, NULL);
}

/* A person's (or, for shareholders, a company's) name: the list syntax reserves ':' and ';'. */
static int check_person(form *f, const char *what, const char *answer, char **value, long max)
{
	long n = text_chars(answer);
	if (n < 0)
		return refuse(f, what, "not valid UTF-8 text (control characters?)");
	if (n > max)
		return refuse(f, what, "%ld characters, at most %ld", n, max);
	if (strpbrk(answer, ":;"))
		return refuse(f, what, "':' and ';' cannot stand in a name");
	return give(value, answer);
}

/* The legal representative and the financial officer, as acceptance will check them. */
static int check_person_name(form *f, reg_column c, const char *answer, char **value)
{
	reg_err *err = NULL;
	int r = reg_person_name_check(answer, &err) < 0
		? print_name_problems(f, reg_column_name(c), &err)
		: check_person(f, reg_column_name(c), answer, value, REG_PERSON_NAME_MAX_CHARS);
	reg_err_free(err);
	return r;
}

static int check_form(form *f, reg_column c, const char *answer, char **value)
{
	for (size_t i = 0; i < N_FORMS; i++)
		if (strcasecmp(answer, legal_forms[i].id) == 0 || strcmp(answer, legal_forms[i].zh) == 0)
			return give(value, legal_forms[i].id);
	if (strcmp(answer, "有限公司") == 0)
		return give(value, "llc");
	char *q = shorten(answer, 40);
	refuse(f, reg_column_name(c), "'%s' is not a legal form: llc, jsc, sole or partnership",
	       q ? q : "");
	free(q);
	return 0;
}

/* A division of the table: within the authority's area too, when acceptance checks with us. */
static int give_division(form *f, const char *code, char **value)
{
	reg_err *err = NULL;
	if (f->opt->apply && reg_apply_check_division(f->opt->apply, code, &err) < 0)
		return print_problems(f, "division", &err, NULL);
	return give(value, code);
}

static int check_division(form *f, reg_column c, const char *answer, char **value)
{
	size_t n = strlen(answer);
	if (n == 6 && all_digits(answer, 6)) {
		if (reg_division_known(answer))
			return give_division(f, answer, value);
		return refuse(f, reg_column_name(c), "division '%s' is not in the GB/T 2260 table",
			      answer);
	}
	/* A name: the full one, or a short one that names a single division. */
	const char *code, *full, *found = NULL;
	int hits = 0;
	for (size_t i = 0; reg_division_at(i, &code, &full); i++) {
		if (strcmp(full, answer) == 0) {
			found = code;
			hits = 1;
			break;
		}
		const char *shortname = reg_division_short_name(code);
		if (shortname && strcmp(shortname, answer) == 0) {
			found = code;
			hits++;
		}
	}
	char *q = shorten(answer, 40);
	if (hits == 1) {
		free(q);
		return give_division(f, found, value);
	}
	if (hits > 1)
		refuse(f, reg_column_name(c), "'%s' names %d divisions: type the code (TAB lists them)",
		       q ? q : "", hits);
	else
		refuse(f, reg_column_name(c), "'%s' is not a division code (six digits) or name in the "
		       "table", q ? q : "");
	free(q);
	return 0;
}

/* The name rules for the form and division answered, and — when acceptance checks with us —
 * the registry: a name taken is refused at its question.  0 passes, -1 with *err set. */
static int name_check(form *f, const char *name, reg_err **err)
{
	if (f->opt->apply)
		return reg_apply_check_name(f->opt->apply, name, f->v[REG_COL_FORM],
					    f->v[REG_COL_DIVISION], err);
	return reg_name_check(name, f->v[REG_COL_FORM], f->v[REG_COL_DIVISION], err);
}

static int check_name(form *f, reg_column c, const char *answer, char **value)
{
	(void)c;
	reg_err *err = NULL;
	char *name = reg_name_normalize(answer, &err);
	int r = 0;
	if (!name) {
		r = print_name_problems(f, "name", &err);
		goto out;
	}
	if (name_check(f, name, &err) < 0) {
		r = print_name_problems(f, "name", &err);
		goto out;
	}
	if (strcmp(name, answer) != 0)
		fprintf(f->out, _("  name: written as '%s'\n"), name);
	*value = name;
	name = NULL;
	r = 1;
out:
	free(name);
	reg_err_free(err);
	return r;
}

static int check_capital(form *f, reg_column c, const char *answer, char **value)
{
	int64_t h;
	reg_err *err = NULL;
	if (reg_decimal_parse(answer, &h, &err) < 0) {
		refuse(f, reg_column_name(c), "%s", reg_err_message(err));
		reg_err_free(err);
		return 0;
	}
	if (h <= 0)
		return refuse(f, reg_column_name(c), "must be more than zero");
	if (h >= 100000000000000000LL)
		return refuse(f, reg_column_name(c), "at most 15 digits before the point");
	char buf[REG_DECIMAL_BUFSIZE];
	reg_decimal_format(h, buf, sizeof buf);
	return give(value, buf);
}

static const char *industry_name(const char *code)
{
	for (size_t i = 0; code && i < N_INDUSTRIES; i++)
		if (strcmp(industries[i].code, code) == 0)
			return industries[i].name;
	return NULL;
}

static int check_industry(form *f, reg_column c, const char *answer, char **value)
{
	char code[8];
	size_t n = strlen(answer);
	if (n != 5 || !all_digits(answer + 1, 4)) {
		/* A class name from the table ("百货零售") stands for its code. */
		for (size_t i = 0; i < N_INDUSTRIES; i++)
			if (strcmp(industries[i].name, answer) == 0)
				return give(value, industries[i].code);
		return refuse(f, reg_column_name(c),
			      "not a GB/T 4754 code: a section letter and 4 digits, e.g. F5211");
	}
	memcpy(code, answer, 6);
	upcase(code);
	int division = (code[1] - '0') * 10 + (code[2] - '0');
	for (size_t i = 0; i < sizeof sections / sizeof *sections; i++) {
		if (sections[i].letter != code[0])
			continue;
		if (division < sections[i].lo || division > sections[i].hi)
			return refuse(f, reg_column_name(c),
				      "division %02d is not in section %c (%02d-%02d)", division,
				      code[0], sections[i].lo, sections[i].hi);
		return give(value, code);
	}
	return refuse(f, reg_column_name(c), "section '%c' does not exist: A to T", code[0]);
}

/* A citizen id for a person in the form: valid, born by today, at least `min_age`. */
static int citizen_id(form *f, const char *what, const char *answer, char **value, int min_age)
{
	char id[REG_CITIZEN_ID_LEN + 1];
	if (strlen(answer) > REG_CITIZEN_ID_LEN)
		return refuse(f, what, "%s", reg_citizen_id_check(answer).message);
	snprintf(id, sizeof id, "%s", answer);
	upcase(id);
	reg_id_result r = reg_citizen_id_check(id);
	if (r.rule != REG_ID_OK)
		return refuse(f, what, "%s", r.message);
	const reg_form_options *o = f->opt;
	int age = reg_citizen_id_age(id, o->today_year, o->today_month, o->today_day);
	if (age < 0)
		return refuse(f, what, "the birth date is after today");
	if (age < min_age)
		return refuse(f, what, "must be at least %d years old, is %d", min_age, age);
	return give(value, id);
}

static int check_legal_rep_id(form *f, reg_column c, const char *answer, char **value)
{
	return citizen_id(f, reg_column_name(c), answer, value, 18);
}

static int check_citizen_id(form *f, reg_column c, const char *answer, char **value)
{
	return citizen_id(f, reg_column_name(c), answer, value, 0);
}

/* \+?[0-9][0-9-]{2,31}, the schema's phone. */
static int check_phone(form *f, reg_column c, const char *answer, char **value)
{
	const char *p = answer + (answer[0] == '+');
	size_t n = strlen(p);
	bool ok = n >= 3 && n <= 32 && p[0] >= '0' && p[0] <= '9';
	for (size_t i = 1; ok && i < n; i++)
		ok = (p[i] >= '0' && p[i] <= '9') || p[i] == '-';
	if (!ok)
		return refuse(f, reg_column_name(c),
			      "digits and '-', an optional leading '+', 3 to 32 characters");
	return give(value, answer);
}

static int check_staff(form *f, reg_column c, const char *answer, char **value)
{
	size_t n = strlen(answer);
	if (n == 0 || n > 12 || !all_digits(answer, n))
		return refuse(f, reg_column_name(c), "a whole number of people, e.g. 12");
	long staff = strtol(answer, NULL, 10);
	if (staff > 10000000)
		return refuse(f, reg_column_name(c), "at most 10000000");
	char buf[24];
	snprintf(buf, sizeof buf, "%ld", staff);
	return give(value, buf);
}

/* Item numbers or ids, separated by ';' or ','; kept joined by ';'. */
static int check_requests(form *f, reg_column c, const char *answer, char **value)
{
	const char *what = reg_column_name(c);
	const char *const *items = f->opt->item_ids;
	size_t count = 0;
	while (items && items[count])
		count++;
	char *copy = strdup(answer), *text = NULL, *save = NULL;
	char **seen = NULL;
	size_t n_seen = 0;
	int r = -1;
	if (!copy)
		return oom();
	for (char *tok = strtok_r(copy, ";,", &save); tok; tok = strtok_r(NULL, ";,", &save)) {
		tok = trim(tok);
		if (!*tok)
			continue;
		size_t len = strlen(tok);
		if (all_digits(tok, len)) {
			long num = len <= 3 ? strtol(tok, NULL, 10) : 0;
			if (num < 1 || (items && (size_t)num > count)) {
				r = refuse(f, what, "no catalog item number %.20s", tok);
				goto out;
			}
		} else if (!id_syntax(tok) || (items && !in_list(items, tok, NULL))) {
			char *q = shorten(tok, 40);
			r = items ? refuse(f, what, "'%s' is not a catalog item (TAB lists them)",
					   q ? q : "")
				  : refuse(f, what, "'%s' is not a catalog item", q ? q : "");
			free(q);
			goto out;
		}
		for (size_t i = 0; i < n_seen; i++)
			if (strcmp(seen[i], tok) == 0) {
				r = refuse(f, what, "'%s' requested twice", tok);
				goto out;
			}
		char **grown = realloc(seen, (n_seen + 1) * sizeof *grown);
		if (!grown)
			goto out;
		seen = grown;
		seen[n_seen++] = tok;
		if (append(&text, ';', tok) < 0)
			goto out;
	}
	if (!text) {
		r = refuse(f, what, "no item given");
		goto out;
	}
	*value = text;
	text = NULL;
	r = 1;
out:
	free(seen);
	free(text);
	free(copy);
	return r;
}

/* Scalar fields --------------------------------------------------------------------------- */

static const struct field {
	reg_column col;
	enum complete kind;
	bool remember; /* into the history: never ids or phone numbers */
	check_fn *check;
} fields[] = {
	{REG_COL_NAME, C_NONE, true, check_name},
	{REG_COL_FORM, C_FORM, true, check_form},
	{REG_COL_CAPITAL, C_NONE, true, check_capital},
	{REG_COL_DIVISION, C_DIVISION, true, check_division},
	{REG_COL_ADDRESS, C_NONE, true, check_address},
	{REG_COL_SCOPE, C_NONE, true, check_scope},
	{REG_COL_INDUSTRY, C_INDUSTRY, true, check_industry},
	{REG_COL_LEGAL_REP_NAME, C_NONE, true, check_person_name},
	{REG_COL_LEGAL_REP_ID, C_NONE, false, check_legal_rep_id},
	{REG_COL_LEGAL_REP_PHONE, C_NONE, false, check_phone},
	{REG_COL_FINANCE_OFFICER_NAME, C_NONE, true, check_person_name},
	{REG_COL_FINANCE_OFFICER_ID, C_NONE, false, check_citizen_id},
	{REG_COL_STAFF, C_NONE, true, check_staff},
	{REG_COL_CONTACT_PHONE, C_NONE, false, check_phone},
	{REG_COL_REQUESTS, C_ITEM, true, check_requests},
};

static const struct field *field_of(reg_column c)
{
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (fields[i].col == c)
			return &fields[i];
	return NULL;
}

/* Ask a one-value column until it is acceptable.  `def` is what an empty answer means (the
 * authority's division, or the current value when editing); without one an empty answer
 * leaves an optional column empty.  "-" clears an optional column. */
static int ask_value(form *f, reg_column c, bool required, const char *def)
{
	const struct field *fd = field_of(c);
	char *shown = def ? shorten(def, 40) : NULL, *prompt = NULL, *answer = NULL;
	int r = -1;
	if (def && !shown)
		return oom();
	if (asprintf(&prompt, "%s %s%s%s%s%s: ", reg_column_alias(c), reg_column_name(c),
		     required ? "" : _(" (optional)"), shown ? " [" : "", shown ? shown : "",
		     shown ? "]" : "") < 0) {
		prompt = NULL;
		goto out;
	}
	for (;;) {
		free(answer);
		r = ask(f, prompt, fd->kind, fd->remember, &answer);
		if (r <= 0)
			goto out;
		const char *given = answer;
		if (strcmp(answer, "?") == 0) {
			help(f, c, fd->kind);
			continue;
		}
		if (!*answer && def) {
			given = def;
		} else if (!*answer || (!required && strcmp(answer, "-") == 0)) {
			if (required) {
				refuse(f, reg_column_name(c), "required (? explains)");
				continue;
			}
			set_value(f, c, NULL);
			r = 1;
			goto out;
		}
		char *value = NULL;
		r = fd->check(f, c, given, &value);
		if (r < 0)
			goto out;
		if (r == 1) {
			set_value(f, c, value);
			goto out;
		}
	}
out:
	free(answer);
	free(prompt);
	free(shown);
	return r;
}

/* Shareholders ---------------------------------------------------------------------------- */

typedef struct holder {
	char *name, *id;
	int64_t share; /* hundredths of a percent */
} holder;

static void holders_free(holder *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].id);
	}
	free(h);
}

/* A shareholder's id: a citizen id or a USCC, upper-cased; a person born by today. */
static int check_holder_id(form *f, const char *answer, holder *list, size_t n, char **value)
{
	const char *what = "shareholders";
	char id[REG_USCC_LEN + 1];
	if (strlen(answer) > REG_USCC_LEN)
		return refuse(f, what, "%zu characters: a citizen id or a USCC has 18",
			      strlen(answer));
	snprintf(id, sizeof id, "%s", answer);
	upcase(id);
	reg_id_result person = reg_citizen_id_check(id), company = reg_uscc_check(id);
	if (person.rule != REG_ID_OK && company.rule != REG_ID_OK) {
		/* Letters (other than a final X) mean a USCC was meant; else a citizen id. */
		bool letters = false;
		for (size_t i = 0; id[i]; i++)
			if (!(id[i] >= '0' && id[i] <= '9') && !(id[i] == 'X' && !id[i + 1]))
				letters = true;
		if (letters)
			return refuse(f, what, "not a USCC: %s", company.message);
		return refuse(f, what, "not a citizen id: %s", person.message);
	}
	if (person.rule == REG_ID_OK && reg_citizen_id_age(id, f->opt->today_year,
							   f->opt->today_month,
							   f->opt->today_day) < 0)
		return refuse(f, what, "the birth date is after today");
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].id, id) == 0)
			return refuse(f, what, "%s is already shareholder %zu", id, i + 1);
	return give(value, id);
}

static int check_share(form *f, const char *answer, int64_t sum, int64_t *share)
{
	const char *what = "shareholders";
	reg_err *err = NULL;
	if (reg_decimal_parse(answer, share, &err) < 0) {
		refuse(f, what, "%s", reg_err_message(err));
		reg_err_free(err);
		return 0;
	}
	if (*share <= 0)
		return refuse(f, what, "a share must be more than zero");
	if (*share > 10000 - sum) {
		char total[REG_DECIMAL_BUFSIZE];
		reg_decimal_format(*share > 10000 ? *share : sum + *share, total, sizeof total);
		return refuse(f, what, "the shares would sum to %s%%, more than 100", total);
	}
	return 1;
}

static int ask_shareholders(form *f)
{
	holder *list = NULL, h = {0};
	size_t n = 0;
	int64_t sum = 0;
	char *answer = NULL, *prompt = NULL, *text = NULL;
	int r;
	for (;;) {
		free(prompt);
		free(answer);
		answer = NULL;
		r = -1;
		if (asprintf(&prompt, _("%s %s %zu 名称 name (empty to finish, - removes the last): "),
			     reg_column_alias(REG_COL_SHAREHOLDERS),
			     reg_column_name(REG_COL_SHAREHOLDERS), n + 1) < 0) {
			prompt = NULL;
			goto out;
		}
		r = ask(f, prompt, C_NONE, true, &answer);
		if (r <= 0)
			goto out;
		if (strcmp(answer, "?") == 0) {
			help(f, REG_COL_SHAREHOLDERS, C_NONE);
			continue;
		}
		if (strcmp(answer, "-") == 0) {
			if (n == 0) {
				refuse(f, "shareholders", "no shareholder to remove");
				continue;
			}
			n--;
			sum -= list[n].share;
			fprintf(f->out, _("  removed shareholder %zu, %s\n"), n + 1, list[n].name);
			free(list[n].name);
			free(list[n].id);
			continue;
		}
		if (!*answer) {
			char total[REG_DECIMAL_BUFSIZE];
			reg_decimal_format(sum, total, sizeof total);
			if (n == 0)
				refuse(f, "shareholders", "at least one shareholder is required");
			else if (sum != 10000)
				refuse(f, "shareholders", "the shares sum to %s%%, not 100.00: add a "
				       "shareholder, or - to remove the last one", total);
			else
				break;
			continue;
		}
		if (n >= LIST_MAX) {
			refuse(f, "shareholders", "at most %d shareholders here", LIST_MAX);
			continue;
		}
		r = check_person(f, "shareholders", answer, &h.name, 100);
		if (r < 0)
			goto out;
		if (r == 0)
			continue;

		/* The legal representative's id is the default for the same name. */
		const char *def = f->v[REG_COL_LEGAL_REP_NAME] && f->v[REG_COL_LEGAL_REP_ID] &&
					  strcmp(h.name, f->v[REG_COL_LEGAL_REP_NAME]) == 0
				  ? f->v[REG_COL_LEGAL_REP_ID]
				  : NULL;
		free(prompt);
		if (asprintf(&prompt, _("  证件号码 id (citizen id or USCC)%s%s%s: "), def ? " [" : "",
			     def ? def : "", def ? "]" : "") < 0) {
			prompt = NULL;
			r = -1;
			goto out;
		}
		do {
			free(answer);
			r = ask(f, prompt, C_NONE, false, &answer);
			if (r <= 0)
				goto out;
			if (!*answer && !def) {
				r = refuse(f, "shareholders", "the id is required");
				continue;
			}
			r = check_holder_id(f, *answer ? answer : def, list, n, &h.id);
		} while (r == 0);
		if (r < 0)
			goto out;

		char left[REG_DECIMAL_BUFSIZE];
		reg_decimal_format(10000 - sum, left, sizeof left);
		free(prompt);
		if (asprintf(&prompt, _("  出资比例 share (%%, %s left): "), left) < 0) {
			prompt = NULL;
			r = -1;
			goto out;
		}
		do {
			free(answer);
			r = ask(f, prompt, C_NONE, true, &answer);
			if (r <= 0)
				goto out;
			r = check_share(f, answer, sum, &h.share);
		} while (r == 0);
		if (r < 0)
			goto out;
		holder *grown = realloc(list, (n + 1) * sizeof *grown);
		if (!grown) {
			r = -1;
			goto out;
		}
		list = grown;
		list[n++] = h;
		sum += h.share;
		h = (holder){0};
	}
	for (size_t i = 0; i < n; i++) {
		char share[REG_DECIMAL_BUFSIZE], *item = NULL;
		reg_decimal_format(list[i].share, share, sizeof share);
		if (asprintf(&item, "%s:%s:%s", list[i].name, list[i].id, share) < 0 ||
		    append(&text, ';', item) < 0) {
			free(item);
			r = -1;
			goto out;
		}
		free(item);
	}
	set_value(f, REG_COL_SHAREHOLDERS, text);
	text = NULL;
	r = 1;
out:
	free(h.name);
	free(h.id);
	holders_free(list, n);
	free(text);
	free(answer);
	free(prompt);
	return r;
}

/* Materials and commitments ------------------------------------------------------------- */

static int check_material_id(form *f, const char *what, const char *id)
{
	char *q = shorten(id, 40);
	int r = 1;
	if (!id_syntax(id))
		r = refuse(f, what, "'%s' is not a material id (lower-case letters, digits and -)",
			   q ? q : "");
	else if (f->opt->material_ids && !in_list(f->opt->material_ids, id, NULL))
		r = refuse(f, what, "'%s' is not a material of the catalog (TAB lists them)", id);
	else if (is_taken(f, id))
		r = refuse(f, what, "'%s' is already listed", id);
	free(q);
	return r;
}

static int check_file(form *f, const char *path)
{
	struct stat st;
	if (strlen(path) > 1024)
		return refuse(f, "materials", "a file path has at most 1024 bytes");
	if (text_chars(path) < 0 || strchr(path, ';'))
		return refuse(f, "materials", "a file path cannot hold ';' or control characters");
	if (stat(path, &st) < 0)
		return refuse(f, "materials", "cannot use '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(f, "materials", "'%s' is not a regular file", path);
	return 1;
}

/* Material ids of the materials column, as the taken list (a commitment must not name one). */
static int take_materials(form *f)
{
	untake_all(f);
	char *copy = f->v[REG_COL_MATERIALS] ? strdup(f->v[REG_COL_MATERIALS]) : NULL, *save = NULL;
	if (f->v[REG_COL_MATERIALS] && !copy)
		return oom();
	int r = 0;
	for (char *tok = copy ? strtok_r(copy, ";", &save) : NULL; tok && r == 0;
	     tok = strtok_r(NULL, ";", &save)) {
		tok[strcspn(tok, "=")] = '\0';
		r = take(f, tok);
	}
	free(copy);
	return r;
}

static int ask_materials(form *f)
{
	char *answer = NULL, *prompt = NULL, *text = NULL, *file = NULL;
	size_t n = 0;
	int r;
	untake_all(f);
	for (;;) {
		free(prompt);
		free(answer);
		free(file);
		answer = file = NULL;
		r = -1;
		if (asprintf(&prompt, _("%s %s %zu (empty to finish): "),
			     reg_column_alias(REG_COL_MATERIALS), reg_column_name(REG_COL_MATERIALS),
			     n + 1) < 0) {
			prompt = NULL;
			goto out;
		}
		r = ask(f, prompt, C_MATERIAL, true, &answer);
		if (r <= 0)
			goto out;
		if (strcmp(answer, "?") == 0) {
			help(f, REG_COL_MATERIALS, C_MATERIAL);
			fprintf(f->out, _("  one material id a question, then its file; or id=file\n"));
			continue;
		}
		if (!*answer) {
			if (n > 0)
				break;
			refuse(f, "materials", "at least one material is required");
			continue;
		}
		if (n >= LIST_MAX) {
			refuse(f, "materials", "at most %d materials here", LIST_MAX);
			continue;
		}
		char *eq = strchr(answer, '=');
		if (eq) {
			*eq = '\0';
			trim(answer);
			if (!(file = strdup(trim(eq + 1)))) {
				r = -1;
				goto out;
			}
		}
		r = check_material_id(f, "materials", answer);
		if (r == 1 && file && *file)
			r = check_file(f, file);
		if (r == 0)
			continue;
		if (!eq) {
			do {
				free(file);
				r = ask(f, _("  文件 file (empty = sighted at the window): "), C_FILE, true,
					&file);
				if (r <= 0)
					goto out;
				r = *file ? check_file(f, file) : 1;
			} while (r == 0);
		}
		if (append(&text, ';', answer) < 0 || (*file && (append(&text, '=', file) < 0)) ||
		    take(f, answer) < 0) {
			r = -1;
			goto out;
		}
		n++;
	}
	set_value(f, REG_COL_MATERIALS, text);
	text = NULL;
	r = 1;
out:
	untake_all(f);
	free(text);
	free(file);
	free(answer);
	free(prompt);
	return r;
}

/* YYYY-MM-DD, an existing date after today. */
static int check_due(form *f, const char *date)
{
	if (strlen(date) != 10 || !all_digits(date, 4) || date[4] != '-' ||
	    !all_digits(date + 5, 2) || date[7] != '-' || !all_digits(date + 8, 2))
		return refuse(f, "commitments", "the due date is a date YYYY-MM-DD, e.g. 2026-12-20");
	int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8);
	if (!reg_date_valid(y, m, d))
		return refuse(f, "commitments", "%s is not a date of the calendar", date);
	const reg_form_options *o = f->opt;
	if (reg_days_from_civil(y, m, d) <= reg_days_from_civil(o->today_year, o->today_month,
								  o->today_day))
		return refuse(f, "commitments", "the due date must be after today");
	return 1;
}

static int check_commitment_material(form *f, const char *id, const char *committed)
{
	/* committed: ';'-separated "id@date" already given in this list */
	size_t len = strlen(id);
	for (const char *p = committed; p && *p;) {
		if (strncmp(p, id, len) == 0 && p[len] == '@')
			return refuse(f, "commitments", "'%s' is already committed", id);
		p = strchr(p, ';');
		p = p ? p + 1 : NULL;
	}
	if (is_taken(f, id))
		return refuse(f, "commitments", "'%s' is among the materials: it needs no commitment",
			      id);
	return check_material_id(f, "commitments", id);
}

static int ask_commitments(form *f)
{
	char *answer = NULL, *prompt = NULL, *text = NULL, *due = NULL;
	size_t n = 0;
	int r = take_materials(f);
	if (r < 0)
		return r;
	for (;;) {
		free(prompt);
		free(answer);
		free(due);
		answer = due = NULL;
		r = -1;
		if (asprintf(&prompt, _("%s %s %zu (optional, empty to finish): "),
			     reg_column_alias(REG_COL_COMMITMENTS),
			     reg_column_name(REG_COL_COMMITMENTS), n + 1) < 0) {
			prompt = NULL;
			goto out;
		}
		r = ask(f, prompt, C_MATERIAL, true, &answer);
		if (r <= 0)
			goto out;
		if (strcmp(answer, "?") == 0) {
			help(f, REG_COL_COMMITMENTS, C_MATERIAL);
			fprintf(f->out, _("  a material not supplied, then its due date; or id@date\n"));
			continue;
		}
		if (!*answer || (n == 0 && strcmp(answer, "-") == 0))
			break;
		if (n >= LIST_MAX) {
			refuse(f, "commitments", "at most %d commitments here", LIST_MAX);
			continue;
		}
		char *at = strchr(answer, '@');
		if (at) {
			*at = '\0';
			trim(answer);
			if (!(due = strdup(trim(at + 1)))) {
				r = -1;
				goto out;
			}
		}
		r = check_commitment_material(f, answer, text);
		if (r == 1 && due)
			r = check_due(f, due);
		if (r < 0)
			goto out;
		if (r == 0)
			continue;
		while (!due) {
			r = ask(f, _("  到期 due (YYYY-MM-DD): "), C_NONE, true, &due);
			if (r <= 0)
				goto out;
			r = check_due(f, due);
			if (r == 0) {
				free(due);
				due = NULL;
			}
		}
		/* The catalog's word: a core material is never deferred, the others within their
		 * limit. */
		reg_err *err = NULL;
		if (f->opt->apply &&
		    reg_apply_check_commitment(f->opt->apply, answer, due, &err) < 0) {
			if (print_problems(f, "commitments", &err, NULL) < 0) {
				r = -1;
				goto out;
			}
			continue;
		}
		if (append(&text, ';', answer) < 0 || append(&text, '@', due) < 0 ||
		    take(f, answer) < 0) {
			r = -1;
			goto out;
		}
		n++;
	}
	set_value(f, REG_COL_COMMITMENTS, text);
	text = NULL;
	r = 1;
out:
	untake_all(f);
	free(text);
	free(due);
	free(answer);
	free(prompt);
	return r;
}

/* After the materials changed: a commitment for a material now supplied must go. */
static int commitments_conflict(form *f, bool *conflict)
{
	*conflict = false;
	if (!f->v[REG_COL_COMMITMENTS])
		return 0;
	if (take_materials(f) < 0)
		return oom();
	char *copy = strdup(f->v[REG_COL_COMMITMENTS]), *save = NULL;
	if (!copy) {
		untake_all(f);
		return oom();
	}
	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		tok[strcspn(tok, "@")] = '\0';
		if (is_taken(f, tok)) {
			refuse(f, "commitments", "'%s' is now among the materials", tok);
			*conflict = true;
		}
	}
	free(copy);
	untake_all(f);
	return 0;
}

/* The questions ----------------------------------------------------------------------------- */

static int ask_finance(form *f, bool editing)
{
	int r = ask_value(f, REG_COL_FINANCE_OFFICER_NAME, false,
			  editing ? f->v[REG_COL_FINANCE_OFFICER_NAME] : NULL);
	if (r <= 0)
		return r;
	if (!f->v[REG_COL_FINANCE_OFFICER_NAME]) {
		set_value(f, REG_COL_FINANCE_OFFICER_ID, NULL);
		return 1;
	}
	return ask_value(f, REG_COL_FINANCE_OFFICER_ID, true,
			 editing ? f->v[REG_COL_FINANCE_OFFICER_ID] : NULL);
}

/* The name against the current form and division; asked again when it no longer passes. */
static int recheck_name(form *f)
{
	if (!f->v[REG_COL_NAME])
		return 1;
	reg_err *err = NULL;
	int r = 1;
	if (name_check(f, f->v[REG_COL_NAME], &err) < 0) {
		r = print_name_problems(f, "name", &err);
		if (r == 0)
			r = ask_value(f, REG_COL_NAME, true, NULL);
	}
	reg_err_free(err);
	return r;
}

/* Ask column c: the first time (editing false) or again from the summary. */
static int ask_column(form *f, reg_column c, bool editing)
{
	int r;
	bool conflict;
	const char *current_value = editing ? f->v[c] : NULL;
	switch (c) {
	case REG_COL_SHAREHOLDERS:
		return ask_shareholders(f);
	case REG_COL_MATERIALS:
		r = ask_materials(f);
		if (r <= 0 || !editing)
			return r;
		if (commitments_conflict(f, &conflict) < 0)
			return -1;
		return conflict ? ask_commitments(f) : 1;
	case REG_COL_COMMITMENTS:
		return ask_commitments(f);
	case REG_COL_FINANCE_OFFICER_NAME:
	case REG_COL_FINANCE_OFFICER_ID:
		return ask_finance(f, editing);
	case REG_COL_DIVISION:
		r = ask_value(f, c, true, editing ? current_value : f->opt->division);
		return r > 0 && editing ? recheck_name(f) : r;
	case REG_COL_FORM:
		r = ask_value(f, c, true, current_value);
		return r > 0 && editing ? recheck_name(f) : r;
	default:
		return ask_value(f, c, reg_column_required(c), current_value);
	}
}

static const reg_column question_order[] = {
	REG_COL_FORM, REG_COL_DIVISION, REG_COL_NAME, REG_COL_CAPITAL, REG_COL_ADDRESS,
	REG_COL_SCOPE, REG_COL_INDUSTRY, REG_COL_LEGAL_REP_NAME, REG_COL_LEGAL_REP_ID,
	REG_COL_LEGAL_REP_PHONE, REG_COL_SHAREHOLDERS, REG_COL_FINANCE_OFFICER_NAME,
	REG_COL_STAFF, REG_COL_CONTACT_PHONE, REG_COL_MATERIALS, REG_COL_COMMITMENTS,
	REG_COL_REQUESTS,
};

/* Summary and confirmation ------------------------------------------------------------------ */

static void print_list(form *f, const char *text, const char *seps)
{
	/* One item a line; the item's own separators shown as spaces. */
	for (const char *p = text; p && *p;) {
		size_t len = strcspn(p, ";");
		fputs("      ", f->out);
		for (size_t i = 0; i < len; i++)
			fputc(strchr(seps, p[i]) ? ' ' : p[i], f->out);
		if (seps[0] == ':')
			fputc('%', f->out);
		fputc('\n', f->out);
		p += len;
		if (*p == ';')
			p++;
	}
}

static void summary(form *f)
{
	fprintf(f->out, _("\n—— 申请 application ——\n"));
	for (int c = 0; c < REG_COL__COUNT; c++) {
		const char *v = f->v[c];
		fprintf(f->out, "%2d %s %s:", c + 1, reg_column_alias((reg_column)c),
			reg_column_name((reg_column)c));
		if (!v) {
			fprintf(f->out, " —\n");
			continue;
		}
		switch (c) {
		case REG_COL_SHAREHOLDERS:
			fputc('\n', f->out);
			print_list(f, v, ":");
			break;
		case REG_COL_MATERIALS:
			fputc('\n', f->out);
			print_list(f, v, "=");
			break;
		case REG_COL_COMMITMENTS:
			fputc('\n', f->out);
			print_list(f, v, "@");
			break;
		case REG_COL_FORM:
			for (size_t i = 0; i < N_FORMS; i++)
				if (strcmp(v, legal_forms[i].id) == 0)
					fprintf(f->out, " %s %s\n", v, legal_forms[i].zh);
			break;
		case REG_COL_DIVISION:
			fprintf(f->out, " %s %s\n", v, reg_division_name(v) ? reg_division_name(v) : "");
			break;
		case REG_COL_INDUSTRY:
			fprintf(f->out, " %s %s\n", v, industry_name(v) ? industry_name(v) : "");
			break;
		default:
			fprintf(f->out, " %s\n", v);
		}
	}
}

static int pick_column(const char *answer)
{
	size_t n = strlen(answer);
	if (n >= 1 && n <= 2 && all_digits(answer, n)) {
		int k = atoi(answer);
		return k >= 1 && k <= REG_COL__COUNT ? k - 1 : -1;
	}
	for (int c = 0; c < REG_COL__COUNT; c++)
		if (strcasecmp(answer, reg_column_name((reg_column)c)) == 0 ||
		    strcmp(answer, reg_column_alias((reg_column)c)) == 0)
			return c;
	return -1;
}

static bool word_in(const char *answer, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strcasecmp(answer, words[i]) == 0)
			return true;
	return false;
}

static const char *const yes_words[] = {"y", "yes", "是", NULL};
static const char *const no_words[] = {"n", "no", "否", NULL};
static const char *const abandon_words[] = {"abandon", "q", "quit", "放弃", NULL};

/* Acceptance's checks on the whole application, nothing recorded (reg_apply_check): 1 it
 * passes, 0 refused (every problem printed, *concerned the first one's column or -1), -1
 * failure.  Without opt->apply only the form's own checks ran: 1. */
static int check_record(form *f, int *concerned)
{
	*concerned = -1;
	if (!f->opt->apply)
		return 1;
	reg_err *err = NULL;
	reg_dossier *d = reg_application_from_fields((const char *const *)f->v, "-", 0, &err);
	int rc = d ? reg_apply_check(f->opt->apply, d, f->opt->base_dir ? f->opt->base_dir : ".",
				     true, &err)
		   : -1;
	reg_dossier_free(d);
	if (rc == 0) {
		reg_err_free(err);
		return 1;
	}
	fprintf(f->out, _("\n  acceptance would refuse it:\n"));
	return print_problems(f, "application", &err, concerned);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void draft_save(form *f);

/* 1 confirmed, 0 abandoned or interrupted, -1 failure.  What acceptance would refuse is
 * checked before the question: the field concerned is asked again (its current value the
 * default); when it comes back unchanged, or the problem names no field, the clerk picks the
 * field to change, and y is not offered until the application passes. */
static int confirm(form *f)
{
	char *answer = NULL;
	int r;
	bool pick = false;
	for (;;) {
		int concerned = -1;
		bool passes;
		r = check_record(f, &concerned);
		if (r < 0)
			goto out;
		passes = r == 1;
		if (!passes && concerned >= 0 && !pick) {
			char *before = f->v[concerned] ? strdup(f->v[concerned]) : NULL;
			if (f->v[concerned] && !before) {
				r = oom();
				goto out;
			}
			r = ask_column(f, (reg_column)concerned, true);
			pick = r > 0 && same_text(before, f->v[concerned]);
			free(before);
			if (r <= 0)
				goto out;
			draft_save(f);
			continue;
		}
		summary(f);
		if (passes) {
			do {
				free(answer);
				r = ask(f, _("确认 confirm? [y/n]: "), C_NONE, false, &answer);
				if (r <= 0)
					goto out;
			} while (!word_in(answer, yes_words) && !word_in(answer, no_words));
			if (word_in(answer, yes_words))
				goto out;
		} else {
			fprintf(f->out, _("  not acceptable as it is: change a field (or abandon)\n"));
		}
		for (;;) {
			free(answer);
			r = ask(f, _("修改 change which field? (number or name; empty = summary; abandon): "),
				C_FIELD, false, &answer);
			if (r <= 0)
				goto out;
			if (!*answer)
				break;
			if (word_in(answer, abandon_words)) {
				r = 0;
				goto out;
			}
			int c = pick_column(answer);
			if (c < 0) {
				refuse(f, "change", "no field '%.40s': 1-%d or a column name (TAB)",
				       answer, REG_COL__COUNT);
				continue;
			}
			r = ask_column(f, (reg_column)c, true);
			if (r <= 0)
				goto out;
			draft_save(f);
			pick = false;
			break;
		}
	}
out:
	free(answer);
	return r;
}

/* Draft ------------------------------------------------------------------------------------- */

char *reg_form_draft_path(void)
{
	char *history = reg_form_history_path(), *path = NULL;
	if (!history)
		return NULL;
	char *slash = strrchr(history, '/');
	*slash = '\0';
	if (asprintf(&path, "%s/draft", history) < 0)
		path = NULL;
	free(history);
	return path;
}

/* The answered questions' columns, "COLUMN=VALUE" a line (empty: left empty), after the magic
 * line; an answer never holds a line break (text_chars refuses control characters). */
static char *draft_text(const form *f, size_t *len)
{
	char *text = NULL;
	FILE *fp = open_memstream(&text, len);
	if (!fp)
		return NULL;
	fputs(draft_magic, fp);
	for (int c = 0; c < REG_COL__COUNT; c++)
		if (f->done[c])
			fprintf(fp, "%s=%s\n", reg_column_name((reg_column)c), f->v[c] ? f->v[c] : "");
	if (fclose(fp) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* After each answer: the whole draft, written atomically (libreg/files.h), 0600 in a 0700
 * directory.  A draft that cannot be written is said once and the form goes on without. */
static void draft_save(form *f)
{
	if (!f->draft_on)
		return;
	const char *path = f->opt->draft;
	size_t len = 0;
	char *text = draft_text(f, &len), *copy = strdup(path);
	char *slash = copy ? strrchr(copy, '/') : NULL;
	const char *dir = ".", *name = copy;
	reg_err *err = NULL;
	if (slash) {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		name = slash + 1;
	}
	if (!text || !copy) {
		fprintf(f->out, _("draft not kept: out of memory\n"));
		f->draft_on = false;
	} else if (make_parents(path) < 0) {
		fprintf(f->out, _("draft not kept: cannot create the directory of '%s': %s\n"), path,
			strerror(errno));
		f->draft_on = false;
	} else if (reg_file_write_atomic(dir, name, text, len, 0600, &err) < 0) {
		fprintf(f->out, _("draft not kept: %s\n"), reg_err_message(err));
		f->draft_on = false;
	} else {
		f->draft_written = true;
	}
	reg_err_free(err);
	free(copy);
	free(text);
}

int reg_form_draft_remove(const char *path, reg_err **errp)
{
	if (!path || !*path || unlink(path) == 0 || errno == ENOENT)
		return 0;
	return reg_err_set(errp, REG_EIO, path, 0, NULL, "cannot remove the form's draft: %s",
			   strerror(errno));
}

/* Read a draft into values/done: 1 read, 0 none there, -1 not a draft of ours (said), -2 out
 * of memory. */
static int draft_read(form *f, char *values[REG_COL__COUNT], bool done[REG_COL__COUNT])
{
	const char *path = f->opt->draft;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(f->out, _("draft not kept: cannot open '%s': %s\n"), path, strerror(errno));
		return -1;
	}
	struct stat st;
	char *text = NULL;
	int r = -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > DRAFT_FILE_MAX)
		goto bad;
	if (!(text = calloc(1, (size_t)st.st_size + 1))) {
		r = -2;
		goto out;
	}
	if (read(fd, text, (size_t)st.st_size) != st.st_size ||
	    strncmp(text, draft_magic, strlen(draft_magic)) != 0)
		goto bad;
	for (char *line = text + strlen(draft_magic), *next; *line; line = next) {
		next = strchr(line, '\n');
		if (!next)
			goto bad;
		*next++ = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			goto bad;
		*eq = '\0';
		int c = column_of_field(line);
		if (c < 0 || done[c] || text_chars(eq + 1) < 0 || strlen(eq + 1) > ANSWER_MAX)
			goto bad;
		done[c] = true;
		if (eq[1] && !(values[c] = strdup(eq + 1))) {
			r = -2;
			goto out;
		}
	}
	r = 1;
	goto out;
bad:
	fprintf(f->out, _("draft not kept: '%s' is not a form draft of this regkit\n"), path);
out:
	if (r < 0)
		for (int c = 0; c < REG_COL__COUNT; c++) {
			free(values[c]);
			values[c] = NULL;
			done[c] = false;
		}
	free(text);
	close(fd);
	return r;
}

/* A draft left by an interrupted form: offered for resuming; n (or a draft that is not one)
 * starts afresh.  1 to go on, 0 end of input, -1 out of memory. */
static int draft_open(form *f)
{
	if (!f->opt->draft || !*f->opt->draft)
		return 1;
	char *values[REG_COL__COUNT] = {0}, *answer = NULL;
	bool done[REG_COL__COUNT] = {0};
	int r = draft_read(f, values, done);
	if (r == -2)
		return oom();
	f->draft_on = r >= 0; /* never overwrite a file that is not our draft */
	if (r <= 0)
		return 1;
	f->draft_written = true; /* on disk: end of input leaves it there */
	size_t n = 0;
	for (int c = 0; c < REG_COL__COUNT; c++)
		n += done[c];
	if (values[REG_COL_NAME])
		fprintf(f->out,
			dngettext(REG_TEXTDOMAIN,
				  "an interrupted form is kept in %s: %zu answer, 企业名称 name %s\n",
				  "an interrupted form is kept in %s: %zu answers, 企业名称 name %s\n", n),
			f->opt->draft, n, values[REG_COL_NAME]);
	else
		fprintf(f->out,
			dngettext(REG_TEXTDOMAIN, "an interrupted form is kept in %s: %zu answer\n",
				  "an interrupted form is kept in %s: %zu answers\n", n),
			f->opt->draft, n);
	do {
		free(answer);
		r = ask(f, _("继续 resume it? [y/n]: "), C_NONE, false, &answer);
		if (r <= 0)
			goto out;
	} while (!word_in(answer, yes_words) && !word_in(answer, no_words));
	if (word_in(answer, yes_words)) {
		memcpy(f->v, values, sizeof values);
		memcpy(f->done, done, sizeof done);
		memset(values, 0, sizeof values);
	} else {
		reg_err *err = NULL;
		if (reg_form_draft_remove(f->opt->draft, &err) < 0) {
			r = fail(f, &err);
			goto out;
		}
		f->draft_written = false;
		fprintf(f->out, _("  draft removed: a new form\n"));
	}
	r = 1;
out:
	free(answer);
	reg_form_values_free(values);
	return r;
}

/* Run --------------------------------------------------------------------------------------- */

static int fill(form *f)
{
	int r = draft_open(f);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < sizeof question_order / sizeof *question_order; i++) {
		reg_column c = question_order[i];
		if (f->done[c])
			continue;
		r = ask_column(f, c, false);
		if (r <= 0)
			return r;
		f->done[c] = true;
		if (c == REG_COL_FINANCE_OFFICER_NAME)
			f->done[REG_COL_FINANCE_OFFICER_ID] = true;
		draft_save(f);
	}
	return confirm(f);
}

void reg_form_values_free(char *values[REG_COL__COUNT])
{
	for (int c = 0; values && c < REG_COL__COUNT; c++) {
		free(values[c]);
		values[c] = NULL;
	}
}

int reg_form_run(const reg_form_options *opt, char *values[REG_COL__COUNT], reg_err **errp)
{
	for (int c = 0; c < REG_COL__COUNT; c++)
		values[c] = NULL;
	if (!opt || !reg_date_valid(opt->today_year, opt->today_month, opt->today_day))
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "form: today's date is not a valid civil date");
	FILE *in = opt->in ? opt->in : stdin;
	int fd = fileno(in);
	if (fd < 0)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "form: the input has no file descriptor for readline");
	form f = {.opt = opt, .out = opt->out ? opt->out : stderr, .tty = isatty(fd) == 1};
	saved_rl saved;
	if (rl_install(&f, in, &saved) < 0)
		return reg_err_oom(errp);
	history_open(&f);
	int r = fill(&f);
	history_close(&f);
	rl_restore(&saved);
	untake_all(&f);
	if (r == 1) {
		memcpy(values, f.v, sizeof f.v);
		return 1;
	}
	reg_form_values_free(f.v);
	if (r == 0 && f.interrupted && f.draft_written) {
		fprintf(f.out, _("interrupted, nothing recorded: the answers are kept in %s\n"),
			opt->draft);
		fflush(f.out);
		return 2;
	}
	if (r == 0) {
		/* Abandoned on purpose (or before a first answer): no draft left behind. */
		if (f.draft_on && f.draft_written && reg_form_draft_remove(opt->draft, errp) < 0)
			return -1;
		fprintf(f.out, _("abandoned, nothing recorded\n"));
		fflush(f.out);
		return 0;
	}
	if (f.failure) {
		reg_err_append(errp, &f.failure);
		return -1;
	}
	return reg_err_oom(errp);
}
