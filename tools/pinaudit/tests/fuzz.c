// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes through the whole per-file pipeline
 * (validation lexer, tree-sitter parse, site extraction, flag resolution,
 * lint), and through the module model: the facts lexer, the model's
 * index and the lifetime rules for every site found.  The first byte picks the mode: odd bytes
 * skip the validation so that the parser and the tree walks see every
 * input, even ones the tool would refuse (NUL bytes, bad UTF-8).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct analyzer *an;
	struct file_res fr, *frp = &fr;
	struct findings fs;
	bool raw = size && (data[0] & 1);

	if (!an)
		an = analyzer_new();
	if (size) {
		data++;
		size--;
	}
	memset(&fr, 0, sizeof(fr));
	memset(&fs, 0, sizeof(fs));
	fr.path = "drivers/fuzz/fuzz.c";
	fr.rel = fr.path;
	if (raw)
		analyze_parse(an, (const char *)data, size, &fr);
	else
		analyze_buffer(an, (const char *)data, size, &fr);
	/* the module model of this one file: facts, index, lifetimes */
	char *copy = malloc(size + 1);
	struct facts fx;
	struct model *m = model_new();

	if (!copy || !m)
		abort();
	memcpy(copy, data, size);
	copy[size] = 0;
	memset(&fx, 0, sizeof(fx));
	fx.path = fr.path;
	fx.rel = fr.rel;
	fx.module = "drivers/fuzz";
	facts_extract(copy, size, &fx);
	free(copy);
	model_add(m, &fx);
	model_index(m);
	for (size_t k = 0; k < fr.sites.n; k++) {
		struct site *s = &fr.sites.v[k];

		s->lt = arena_alloc(&fr.arena, sizeof(*s->lt));
		lifetime_decide(m, s, s->lt, &fr.arena);
	}
	classify(&frp, 1, (size & 1) ? API_NEW : API_OLD);
	lint(&frp, 1, API_NEW, &fs);
	findings_free(&fs);
	file_res_free(&fr);
	model_free(m);
	facts_free(&fx);
	return 0;
}
