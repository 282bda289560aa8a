// SPDX-License-Identifier: GPL-2.0
/*
 * Fixture for the contract checkers: every line marked "expect" must be
 * reported, nothing else may be.
 */
int f(unsigned long a, struct page **p)
{
	int ret;
	unsigned int fl = 0;

	/* FOLL_EPHEMERAL: unpinned below once the copy is done */
	ret = pin_user_pages_fast(a, 1, FOLL_WRITE | FOLL_EPHEMERAL, p);
	ret = pin_user_pages_fast(a, 1, FOLL_EPHEMERAL, p);	/* expect */
	/* FOLL_EPHEMERAL: unpinned by x() when y completes */
	if (ret)
		fl |= FOLL_EPHEMERAL;
	fl |= FOLL_EPHEMERAL;	/* expect */
	return FOLL_LONGTERM | FOLL_GET;	/* expect */
}
static int g(void)
{
	/*
	 * ITER_EPHEMERAL: the pages are unpinned by bio_release_pages() when
	 * the bio completes.
	 */
	iov_iter_extraction_t extraction_flags = ITER_EPHEMERAL;
	iov_iter_extraction_t other = ITER_EPHEMERAL;	/* expect */

	/* FOLL_EPHEMERAL: unpinned with src_p, below. */
	dst_p = sev_pin_memory(kvm, dst_vaddr & PAGE_MASK, PAGE_SIZE, &n,
			       FOLL_WRITE | FOLL_EPHEMERAL);
	return 0;
}
