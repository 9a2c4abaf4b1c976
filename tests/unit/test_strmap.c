/* strmap: batch-wide memory (names seen, dossiers waiting) must never lose or confuse a key. */
#include <stdio.h>
#include <stdlib.h>

#include "strmap.h"
#include "tap.h"

int main(void)
{
	reg_strmap *m = reg_strmap_new();
	char key[32];
	int bad = 0;
	for (long i = 0; i < 50000; i++) {
		snprintf(key, sizeof key, "150302-20261123-%06ld", i);
		if (reg_strmap_put(m, key, (void *)(i + 1)) < 0)
			bad++;
	}
	is_int(bad, 0, "50 000 inserts");
	is_int(reg_strmap_size(m), 50000, "size");
	for (long i = 0; i < 50000; i += 2) {
		snprintf(key, sizeof key, "150302-20261123-%06ld", i);
		if (reg_strmap_remove(m, key) != (void *)(i + 1))
			bad++;
	}
	is_int(bad, 0, "remove returns the value");
	for (long i = 0; i < 50000; i++) {
		void *v = NULL;
		snprintf(key, sizeof key, "150302-20261123-%06ld", i);
		bool present = reg_strmap_get(m, key, &v);
		if (present != (i % 2 == 1) || (present && v != (void *)(i + 1)))
			bad++;
	}
	is_int(bad, 0, "removed keys are gone, the others keep their values");
	reg_strmap_put(m, "乌海市恒泰商贸有限公司", NULL);
	ok(reg_strmap_get(m, "乌海市恒泰商贸有限公司", NULL), "UTF-8 key with a NULL value is present");
	ok(!reg_strmap_get(m, "乌海市恒泰商贸", NULL), "a prefix is another key");
	reg_strmap_put(m, "乌海市恒泰商贸有限公司", (void *)7);
	void *v = NULL;
	reg_strmap_get(m, "乌海市恒泰商贸有限公司", &v);
	ok(v == (void *)7 && reg_strmap_size(m) == 25001, "put replaces without growing");
	reg_strmap_free(m);
	reg_strmap_free(NULL);
	return tap_done();
}
