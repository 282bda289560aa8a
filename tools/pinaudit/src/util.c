// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: small helpers (arena, string buffer, tables).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pinaudit.h"

static void oom(void)
{
	fputs("pinaudit: out of memory\n", stderr);
	exit(3);
}

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	_Alignas(16) char data[];
};

static void *arena_take(struct arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->head;

	if (c)
		c->used = (c->used + align - 1) & ~(align - 1);
	if (!c || c->used > c->size || c->size - c->used < n) {
		size_t sz = n > 16384 ? n : 16384;

		c = malloc(sizeof(*c) + sz);
		if (!c)
			oom();
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

void *arena_alloc(struct arena *a, size_t n)
{
	return arena_take(a, (n + 15) & ~(size_t)15, 16);
}

size_t arena_bytes(const struct arena *a)
{
	size_t n = 0;

	for (const struct arena_chunk *c = a->head; c; c = c->next)
		n += sizeof(*c) + c->size;
	return n;
}

char *arena_alloc_str(struct arena *a, size_t n)
{
	return arena_take(a, n + 1, 1);	/* strings need no alignment */
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_take(a, n + 1, 1);	/* strings need no alignment */

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *n;

	for (; c; c = n) {
		n = c->next;
		free(c);
	}
	a->head = NULL;
}

void *vec_grow(void *v, size_t *cap, size_t need, size_t elsz)
{
	if (need <= *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 8;

	while (nc < need)
		nc *= 2;
	v = realloc(v, nc * elsz);
	if (!v)
		oom();
	*cap = nc;
	return v;
}

void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 256;

		while (nc < b->len + n + 1)
			nc *= 2;
		b->s = realloc(b->s, nc);
		if (!b->s)
			oom();
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void sb_putc(struct sbuf *b, char c)
{
	sb_putn(b, &c, 1);
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sb_putn(b, tmp, n);
		return;
	}
	char *big = malloc(n + 1);

	if (!big)
		oom();
	va_start(ap, fmt);
	vsnprintf(big, n + 1, fmt, ap);
	va_end(ap);
	sb_putn(b, big, n);
	free(big);
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/*
 * The family.  Argument positions from include/linux/mm.h and
 * include/linux/uio.h (6.12); they have been stable since 6.5.
 */
const struct api_info api_table[] = {
	{ "get_user_pages",		K_GET,      2, 3 },
	{ "get_user_pages_fast",	K_GET,      2, 3 },
	{ "get_user_pages_fast_only",	K_GET,      2, 3 },
	{ "get_user_pages_remote",	K_GET,      3, 4 },
	{ "get_user_pages_unlocked",	K_GET,      3, 2 },
	/* pinlife: references for holders userspace controls, migrated first */
	{ "get_user_pages_fast_longterm", K_GET,    2, 3 },
	{ "pin_user_pages",		K_PIN,      2, 3 },
	{ "pin_user_pages_fast",	K_PIN,      2, 3 },
	{ "pin_user_pages_fast_only",	K_PIN,      2, 3 },
	{ "pin_user_pages_remote",	K_PIN,      3, 4 },
	{ "pin_user_pages_unlocked",	K_PIN,      3, 2 },
	{ "iov_iter_extract_pages",	K_EXTRACT,  4, 1 },
	{ "iov_iter_get_pages",		K_ITER_GET, -1, 1 },
	{ "iov_iter_get_pages2",	K_ITER_GET, -1, 1 },
	{ "iov_iter_get_pages_alloc",	K_ITER_GET, -1, 1 },
	{ "iov_iter_get_pages_alloc2",	K_ITER_GET, -1, 1 },
	{ "iov_iter_get_pages_longterm", K_ITER_GET, -1, 1 },
	/* the core dump's reference to one page (FOLL_GET inside mm/) */
	{ "get_dump_page",		K_GET,     -1, -1 },
};
const size_t api_count = sizeof(api_table) / sizeof(api_table[0]);

const struct api_info *api_lookup(const char *name, size_t len)
{
	/* every name starts "get_", "pin_" or "iov_" and holds "_page":
	 * cheap rejects, for the model asks of every call and function */
	if (len < 13 || len > 28 ||
	    (memcmp(name + 3, "_user_page", 10) && memcmp(name, "iov_iter_", 9) &&
	     memcmp(name, "get_dump_page", 13)))
		return NULL;
	for (size_t i = 0; i < api_count; i++)
		if (api_table[i].name[0] == name[0] && strlen(api_table[i].name) == len &&
		    !memcmp(api_table[i].name, name, len))
			return &api_table[i];
	return NULL;
}

/*
 * Older signatures of the family, told apart by arity.  Vendor code that
 * builds against many kernels calls each one under its own #if:
 *
 *   get_user_pages(tsk, mm, start, n, write, force, pages, vmas)    < 4.6
 *   get_user_pages(start, n, write, force, pages, vmas)              4.6-4.8
 *   get_user_pages_remote(tsk, mm, start, n, write, force, pages, vmas) 4.6-4.8
 *   get_user_pages_remote(tsk, mm, start, n, gup_flags, pages, vmas[, locked])
 *                                                                    4.9-5.8
 *   get_user_pages_remote(mm, start, n, gup_flags, pages, vmas, locked)
 *                                                                    5.9-6.4
 *   pin_user_pages_remote(tsk, mm, start, n, gup_flags, pages, vmas, locked)
 *                                                                    5.6-5.8
 *   get_user_pages_unlocked(tsk, mm, start, n, write, force, pages)  < 4.6
 *   get_user_pages_unlocked(start, n, write, force, pages)           4.6-4.8
 *
 * (the write argument stands for the flags).  When two signatures have
 * the same arity, the arguments' types decide: a literal or NULL is never
 * the page array, a FOLL_ expression is the flags (api_args()).
 */
static const struct old_sig {
	const char *name;
	signed char nargs, flags, pages;
} old_sigs[] = {
	{ "get_user_pages",		8, 4, 6 },
	{ "get_user_pages",		6, 2, 4 },
	{ "get_user_pages_remote",	8, 4, 5 },
	{ "get_user_pages_remote",	8, 4, 6 },
	{ "get_user_pages_remote",	7, 3, 4 },
	{ "get_user_pages_remote",	7, 4, 5 },
	{ "pin_user_pages_remote",	8, 4, 5 },
	{ "pin_user_pages_remote",	7, 3, 4 },
	{ "get_user_pages_unlocked",	7, 4, 6 },
	{ "get_user_pages_unlocked",	5, 2, 4 },
};

/* an argument that cannot be a page array: a number, NULL, true/false */
static bool scalar_arg(const char *t, size_t n)
{
	while (n && (*t == ' ' || *t == '('))
		t++, n--;
	while (n && (t[n - 1] == ' ' || t[n - 1] == ')'))
		n--;
	if (!n)
		return false;
	if ((n == 4 && (!memcmp(t, "NULL", 4) || !memcmp(t, "true", 4))) ||
	    (n == 5 && !memcmp(t, "false", 5)))
		return true;
	if (*t == '!')
		return true;		/* "!!write" */
	for (size_t i = 0; i < n; i++)
		if (!(t[i] >= '0' && t[i] <= '9') && !(i && (t[i] == 'x' || t[i] == 'u' ||
							      t[i] == 'U' || t[i] == 'l' || t[i] == 'L')))
			return false;
	return true;
}

/* does the argument look like the flags: FOLL_..., "flags", "write" */
static bool flagish_arg(const char *t, size_t n)
{
	return memmem(t, n, "FOLL_", 5) || memmem(t, n, "flag", 4) ||
	       memmem(t, n, "write", 5) || memmem(t, n, "rw", 2);
}

static int sig_score(const char *(*arg)(void *, int, size_t *), void *ctx, int pages, int flags)
{
	size_t pl, fl;
	const char *pt = arg(ctx, pages, &pl), *ft = arg(ctx, flags, &fl);
	int sc = 0;

	if (scalar_arg(pt, pl))
		sc -= 4;
	if (memmem(pt, pl, "page", 4))
		sc += 2;
	if (flagish_arg(pt, pl))
		sc -= 2;
	if (flagish_arg(ft, fl) || scalar_arg(ft, fl))
		sc += 1;
	if (memmem(ft, fl, "page", 4))
		sc -= 2;
	return sc;
}

void api_args(const struct api_info *api, int nargs,
	      const char *(*arg)(void *ctx, int idx, size_t *len), void *ctx,
	      int *pages, int *flags)
{
	int best = -1000;

	*pages = api->pages_arg;
	*flags = api->flags_arg;
	for (size_t i = 0; i < sizeof(old_sigs) / sizeof(old_sigs[0]); i++) {
		const struct old_sig *o = &old_sigs[i];

		if (o->nargs != nargs || strcmp(o->name, api->name))
			continue;
		int sc = sig_score(arg, ctx, o->pages, o->flags);

		if (sc > best) {
			best = sc;
			*pages = o->pages;
			*flags = o->flags;
		}
	}
	/* the current signature competes when it has the same arity */
	if (best > -1000 && api->pages_arg >= 0 && api->flags_arg >= 0 &&
	    sig_score(arg, ctx, api->pages_arg, api->flags_arg) > best) {
		*pages = api->pages_arg;
		*flags = api->flags_arg;
	}
}

const char *const flag_names[] = {
	"FOLL_WRITE", "FOLL_GET", "FOLL_LONGTERM", "FOLL_PIN",
	"FOLL_EPHEMERAL", "ITER_EPHEMERAL", "FOLL_USER_SERVED", "ITER_USER_SERVED",
	"FOLL_FORCE", "FOLL_NOWAIT", "FOLL_NOFAULT", "FOLL_HWPOISON",
	"FOLL_ANON", "FOLL_SPLIT_PMD", "FOLL_PCI_P2PDMA",
	"FOLL_INTERRUPTIBLE", "FOLL_HONOR_NUMA_FAULT", "FOLL_DUMP",
	"FOLL_TOUCH", "FOLL_TRIED", "FOLL_REMOTE", "FOLL_FAST_ONLY",
	"FOLL_UNLOCKABLE", "FOLL_MADV_POPULATE", "ITER_ALLOW_P2PDMA",
};
const size_t flag_count = sizeof(flag_names) / sizeof(flag_names[0]);

int flag_index(const char *name, size_t len)
{
	for (size_t i = 0; i < flag_count; i++)
		if (strlen(flag_names[i]) == len &&
		    !memcmp(flag_names[i], name, len))
			return (int)i;
	return -1;
}

const char *const lclass_names[] = {
	[LC_LONGTERM_EXPLICIT] = "long-term (explicit)",
	[LC_LONGTERM_DEFAULT] = "long-term (default)",
	[LC_EPHEMERAL_COMMENTED] = "ephemeral (commented)",
	[LC_EPHEMERAL_UNCOMMENTED] = "ephemeral (no comment)",
	[LC_USER_SERVED] = "user-served",
	[LC_EPH_OR_SERVED_COMMENTED] = "ephemeral or user-served (commented)",
	[LC_EPH_OR_SERVED_UNCOMMENTED] = "ephemeral or user-served (no comment)",
	[LC_SHORTTERM_LEGACY] = "short-term (legacy)",
	[LC_REFERENCE_ONLY] = "reference-only",
};

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* fn(arg) on jobs threads (at most 64), this one included; a thread that
 * cannot be started leaves its share to the others */
void run_parallel(void *(*fn)(void *), void *arg, int jobs)
{
	pthread_t th[64];
	int started = 0;

	if (jobs > 64)
		jobs = 64;
	for (int j = 1; j < jobs; j++)
		if (!pthread_create(&th[started], NULL, fn, arg))
			started++;
	fn(arg);
	for (int j = 0; j < started; j++)
		pthread_join(th[j], NULL);
}

/* the names the rules and the per-file analysis share */
bool is_completion_name(const char *fn)
{
	static const char *const pats[] = {
		"end_io", "endio", "complete", "completion", "_done", "callback",
		"_irq", "_isr", "interrupt",
	};
	size_t n = strlen(fn);

	for (size_t i = 0; i < sizeof(pats) / sizeof(*pats); i++)
		if (strstr(fn, pats[i]))
			return true;
	return n > 3 && !strcmp(fn + n - 3, "_cb");
}

/*
 * mm/ of the tree; the flags may be named there (and only there).  tools/
 * is userspace (selftests keep their own copy of the flag values for the
 * gup_test ioctl) and is not held to the kernel-internal rule.
 */
bool path_in_mm(const char *rel)
{
	return !strncmp(rel, "mm/", 3) || !strncmp(rel, "tools/", 6);
}
