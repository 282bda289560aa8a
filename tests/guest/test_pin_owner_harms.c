// SPDX-License-Identifier: GPL-2.0
/*
 * page_pin_owner names the holder for all three harms, not only for CMA
 * (test_pin_owner): memory offlining, which reports through dump_page()
 * when it cannot migrate a page, and a 1 GiB page from the hugetlb_cma=
 * area, which alloc_contig_range() reports like a CMA allocation. For an
 * ephemeral pin (which may stay where it is) and for a GUP reference (a
 * path the series does not convert), held by gup_test in the region: the
 * harm fails, the log names the holder (pid, gup_test in the stack, age),
 * the debugfs listing shows it, and is empty once it is released.
 *
 * It needs make run's memory layout (ZONE_MOVABLE probed at run time, a
 * hugetlb_cma= area) and page_pin_owner=on: make check boots the patched
 * kernel so for this test alone. In make check's main boot, which has
 * neither region, every case is skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pinlife.h"
#include "pinlife_harm.h"
#include "pinlife_ksft.h"
#include "pinlife_owner.h"

struct owner_case {
	const char *what, *harm, *harm_what;
	unsigned int flags;
	const char *report, *group;
};

/*
 * Offlining reports through dump_page() ("pinned ..." or "last GUP ...",
 * after dump_page's own lines, which give the pfn); alloc_contig_range()
 * names the pfn and the allocation it blocks.
 */
static const struct owner_case cases[] = {
	{ "ephemeral pin", "offline", "offlining its memory blocks",
	  PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL, "page_pin_owner: pinned ",
	  "pinned " },
	{ "GUP reference", "offline", "offlining its memory blocks",
	  PIN_LONGTERM_TEST_FLAG_USE_REF, "page_pin_owner: last GUP ",
	  "referenced " },
	{ "ephemeral pin", "gigantic", "a 1 GiB page from hugetlb_cma",
	  PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL, "page_pin_owner: pfn ",
	  "pinned " },
	{ "GUP reference", "gigantic", "a 1 GiB page from hugetlb_cma",
	  PIN_LONGTERM_TEST_FLAG_USE_REF, "page_pin_owner: pfn ",
	  "referenced " },
};

#define RESULTS_PER_CASE 4

int main(int argc, char **argv)
{
	const struct owner_case *c;
	struct owner_blocked b;
	size_t i, j;

	if (argc > 1) {
		int help = !strcmp(argv[1], "--help");

		fprintf(help ? stdout : stderr,
			"usage: %s\nA kselftest (TAP): page_pin_owner names the holder when offlining or a 1 GiB page fails.\n",
			argv[0]);
		return help ? 0 : 2;
	}
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases) * RESULTS_PER_CASE);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct harm hm = { .name = cases[i].harm };

		c = &cases[i];
		if (harm_region(&hm)) {
			for (j = 0; j < RESULTS_PER_CASE; j++)
				ksft_test_result_skip("%s, %s: this boot has no %s (make check boots make run's layout for it)\n",
						      c->what, c->harm_what,
						      harm_region_name(&hm));
			continue;
		}
		if (access(OWNER_DIR, F_OK))
			ksft_exit_fail_msg("%s is missing: boot with page_pin_owner=on\n",
					   OWNER_DIR);
		/* no overdue-ephemeral reports while the pins are held */
		owner_set_threshold(0);
		b = owner_blocked(c->harm, c->flags, c->report, c->group);
		ksft_owner_blocked(c->what, c->harm_what, &b);
	}
	owner_set_threshold(10000);
	ksft_finished();
}
