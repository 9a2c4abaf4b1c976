/*
 * mknotices — the sample notices of tests/unit/notice_samples.h written as SVG sheets:
 *
 *   mknotices [--test-authority] [--long] DIR
 *
 * one file per sheet into DIR (created when missing): acceptance.svg, acceptance-2.svg …, one
 * name per kind (notice_samples.h sample_kinds), each file's path on standard output.  --long
 * gives the versions whose lists run over several sheets, --test-authority the 样本 marking.
 * The stamp is the shipped catalog's official seal (REG_DATADIR, else the source tree).  For the
 * render test (tests/t/t0540-printed.sh) and docs/notices.md's pictures (scripts/render-docs.sh);
 * never installed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "regkit-config.h"
#include "notice_samples.h"
#include "xml.h"

int main(int argc, char **argv)
{
	bool test_authority = false, longer = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--test-authority") == 0)
			test_authority = true;
		else if (strcmp(argv[i], "--long") == 0)
			longer = true;
		else
			break;
	}
	if (i + 1 != argc) {
		fprintf(stderr, "usage: mknotices [--test-authority] [--long] DIR\n");
		return 64;
	}
	const char *dir = argv[i], *env = getenv("REG_DATADIR");
	char *schemas = NULL, *path = NULL;
	if (asprintf(&schemas, "%s/schemas", env && *env ? env : REG_SOURCE_DATADIR) < 0 ||
	    asprintf(&path, "%s/catalog.xml", schemas) < 0)
		return 70;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "mknotices: %s: %s\n", dir, strerror(errno));
		return 73;
	}
	reg_xml_init(schemas);
	reg_err *err = NULL;
	reg_catalog *cat = reg_catalog_load(path, schemas, &err);
	int status = 0;
	if (!cat) {
		reg_err_print(err, "mknotices", stderr);
		status = 78;
		goto out;
	}
	struct samples s;
	sample_fill(&s, reg_catalog_find_seal(cat, "official"), test_authority, longer);
	for (size_t k = 0; !status && k < sizeof sample_kinds / sizeof *sample_kinds; k++) {
		reg_document *docs = NULL;
		size_t n = 0;
		if (sample_kinds[k].make(&s, sample_kinds[k].name, &docs, &n, &err) < 0) {
			reg_err_print(err, "mknotices", stderr);
			status = 70;
		}
		for (size_t j = 0; !status && j < n; j++) {
			char *file = NULL;
			FILE *fp = asprintf(&file, "%s/%s", dir, docs[j].path) < 0 ? NULL
										 : fopen(file,
											 "wb");
			if (!fp || fwrite(docs[j].data, 1, docs[j].len, fp) != docs[j].len ||
			    fclose(fp) != 0) {
				fprintf(stderr, "mknotices: %s: cannot write\n", file ? file : dir);
				status = 74;
			} else {
				printf("%s\n", file);
			}
			free(file);
		}
		reg_documents_free(docs, n);
	}
	sample_free(&s);
out:
	reg_err_free(err);
	reg_catalog_free(cat);
	reg_xml_cleanup();
	free(schemas);
	free(path);
	return status;
}
