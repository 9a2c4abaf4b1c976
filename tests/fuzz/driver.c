/*
 * driver — runs one fuzz target without libFuzzer, deterministically, so `meson test` puts every
 * target through its seeds and a few thousand mutants of them under the sanitized build:
 *
 *   fuzz-<target>-smoke [-n MUTANTS] [-s SEED] PATH...
 *
 * PATH is a seed file or a folder of them (every regular file, in name order).  Each seed runs
 * as it is, then MUTANTS mutants of it (default 100): bits flipped, bytes set to values parsers
 * care about, runs inserted, repeated, deleted or cut off, pieces of other seeds spliced in.  A
 * gzip seed is also inflated and its mutants made from the plain bytes (the archive target wraps
 * them in gzip again), so they reach the tar reader and not just the checksum.  The same SEED
 * (default 1) gives the same inputs.  A crash (a sanitizer report ends in abort) leaves the input
 * in fuzz-crash-<target> in the working folder, to replay: fuzz-<target>-smoke -n 0 that-file.
 * Exit 0 when every input ran.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "fuzz.h"

#define MUTANT_MAX (8u << 20) /* mutants never grow past this */

typedef struct blob {
	unsigned char *data;
	size_t len;
} blob;

static const char *target = "target";
static const unsigned char *current;
static size_t current_len;

/* A sanitizer's report ends in abort(): keep the input that caused it. */
static void keep_crash(int sig)
{
	char path[256];
	snprintf(path, sizeof path, "fuzz-crash-%s", target);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (current_len)
			(void)!write(fd, current, current_len);
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: small, fast and the same everywhere */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static int read_file(const char *path, blob *b)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	b->data = NULL;
	b->len = 0;
	size_t cap = 0;
	unsigned char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		if (b->len + n > MUTANT_MAX)
			break;
		if (b->len + n > cap) {
			cap = (b->len + n) * 2;
			unsigned char *p = realloc(b->data, cap);
			if (!p)
				abort();
			b->data = p;
		}
		memcpy(b->data + b->len, buf, n);
		b->len += n;
	}
	fclose(fp);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_seed(blob **seeds, size_t *n, const char *path)
{
	blob b;
	if (read_file(path, &b) < 0) {
		fprintf(stderr, "fuzz-%s: cannot read %s\n", target, path);
		exit(2);
	}
	*seeds = realloc(*seeds, (*n + 1) * sizeof **seeds);
	if (!*seeds)
		abort();
	(*seeds)[(*n)++] = b;
}

static void add_path(blob **seeds, size_t *n, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "fuzz-%s: no such seed: %s\n", target, path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		add_seed(seeds, n, path);
		return;
	}
	DIR *dir = opendir(path);
	char **names = NULL;
	size_t count = 0;
	struct dirent *de;
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (count + 1) * sizeof *names);
		if (!names || asprintf(&names[count], "%s/%s", path, de->d_name) < 0)
			abort();
		if (stat(names[count], &st) == 0 && S_ISREG(st.st_mode))
			count++;
		else
			free(names[count]);
	}
	if (dir)
		closedir(dir);
	qsort(names, count, sizeof *names, by_name);
	for (size_t i = 0; i < count; i++) {
		add_seed(seeds, n, names[i]);
		free(names[i]);
	}
	free(names);
}

/* The plain bytes of a gzip seed, or a copy of the seed. */
static blob plain(const blob *seed)
{
	blob out = {malloc(seed->len + 1), seed->len};
	if (!out.data)
		abort();
	memcpy(out.data, seed->data, seed->len);
	if (seed->len < 2 || seed->data[0] != 0x1f || seed->data[1] != 0x8b)
		return out;
	z_stream z = {0};
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return out;
	size_t cap = seed->len * 4 + 1024, len = 0;
	unsigned char *buf = malloc(cap);
	z.next_in = seed->data;
	z.avail_in = (uInt)seed->len;
	int rc = Z_OK;
	while (buf && rc == Z_OK && cap <= MUTANT_MAX) {
		if (len == cap) {
			unsigned char *p = realloc(buf, cap *= 2);
			if (!p)
				break;
			buf = p;
		}
		z.next_out = buf + len;
		z.avail_out = (uInt)(cap - len);
		rc = inflate(&z, Z_NO_FLUSH);
		len = cap - z.avail_out;
	}
	inflateEnd(&z);
	if (buf && len > 0 && len <= MUTANT_MAX) {
		free(out.data);
		return (blob){buf, len};
	}
	free(buf);
	return out;
}

static void mutate(blob *m, const blob *seeds, size_t n_seeds)
{
	static const unsigned char interesting[] = {0, 0xff, 0x7f, 0x80, 0xc0, 0xe4, '<', '>', '&',
						    '"', '\'', ',', ';', '\n', '\r', '/', '.', '0',
						    '9', ' ', '='};
	for (size_t ops = 1 + below(4); ops > 0; ops--) {
		size_t at = below(m->len + 1);
		switch (below(7)) {
		case 0: /* flip a bit */
			if (m->len)
				m->data[below(m->len)] ^= (unsigned char)(1u << below(8));
			break;
		case 1: /* a byte parsers care about */
			if (m->len)
				m->data[below(m->len)] = interesting[below(sizeof interesting)];
			break;
		case 2: /* cut off the end */
			m->len = at;
			break;
		case 3: { /* delete a run */
			size_t k = below(m->len - (at < m->len ? at : m->len) + 1);
			if (at < m->len) {
				memmove(m->data + at, m->data + at + k, m->len - at - k);
				m->len -= k;
			}
			break;
		}
		default: { /* insert a run: random bytes, a repeat of its own bytes, or another seed's */
			const blob *from = m;
			if (below(3) == 0 && n_seeds)
				from = &seeds[below(n_seeds)];
			size_t k = 1 + below(below(2) ? 16 : 512);
			if (m->len + k > MUTANT_MAX)
				break;
			unsigned char *p = realloc(m->data, m->len + k + 1);
			if (!p)
				abort();
			m->data = p;
			memmove(m->data + at + k, m->data + at, m->len - at);
			for (size_t i = 0; i < k; i++)
				m->data[at + i] = from->len && below(4) ? from->data[(below(from->len) + i) %
										    from->len]
								       : (unsigned char)rnd();
			m->len += k;
			break;
		}
		}
	}
}

static void run(const blob *b)
{
	current = b->data;
	current_len = b->len;
	LLVMFuzzerTestOneInput(b->len ? b->data : (const uint8_t *)"", b->len);
}

int main(int argc, char **argv)
{
	const char *slash = strrchr(argv[0], '/');
	static char name[128];
	snprintf(name, sizeof name, "%s", slash ? slash + 1 : argv[0]);
	if (strncmp(name, "fuzz-", 5) == 0)
		memmove(name, name + 5, strlen(name + 5) + 1);
	char *suffix = strstr(name, "-smoke");
	if (suffix)
		*suffix = '\0';
	target = name;

	unsigned long mutants = 100, seed = 1;
	int opt;
	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			mutants = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 10);
		else {
			fprintf(stderr, "usage: fuzz-%s-smoke [-n MUTANTS] [-s SEED] PATH...\n", target);
			return 64;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: fuzz-%s-smoke [-n MUTANTS] [-s SEED] PATH...\n", target);
		return 64;
	}
	signal(SIGABRT, keep_crash);
	signal(SIGSEGV, keep_crash);
	rng_state = 0x9E3779B97F4A7C15ULL ^ seed;

	LLVMFuzzerInitialize(&argc, &argv);
	blob *seeds = NULL;
	size_t n_seeds = 0;
	for (int i = optind; i < argc; i++)
		add_path(&seeds, &n_seeds, argv[i]);

	size_t inputs = 0;
	for (size_t s = 0; s < n_seeds; s++) {
		run(&seeds[s]);
		inputs++;
		blob base = plain(&seeds[s]);
		for (unsigned long k = 0; k < mutants; k++) {
			blob m = {malloc(base.len + 1), base.len};
			if (!m.data)
				abort();
			memcpy(m.data, base.data, base.len);
			mutate(&m, seeds, n_seeds);
			run(&m);
			inputs++;
			free(m.data);
		}
		free(base.data);
	}
	printf("fuzz-%s: %zu seeds, %zu inputs, no crash (seed %lu)\n", target, n_seeds, inputs,
	       seed);
	for (size_t s = 0; s < n_seeds; s++)
		free(seeds[s].data);
	free(seeds);
	return 0;
}
