/*
 * divisions — the GB/T 2260 table, private to ids.c.  The data lives in schemas/divisions.tsv;
 * scripts/gen-divisions.py compiles it at build time into divisions.c (in the build directory),
 * sorted by code so ids.c can search it by bisection.  Use the reg_division_* functions of
 * ids.h, not this table.
 */
#ifndef REG_DIVISIONS_H
#define REG_DIVISIONS_H

#include <stddef.h>

struct reg_division {
	const char code[7];   /* six digits */
	const char *name;     /* as the standard writes it: "海勃湾区" */
	const char *full;     /* composed from the hierarchy: "内蒙古自治区乌海市海勃湾区" */
};

extern const struct reg_division reg_divisions[];
extern const size_t reg_divisions_count;

#endif
