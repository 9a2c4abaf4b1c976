/*
 * divisions — the GB/T 2260 table, private to ids.c.  The data lives in schemas/divisions.tsv;
 * scripts/gen-divisions.py compiles it at build time into divisions.c (in the build directory),
 * sorted by code so ids.c can search it by bisection, with an index by short name searched
 * the same way.  Use the reg_division_* functions of ids.h, not this table.
 */
#ifndef REG_DIVISIONS_H
#define REG_DIVISIONS_H

#include <stddef.h>
#include <stdint.h>

/* Offsets into reg_division_names, not pointers: no relocations for the loader to apply. */
struct reg_division {
	const char code[7];   /* six digits */
	uint8_t name_at;      /* the name as the standard writes it ("海勃湾区"), the tail of the
			       * full name, starts this many bytes into it */
	uint32_t full;        /* the full name composed from the hierarchy ("内蒙古自治区乌海市海勃
			       * 湾区") starts at reg_division_names + full */
};

/* Every full name, each ended by NUL. */
extern const char reg_division_names[];
extern const struct reg_division reg_divisions[];
extern const size_t reg_divisions_count;
/* Positions in reg_divisions, ordered by the bytes of the short names (ties by code). */
extern const uint16_t reg_divisions_by_name[];

#endif
