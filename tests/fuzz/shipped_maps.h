/*
 * The mappings the form and facts fuzz targets apply: the two shipped
 * ones, tests/fuzz/rules.map (form fuzz-rules: every kind of rule,
 * dates in expressions) and tests/fuzz/tables.map (keys in parts, nested
 * and grouped rows, a list's row codes), loaded once by fuzz_maps_load, so that a target
 * runs from the top of the source tree. Included by one target each.
 */
#ifndef FP_FUZZ_SHIPPED_MAPS_H
#define FP_FUZZ_SHIPPED_MAPS_H

#include <stdio.h>
#include <stdlib.h>

#include "mapping.h"

static const char *const fuzz_map_paths[] = {
	"mappings/perf-self-eval.map", "mappings/project-self-eval.map",
	"tests/fuzz/rules.map", "tests/fuzz/tables.map",
};
#define NMAPS (sizeof fuzz_map_paths / sizeof fuzz_map_paths[0])
static struct fp_mapping *mappings[NMAPS];

/* Loads the mappings; on failure says so as target and exits 2. */
static void
fuzz_maps_load(const char *target)
{
	struct fp_diag d;
	size_t i;

	for (i = 0; i < NMAPS; i++)
		if (fp_mapping_load(fuzz_map_paths[i], &mappings[i], &d)) {
			fprintf(stderr, "%s: %s\n", target, d.msg);
			exit(2);
		}
}

#endif
