// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes through the whole per-file pipeline
 * (validation lexer, tree-sitter parse, site extraction, flag resolution,
 * lifetime heuristic, lint).  The first byte picks the mode: odd bytes
 * skip the validation so that the parser and the tree walks see every
 * input, even ones the tool would refuse (NUL bytes, bad UTF-8).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinaudit.h"

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
	classify(&frp, 1, (size & 1) ? API_NEW : API_OLD);
	lint(&frp, 1, API_NEW, &fs);
	findings_free(&fs);
	file_res_free(&fr);
	return 0;
}
