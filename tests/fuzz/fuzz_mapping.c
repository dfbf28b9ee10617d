/*
 * A libFuzzer target for the mapping language: the input is a mapping's
 * text, parsed and checked as `formpipe map -m` would load it. A mapping
 * that loads is freed again; one that does not must say why.
 * It prints nothing; the sanitizers report what goes wrong.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fp_mapping *m = NULL;
	struct fp_diag d;
	enum fp_err err;

	d.msg[0] = '\0';
	err = fp_mapping_parse("fuzz.map", (const char *)data, size, &m, &d);
	if (err == FP_OK)
		fp_mapping_free(m);
	else if (d.msg[0] == '\0')
		abort();	/* refused without a word */
	return 0;
}
