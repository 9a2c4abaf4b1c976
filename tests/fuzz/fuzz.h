/*
 * fuzz — what the fuzz targets share (docs/fuzzing.md, docs/targets.md: the dossier reader, the
 * CSV reader and the archive reader run clean under ASan/UBSan on any input).
 *
 * Each target file defines the libFuzzer entry points
 *     int LLVMFuzzerInitialize(int *argc, char ***argv);
 *     int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
 * and is linked either with libFuzzer (clang -fsanitize=fuzzer: meson -Dfuzzing=true, for long
 * runs) or with tests/fuzz/driver.c, a small deterministic mutator that meson test runs on the
 * seed corpora under the ordinary sanitized build, so CI exercises every target on every change.
 * A target must never crash, leak, hang or touch the network or any file outside the data
 * directory, whatever the bytes; what it returns is always 0.
 *
 * The state a target keeps between inputs (catalog, configuration, key) is made once in
 * LLVMFuzzerInitialize and lives for the process: it is the test's, not the library's.
 */
#ifndef REG_FUZZ_H
#define REG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "apply.h"
#include "catalog.h"
#include "configuration.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fixed world every target reviews against: the shipped catalog and authority, the clock
 * at the fixtures' day, acceptance's checker.  Set once; aborts (a broken test set-up, not a finding) when the data
 * directory cannot be loaded. */
typedef struct fuzz_world {
	reg_config *cfg;
	reg_catalog *catalog;
	reg_apply *checker;      /* acceptance's checks, without a registry: nothing recorded */
	const char *datadir;     /* REG_DATADIR, or the source tree */
	char fixtures[4096];     /* <datadir>/fixtures: material hrefs resolve inside it */
} fuzz_world;

const fuzz_world *fuzz_world_get(void);

#endif
