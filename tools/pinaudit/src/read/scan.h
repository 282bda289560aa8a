/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PINAUDIT_SCAN_H
#define PINAUDIT_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pinaudit.h"

#define PATH_BUF 4096

struct scan_result {
	char **paths;			/* sorted; files[i] belongs to paths[i] */
	struct file_res **files;	/* NULL: nothing to audit in that file  */
	uint32_t *size;			/* bytes read (0: not read)         */
	bool *has_body;			/* the file has a '{': it may hold a
					   function (a call site, a caller) */
	const uint16_t **ckeys;		/* the keys of the names each file
					   calls (callindex.c), sorted      */
	uint32_t *nckeys;		/* how many; CALLKEYS_UNKNOWN: not
					   kept, the search reads the file  */
	struct arena *key_arenas;	/* one per thread of the scan       */
	int nkey_arenas;
	size_t n;
	char *root;			/* TREE as given (NULL in FILES mode)   */
	size_t root_len;
	char *tree_root;		/* absolute kernel root, if known       */
	bool kernel_tree;		/* tree_root is a kernel's: functions the
					   model does not read are called from
					   the rest of the kernel               */
	char *rel_prefix;		/* TREE below a kernel root: its path   */
	bool files_mode;
	int jobs;			/* threads                          */
	atomic_bool incomplete;
	atomic_size_t bytes;
	struct model *model;		/* audit.c                          */
	struct facts **facts;
	size_t nfacts;
};
/* callindex.c: the names a file calls, as 16-bit keys */
#define CALLKEY_WORDS 1024		/* a bitmap of every key: 8 KiB     */
/* the bitmap, and one bit for each of its words that is not zero */
#define CALLKEY_SEEN_WORDS (CALLKEY_WORDS + CALLKEY_WORDS / 64)
#define CALLKEYS_UNKNOWN UINT32_MAX
uint16_t call_key(const char *name, size_t len);
/* the key of a name: its last k = min(len, 8) bytes (w, the first in the
 * low byte) and its length, capped at 9 */
static inline uint16_t callkey_hash(uint64_t w, size_t len)
{
	uint64_t l = len < 9 ? len : 9;

	return (uint16_t)(((w ^ (l << 59)) * 0x9E3779B97F4A7C15ull) >> 48);
}

/* the k (<= 8) bytes before e, the first in the low byte (b <= e - k) */
static inline uint64_t callkey_tail(const char *b, const char *e, unsigned k)
{
	uint64_t w = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (e - b >= 8) {
		memcpy(&w, e - 8, 8);
		return k == 8 ? w : w >> (8 * (8 - k));
	}
#endif
	for (unsigned i = 0; i < k; i++)
		w |= (uint64_t)(unsigned char)e[(int)i - (int)k] << (8 * i);
	return w;
}

/* the '('s at b[i + j], j each bit of par: note the keys of the names
 * before them in seen (CALLKEY_SEEN_WORDS words) */
void call_keys_note(const char *b, size_t i, uint32_t par, uint64_t *seen);
/* the keys noted in seen, sorted, into keys (room for 65536); seen is
 * left zero for the next file */
size_t call_keys_take(uint64_t *seen, uint16_t *keys);
/* prefilter.c: prefilter_bits(), and with seen (CALLKEY_SEEN_WORDS
 * zero words) the keys of the names called and whether there is a '{' */
unsigned prefilter_scan(const char *b, size_t n, uint64_t *seen, bool *body);
/* does the sorted set keys[0, nk) hold one of want[0, nw)? */
bool call_keys_hit(const uint16_t *keys, size_t nk, const uint16_t *want, size_t nw);

/* audit.c: build the module model, add wrapper sites, decide lifetimes */
void audit_model(struct scan_result *res);
void audit_free(struct scan_result *res);

int scan(char **args, int nargs, int jobs, struct scan_result *res);
void scan_parse_deferred(struct scan_result *res);
void scan_free(struct scan_result *res);

#endif
