/* The archive reader: any bytes as an issued archive, loaded, verified against the shipped
 * authority key and catalog, and compared with itself by the auditors' diff.  Bytes that are not
 * gzip are gzipped first, so mutations of a decompressed tar reach the tar reader and the checks
 * behind it instead of stopping at the gzip checksum. */
#include <stdio.h>
#include <stdlib.h>

#include <zlib.h>

#include "tarball.h"
#include "diff.h"
#include "fuzz.h"
#include "sign.h"
#include "verify.h"

static reg_sign_key *key;
static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (key)
		return 0;
	const fuzz_world *w = fuzz_world_get();
	char path[4200];
	snprintf(path, sizeof path, "%s/authority/authority.pub", w->fixtures);
	reg_err *err = NULL;
	if (!(key = reg_sign_key_load_public(path, &err)) || !(sink = fopen("/dev/null", "w"))) {
		reg_err_print(err, "fuzz-archive", stderr);
		abort();
	}
	return 0;
}

static unsigned char *gzipped(const uint8_t *data, size_t size, size_t *len)
{
	z_stream z = {0};
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong bound = deflateBound(&z, (uLong)size) + 32;
	unsigned char *out = malloc(bound);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)size;
	z.next_out = out;
	z.avail_out = (uInt)bound;
	if (!out || deflate(&z, Z_FINISH) != Z_STREAM_END) {
		free(out);
		out = NULL;
	}
	*len = z.total_out;
	deflateEnd(&z);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char name[] = "fuzz.tar.gz";
	LLVMFuzzerInitialize(NULL, NULL);
	unsigned char *wrapped = NULL;
	const void *bytes = data;
	size_t len = size;
	if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) {
		if (!(wrapped = gzipped(data, size, &len)))
			return 0;
		bytes = wrapped;
	}
	reg_err *err = NULL;
	reg_archive_entries *e = NULL;
	if (reg_archive_load_mem(bytes, len, name, &e, &err) == 0) {
		reg_verify_options opt = {.key = key, .catalog = fuzz_world_get()->catalog};
		if (reg_verify_archive(e, &opt, &err) < 0)
			free(reg_verify_reasons(err, name));
		reg_err_clear(&err);
		size_t ndiff = 0;
		(void)reg_diff_archives(e, e, 0, sink, &ndiff, &err);
		(void)reg_archive_canonical(e);
	}
	reg_err_free(err);
	reg_archive_entries_free(e);
	free(wrapped);
	return 0;
}
