/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The three harms a pin that stays in the wrong place causes, as the guest
 * programs provoke them: a full allocation of the default CMA area
 * ("cma"), offlining the ZONE_MOVABLE memory blocks that held a buffer
 * ("offline"), and a 1 GiB huge page from the hugetlb_cma= area
 * ("gigantic"). Used by harm_scenario (make run) and test_pin_owner_harms.
 */
#ifndef PINLIFE_HARM_H
#define PINLIFE_HARM_H

#include <stddef.h>
#include <stdint.h>

#include "pinlife.h"

#define HARM_OFFLINE_S 5	/* per memory block */
#define HARM_PAGES 8192		/* 32 MiB in ZONE_MOVABLE or hugetlb CMA */

struct harm {
	const char *name;	/* cma, offline or gigantic */
	struct cma_area region;
	size_t want;		/* buffer pages to hold in the region */
	/* offline: the memory blocks the held pages sat in after filling */
	unsigned long *blocks;
	size_t nblocks, offlined;
};

/*
 * Find the region hm->name needs free: 0, -EINVAL for an unknown harm, or
 * -errno (-ENOENT: this boot has no such region).
 */
int harm_region(struct harm *hm);
/* Where the region is, for messages: "CMA area \"reserved\""... */
const char *harm_region_name(const struct harm *hm);
/*
 * Memory to leave outside the region when filling, in MiB: the guest has
 * no swap, and past the zones' min watermarks the fill would wake the OOM
 * killer.
 */
size_t harm_keep_mib(void);
/* offline: note the memory blocks of the n pages: 0 or -errno. */
int harm_blocks(struct harm *hm, char *const *pages, size_t n);
/* The same for n page frame numbers (pages no mapping of ours shows). */
int harm_blocks_pfns(struct harm *hm, const uint64_t *pfns, size_t n);
/*
 * How many of the n pages sit in the region (offline: in the blocks being
 * offlined); -1 on error.
 */
long harm_count(const struct harm *hm, char *const *pages, size_t n);
/* Do the harm's operation: 0 or -errno (offline: -ETIMEDOUT, retrying). */
int harm_do(struct harm *hm);
/*
 * Undo what harm_do() achieved, if anything (offline: some blocks); the
 * caller frees hm->blocks.
 */
void harm_undo(struct harm *hm);

#endif
