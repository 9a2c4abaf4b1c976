#include "progress.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"

/* Set by the SIGUSR1 handler, read and cleared by reg_progress_add: the only global. */
static volatile sig_atomic_t status_asked;

static void on_usr1(int sig)
{
	(void)sig;
	status_asked = 1;
}

struct reg_progress {
	const char *prog, *unit;
	bool draw;           /* the updating line */
	bool drawn;          /* something is on the line */
	unsigned long done;
	double started, last_drawn;
	int fd;              /* the watched input, -1 */
	int64_t size;        /* its size when a regular file, else -1 */
};

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool stdout_is_pipe(void)
{
	struct stat st;
	return fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

reg_progress *reg_progress_new(const char *prog, const char *unit, reg_progress_mode mode)
{
	reg_progress *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->prog = prog;
	p->unit = unit;
	p->draw = mode == REG_PROGRESS_ALWAYS ||
		  (mode == REG_PROGRESS_AUTO && isatty(STDERR_FILENO) && !stdout_is_pipe());
	p->started = seconds();
	p->fd = -1;
	p->size = -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	return p;
}

void reg_progress_watch(reg_progress *p, FILE *input)
{
	struct stat st;
	if (!p)
		return;
	p->fd = input ? fileno(input) : -1;
	p->size = p->fd >= 0 && fstat(p->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
			  ? (int64_t)st.st_size
			  : -1;
}

/* The units the tools count (reg_config_progress): the line shows one in the reader's
 * language; a unit not listed here is shown as it is. */
static const char *unit_text(const char *unit)
{
	static const char *const units[] = {N_("dossiers"), N_("applications")};
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (strcmp(unit, units[i]) == 0)
			return _(units[i]);
	return unit;
}

/* "1200 dossiers, 352/s, 41%, 0:12 left" into buf. */
static void status(const reg_progress *p, double now, char *buf, size_t len)
{
	double elapsed = now - p->started;
	double rate = elapsed > 0 ? p->done / elapsed : 0;
	/* TRANSLATORS: program, count, unit (dossiers, applications), rate per second. */
	int n = snprintf(buf, len, _("%s: %lu %s, %.0f/s"), p->prog, p->done, unit_text(p->unit), rate);
	off_t pos = p->size > 0 ? lseek(p->fd, 0, SEEK_CUR) : -1;
	if (n > 0 && (size_t)n < len && pos >= 0) {
		double part = (double)pos / (double)p->size;
		if (part > 1)
			part = 1;
		long left = part > 0 ? (long)(elapsed * (1 - part) / part + 0.5) : -1;
		if (left >= 0)
			snprintf(buf + n, len - (size_t)n, _(", %.0f%%, %ld:%02ld left"), part * 100,
				 left / 60, left % 60);
		else
			snprintf(buf + n, len - (size_t)n, _(", %.0f%%"), part * 100);
	}
}

void reg_progress_add(reg_progress *p, unsigned long n)
{
	if (!p)
		return;
	p->done += n;
	bool asked = status_asked;
	if (!asked && !p->draw)
		return;
	double now = seconds();
	if (!asked && now - p->last_drawn < 0.2)
		return;
	char line[256];
	status(p, now, line, sizeof line);
	if (asked) {
		status_asked = 0;
		fprintf(stderr, "%s%s\n", p->drawn ? "\r\033[K" : "", line);
		p->drawn = false;
	} else {
		fprintf(stderr, "\r\033[K%s\r", line);
		p->drawn = true;
	}
	p->last_drawn = now;
}

void reg_progress_free(reg_progress *p)
{
	if (!p)
		return;
	if (p->draw) {
		char line[256];
		status(p, seconds(), line, sizeof line);
		fprintf(stderr, "\r\033[K%s\n", line);
	}
	signal(SIGUSR1, SIG_DFL);
	free(p);
}
