/* The dossier reader: any bytes as an XML dossier or batch, each dossier then read, digested,
 * checked as the window checks it (every catalog rule) and serialized again. */
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "dossier.h"
#include "fuzz.h"
#include "xml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_world_get();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char name[] = "fuzz.xml";
	const fuzz_world *w = fuzz_world_get();
	FILE *fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	reg_err *err = NULL;
	reg_xml_stream *s = reg_xml_stream_new(fp, name, &err);
	xmlDoc *doc = NULL;
	long line = 0;
	while (s && reg_xml_stream_next(s, &doc, &line, &err) == 1) {
		reg_dossier *d = reg_dossier_adopt(doc, name, line, &err);
		if (!d)
			break;
		char digest[65], *text = NULL;
		size_t len = 0;
		(void)reg_dossier_body_digest(d, digest, &err);
		reg_err_clear(&err);
		(void)reg_apply_check(w->checker, d, w->fixtures, false, &err);
		reg_err_clear(&err);
		if (reg_xml_dump(reg_dossier_doc(d), true, &text, &len, &err) == 0)
			free(text);
		reg_err_clear(&err);
		reg_dossier_free(d);
	}
	reg_err_free(err);
	reg_xml_stream_free(s);
	fclose(fp);
	return 0;
}
