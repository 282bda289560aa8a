// SPDX-License-Identifier: GPL-2.0
/* The three harms: see pinlife_harm.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinlife_harm.h"

int harm_region(struct harm *hm)
{
	int err;

	if (!strcmp(hm->name, "cma")) {
		err = cma_find(&hm->region);
		hm->want = hm->region.count > 1024 ? hm->region.count - 1024 : 1;
	} else if (!strcmp(hm->name, "offline")) {
		err = zone_find(&hm->region, "Movable");
		hm->want = HARM_PAGES;
	} else if (!strcmp(hm->name, "gigantic")) {
		err = cma_find_named(&hm->region, "hugetlb");
		hm->want = HARM_PAGES;
	} else {
		return -EINVAL;
	}
	return err;
}

const char *harm_region_name(const struct harm *hm)
{
	return !strcmp(hm->name, "cma") ? "CMA area \"reserved\"" :
	       !strcmp(hm->name, "offline") ? "ZONE_MOVABLE" :
	       "hugetlb_cma= area";
}

/* Twice min_free_kbytes (which THP raises to tens of MiB), plus 24 MiB */
size_t harm_keep_mib(void)
{
	uint64_t min_kib = 0;

	read_u64("/proc/sys/vm/min_free_kbytes", &min_kib);
	return 24 + 2 * min_kib / 1024;
}

/* The distinct memory blocks of the n pages, in the pages' order. */
int harm_blocks(struct harm *hm, char *const *pages, size_t n)
{
	uint64_t *pfns = calloc(n + 1, sizeof(*pfns));
	size_t i, k = 0;
	int err;

	if (!pfns)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		int64_t pfn = pfn_of(pages[i]);

		if (pfn > 0)
			pfns[k++] = pfn;
	}
	err = harm_blocks_pfns(hm, pfns, k);
	free(pfns);
	return err;
}

int harm_blocks_pfns(struct harm *hm, const uint64_t *pfns, size_t n)
{
	uint64_t per = memory_block_bytes() / PAGE_SZ;
	size_t i, j;

	if (!per)
		return -ENOENT;
	hm->blocks = calloc(n + 1, sizeof(*hm->blocks));
	if (!hm->blocks)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned long b = pfns[i] / per;

		for (j = 0; j < hm->nblocks && hm->blocks[j] != b; j++)
			;
		if (j == hm->nblocks)
			hm->blocks[hm->nblocks++] = b;
	}
	return 0;
}

/* A page migrated to another block of ZONE_MOVABLE has left the blocks. */
long harm_count(const struct harm *hm, char *const *pages, size_t n)
{
	uint64_t per = memory_block_bytes() / PAGE_SZ;
	long in = 0;
	size_t i, j;

	if (strcmp(hm->name, "offline"))
		return count_in_cma(&hm->region, pages, n);
	for (i = 0; i < n; i++) {
		int64_t pfn = pfn_of(pages[i]);

		if (pfn < 0)
			return -1;
		/* not present: not seen to have left (count_in_cma()) */
		if (!pfn) {
			in++;
			continue;
		}
		for (j = 0; j < hm->nblocks; j++)
			if ((uint64_t)pfn / per == hm->blocks[j]) {
				in++;
				break;
			}
	}
	return in;
}

int harm_do(struct harm *hm)
{
	int err = 0, e;
	size_t i;

	if (!strcmp(hm->name, "cma"))
		return cma_alloc_all(&hm->region);
	if (!strcmp(hm->name, "gigantic"))
		return gigantic_alloc();
	for (i = 0; i < hm->nblocks; i++) {
		e = memory_block_offline(hm->blocks[i], HARM_OFFLINE_S);
		if (!e)
			hm->offlined++;
		else if (!err)
			err = e;
	}
	return err;
}

/* Blocks that did not go offline are online: onlining them fails, harmless */
void harm_undo(struct harm *hm)
{
	size_t i;

	if (!strcmp(hm->name, "cma"))
		cma_free_all(&hm->region);
	else if (!strcmp(hm->name, "gigantic"))
		gigantic_free();
	else
		for (i = 0; i < hm->nblocks; i++)
			memory_block_online_movable(hm->blocks[i]);
}
