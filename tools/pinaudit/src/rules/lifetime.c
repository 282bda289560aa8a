// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: the lifetime rules, as questions asked of the module model.
 *
 *   1. Where do the pages go?  (holder: a struct field, a global, an sg
 *      table or bio; or nowhere past the call; a parameter or a return
 *      value hands the question to the callers)
 *   2. Which functions release that holder?  (unpin/put/release_pages,
 *      sg walks, helpers that release their parameter)
 *   3. Is a release reached before the system call returns: by the
 *      pinning function, its caller or its caller's caller, or at I/O
 *      completion?  Then the pin is short-term (bounded).
 *   4. Otherwise userspace decides: which entry point (close, ioctl,
 *      destroy ...) leads to the release?
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

const char *const verdict_names[] = {
	[V_NONE] = "none", [V_BOUNDED] = "bounded", [V_USER] = "user",
};

#define MAX_CALLERS 64

static bool is_release_call(const char *fn)
{
	static const char *const r[] = {
		"unpin_user_page", "unpin_user_pages", "unpin_user_pages_dirty_lock",
		"unpin_user_page_range_dirty_lock", "unpin_folio", "unpin_folios",
		"put_page", "put_user_page", "put_user_pages", "release_pages",
		"put_user_pages_dirty_lock", "bio_release_pages", "folio_put",
		"put_pages_list", "__free_page", "vfree", "vunmap",
	};

	/* most callees are none of these: their first letter says so */
	if (!strchr("upbrfv_", fn[0]))
		return false;
	size_t n = strlen(fn);

	for (size_t i = 0; i < sizeof(r) / sizeof(*r); i++)
		if (r[i][0] == fn[0] && strlen(r[i]) == n && !memcmp(r[i], fn, n))
			return strcmp(fn, "vfree") && strcmp(fn, "vunmap") && strcmp(fn, "__free_page");
	return false;
}

static bool is_sg_store(const char *fn)
{
	return !strcmp(fn, "sg_alloc_table_from_pages") ||
	       !strcmp(fn, "sg_alloc_table_from_pages_segment") ||
	       !strcmp(fn, "__sg_alloc_table_from_pages") ||
	       !strcmp(fn, "sg_set_page") || !strcmp(fn, "bio_add_page") ||
	       !strcmp(fn, "__bio_add_page") || !strcmp(fn, "bvec_set_page") ||
	       !strcmp(fn, "bio_add_pc_page") || !strcmp(fn, "sg_assign_page");
}

/* maps a page (or its pfn) into a user address space */
static bool is_user_map(const char *fn)
{
	return !strcmp(fn, "remap_pfn_range") || !strcmp(fn, "io_remap_pfn_range") ||
	       !strncmp(fn, "vmf_insert_pfn", 14) || !strcmp(fn, "vmf_insert_mixed") ||
	       !strncmp(fn, "vm_insert_page", 14) || !strcmp(fn, "vm_insert_pfn") ||
	       !strcmp(fn, "vmf_insert_page");
}

/* builds an sg table of a page array and returns it: the table, kept
 * where the result goes ("obj->sgt = drm_prime_pages_to_sg(dev, pages,
 * n)"), holds the pages */
static bool is_sg_return(const char *fn)
{
	return !strcmp(fn, "drm_prime_pages_to_sg");
}

/*
 * An operation the framework calls when one request is finished with:
 * ".release_cmd", ".free_req", ".complete_rq", ".free_job"...  It runs
 * at the request's completion, not when userspace closes or destroys
 * something, so it bounds the pages like an I/O completion does.
 */
static bool request_role(const char *role)
{
	static const char *const obj[] = {
		"_cmd", "_cmnd", "_req", "_request", "_rq", "_urb", "_xfer", "_job",
	};
	size_t rl = strlen(role);

	for (size_t i = 0; i < sizeof(obj) / sizeof(*obj); i++) {
		size_t l = strlen(obj[i]);

		if (rl > l && !strcmp(role + rl - l, obj[i]))
			return true;
	}
	return false;
}

/* the pages become an skb's frags: kept until the skb is freed */
static bool is_skb_store(const char *fn)
{
	return !strcmp(fn, "skb_fill_page_desc") || !strcmp(fn, "skb_fill_page_desc_noacc") ||
	       !strcmp(fn, "__skb_fill_page_desc") || !strcmp(fn, "__skb_fill_page_desc_noacc") ||
	       !strcmp(fn, "skb_frag_fill_page_desc") || !strcmp(fn, "skb_add_rx_frag");
}

static bool completion_role(const char *role)
{
	return role && (strstr(role, "complet") || strstr(role, "end_io") ||
			strstr(role, "done") || strstr(role, "callback") ||
			!strcmp(role, "func") || request_role(role));
}

static bool user_role(const char *role)
{
	return role && !completion_role(role);
}

static bool user_name(const char *fn)
{
	static const char *const w[] = {
		"ioctl", "destroy", "close", "unregister", "dereg",
		"unmap", "free", "remove", "put", "cleanup", "teardown", "fini",
		"exit", "evict", "unbind", "drain", "dequeue", "flush",
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(*w); i++)
		if (strstr(fn, w[i]))
			return true;
	return false;
}

struct ask {
	const struct model *m;
	struct lifetime *lt;
	struct arena *A;
	int flags_param;	/* the site's flags are this parameter of its
				   function (or name it), else -1         */
	bool eph_site;		/* FOLL_EPHEMERAL on some path of the site */
	char tmp[512];
};

static void step(struct ask *q, const struct facts *fx, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void step(struct ask *q, const struct facts *fx, unsigned line, const char *fmt, ...)
{
	va_list ap;
	struct lifetime *lt = q->lt;

	if (lt->nsteps >= MAX_STEPS)
		return;
	va_start(ap, fmt);
	vsnprintf(q->tmp, sizeof(q->tmp), fmt, ap);
	va_end(ap);
	lt->steps[lt->nsteps].path = fx->path;
	lt->steps[lt->nsteps].rel = fx->rel;
	lt->steps[lt->nsteps].line = line;
	lt->steps[lt->nsteps].msg = arena_strdup(q->A, q->tmp);
	lt->nsteps++;
}

/* the function a call calls, as seen from module mod */
static bool lookup_call(const struct model *m, const struct fx_call *c, const char *mod,
			struct fref *out)
{
	return model_lookup_h(m, c->callee, c->chash, mod, out);
}

/* does fn (transitively, depth levels) call target on its normal path? */
static bool reaches_after(const struct model *m, struct fref fn, const char *target,
			  int depth, const char **via, const struct fx_call *from,
			  unsigned after);

static bool reaches(const struct model *m, struct fref fn, const char *target,
		    int depth, const char **via)
{
	return reaches_after(m, fn, target, depth, via, NULL, 0);
}

/* a release of the part a loop or the device did not take: an
 * argument offset from the start ("pages + done", "n - accepted") */
static bool partial_release(const struct fx_call *c)
{
	for (const char *p = c->argtext; p && *p; p++) {
		if (p[0] == '+' && p[1] != '+' && (p == c->argtext || p[-1] != '+'))
			return true;
		if (p[0] == '-' && p[1] != '>' && p[1] != '-' && (p == c->argtext || p[-1] != '-'))
			return true;
	}
	return false;
}

/* only calls below line after count at the top level (after the pin),
 * and not those in another arm of an if/else or switch than from */
/* a call that takes the entry at the head of a queue */
static bool is_queue_head(const char *c)
{
	return !strncmp(c, "list_first_entry", 16) || !strcmp(c, "llist_del_first") ||
	       !strncmp(c, "kfifo_out", 9) || !strcmp(c, "kfifo_get") || strstr(c, "dequeue");
}

/*
 * Call c of fn hands on an entry fn took from the head of a queue ("cmd =
 * list_first_entry(&q->pending, ...); free_cmd(cmd)"): what it releases
 * is the oldest entry's, which is a given call's only when nothing queued
 * before it blocks.  A release that waits on the queue's state waits on
 * userspace (an earlier command on a fence it never signals).
 */
static bool queue_entry_call(struct fref fn, const struct fx_call *c)
{
	const struct fx_func *f = fref_func(fn);
	int na = fx_nargs(c);

	for (int j = 0; j < na; j++) {
		size_t n;
		const char *x = fx_argspan(c, j, &n);

		while (n && x[n - 1] == ' ')
			n--;
		if (!n)
			continue;
		for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
			const struct fx_call *k = &fn.fx->calls.v[i];

			if (k->assigned && !k->assigned_deref && strlen(k->assigned) == n &&
			    !memcmp(k->assigned, x, n) && is_queue_head(k->callee))
				return true;
		}
	}
	return false;
}

static bool reaches_after(const struct model *m, struct fref fn, const char *target,
			  int depth, const char **via, const struct fx_call *from,
			  unsigned after)
{
	const struct fx_func *f = fref_func(fn);

	/* (at the top level, fn being the release itself says nothing of
	 * where it releases: the caller asks releases_after()) */
	if (!from && !strcmp(f->name, target))
		return true;
	if (depth <= 0)
		return false;
	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *c = &fn.fx->calls.v[i];
		struct fref t;

		if (c->err || c->line <= after || (from && fx_exclusive(c, from)))
			continue;
		/* a queue's consumer releases the oldest entry, not this one */
		if (queue_entry_call(fn, c))
			continue;
		/* "release(ctx, idx + done, n - done)": the remainder only */
		if (!strcmp(c->callee, target)) {
			if (from && partial_release(c))
				continue;
			*via = f->name;
			return true;
		}
		/* callbacks passed as arguments run later: not followed here */
		if (depth > 1 && lookup_call(m, c, fn.fx->module, &t) &&
		    (t.fx != fn.fx || t.fn != fn.fn) &&
		    reaches(m, t, target, depth - 1, via))
			return true;
	}
	return false;
}

/* holder match: an argument summary naming the holder */
static bool names_holder(const char *arg, const char *holder)
{
	if (holder[0] == ':')	/* a global: "::name" */
		return !strcmp(arg, holder + 2);
	return arg[0] == '-' && field_eq(arg + 2, holder);
}

/* "local = obj->holder" earlier in function fn of fx */
static bool is_alias(const struct facts *fx, size_t fn, const char *local, const char *holder)
{
	for (size_t i = 0; i < fx->stores.n; i++) {
		const struct fx_store *s = &fx->stores.v[i];

		if (s->alias && s->func == fn && !strcmp(s->from, local) &&
		    field_eq(s->field, holder))
			return true;
	}
	return false;
}

/* rel sits in a branch taken when the pin c failed or fell short:
 * "ret = pin(...); if (ret < n) { release(...); }" (a condition on the
 * result with "<" or "!"; "if (ret == n)" or "if (ret > 0)" is success) */
static bool tests_result(const struct fx_call *rel, const struct fx_call *c)
{
	char w[160];

	if (!rel->conds || !c->assigned || c->assigned[0] == '-' ||
	    strlen(c->assigned) > 150)
		return false;
	snprintf(w, sizeof(w), " %s ", c->assigned);
	return strstr(rel->conds, w) && (strchr(rel->conds, '<') || strchr(rel->conds, '!'));
}

/* a compat macro around a release: "#define VX_UNPIN(p) unpin_user_page(p)" */
static bool release_macro_h(const struct model *m, const char *name, uint32_t h)
{
	for (int d = 0; d < 3 && name[0] >= 'A' && name[0] <= 'z'; d++) {
		const struct fx_macro *mc = d ? model_macro(m, name) : model_macro_h(m, name, h);

		if (!mc)
			return false;
		if (is_release_call(mc->target))
			return true;
		name = mc->target;
	}
	return false;
}

/* a call of a release, or of a compat macro around one */
static bool release_call(const struct model *m, const struct fx_call *c)
{
	return is_release_call(c->callee) || release_macro_h(m, c->callee, c->chash);
}

/*
 * The argument of release call c that holds the page: the first one of
 * an unpin/put, the macro's parameter that reaches the release through
 * the macros around it ("#define UNLOCK_PFN(vm, pfn) put_page(pfn_to_page(pfn))"
 * releases its second argument); -1: unknown.
 */
static int release_arg(const struct model *m, const struct fx_call *c)
{
	const char *name = c->callee;
	const struct fx_macro *chain[3];
	int n = 0;

	if (is_release_call(name))
		return 0;
	for (int d = 0; d < 3; d++) {
		const struct fx_macro *mc = d ? model_macro(m, name) : model_macro_h(m, name, c->chash);

		if (!mc)
			return 0;
		chain[n++] = mc;
		if (is_release_call(mc->target))
			break;
		name = mc->target;
	}
	/* the release's argument 0, back through each macro to the call;
	 * an alias ("#define X_UNPIN unpin_user_page") passes them as they
	 * are, and a body the map does not follow keeps the first one */
	int k = 0;

	for (int d = n - 1; d >= 0; d--) {
		if (!chain[d]->mapped)
			continue;
		if (k >= MACRO_ARGS || chain[d]->argmap[k] < 0)
			return 0;
		k = chain[d]->argmap[k];
	}
	return k;
}

struct rel {
	struct fref fn;
	const struct fx_call *call;
};

/*
 * Values derived from a page.  A pin's page may leave its function as a
 * pfn, a kernel address or a physical address (page_to_pfn(),
 * page_address(), __pa()), through a pointer parameter or the return
 * value, and be released from that value (virt_to_page(va), pfn_to_page()).
 * A vals set holds the local names that carry the value, each from the
 * line where it starts to.
 */
#define MAX_VALS 16
struct vals {
	const char *v[MAX_VALS];
	unsigned from[MAX_VALS];
	int n;
};

static bool vals_add(struct vals *s, const char *name, size_t len, unsigned from,
		     struct arena *A)
{
	for (int i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && !memcmp(s->v[i], name, len))
			return false;
	if (s->n >= MAX_VALS || !len)
		return false;
	s->v[s->n] = arena_strndup(A, name, len);
	s->from[s->n++] = from;
	return true;
}

/* do the n bytes at text (" a b " or C text) name a member of s carried
 * by line? */
static bool span_hits(const char *text, size_t n, const struct vals *s, unsigned line)
{
	const char *end = text + n;

	for (const char *p = text; p < end && *p;) {
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
			p++;
			continue;
		}
		const char *b = p;

		while (p < end && (*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				   (*p >= '0' && *p <= '9')))
			p++;
		/* a field name: "x->f", "x.f" */
		if ((b > text + 1 && b[-1] == '>' && b[-2] == '-') || (b > text && b[-1] == '.'))
			continue;
		for (int i = 0; i < s->n; i++)
			if (s->from[i] <= line && strlen(s->v[i]) == (size_t)(p - b) &&
			    !memcmp(s->v[i], b, (size_t)(p - b)))
				return true;
	}
	return false;
}

static bool text_hits(const char *text, const struct vals *s, unsigned line)
{
	return text && span_hits(text, strlen(text), s, line);
}

/* argument j of call c names a member of s */
static bool arg_hits(const struct fx_call *c, int j, const struct vals *s)
{
	size_t n;
	const char *t = fx_argspan(c, j, &n);

	return span_hits(t, n, s, c->line);
}

static bool calls_derive(const char *calls)
{
	for (const char *p = calls; p && *p;) {
		while (*p == ' ')
			p++;
		const char *b = p;

		while (*p && *p != ' ')
			p++;
		if (p > b && !derive_call(b, (size_t)(p - b)))
			return false;
	}
	return true;
}

/* grow s over the assignments of function func of fx from line after on:
 * "page = pages[0]", "va = page_address(page) + off"; loose: any call
 * ("page = kvm_pfn_to_refcounted_page(pfn)"), for the release side */
static void derive(const struct facts *fx, unsigned func, unsigned after, struct vals *s,
		   bool loose, struct arena *A)
{
	bool grew = true;
	const struct fx_func *f = &fx->funcs.v[func];

	for (int pass = 0; pass < 3 && grew; pass++) {
		grew = false;
		for (size_t i = f->asg0; i < f->asg0 + f->nasg; i++) {
			const struct fx_assign *a = &fx->assigns.v[i];

			if (a->func != func || a->line < after || a->err ||
			    a->lhs[0] == '-' || !text_hits(a->ids, s, a->line) ||
			    (!loose && !calls_derive(a->calls)))
				continue;
			/* "*mpn = page_to_pfn(page); e->mpn = *mpn;": what x
			 * points to carries it from here on (read as *x) */
			if (a->lhs[0] == '*' && (loose || !a->lhs[1]))
				continue;
			grew |= vals_add(s, a->lhs[0] == '*' ? a->lhs + 1 : a->lhs,
					 strlen(a->lhs) - (a->lhs[0] == '*'), a->line, A);
		}
	}
}

/*
 * The parameters of f whose pages it releases, itself or through the
 * functions it calls (DERIVE_DEPTH levels), the page being the parameter
 * or derived from it: kvm_release_pfn(pfn) -> kvm_release_pfn_clean() ->
 * "page = kvm_pfn_to_refcounted_page(pfn)" -> put_page(page).  Cached in
 * the function's facts when no level was cut.
 */
#define DERIVE_DEPTH 5


static uint32_t releases_params(const struct model *m, struct fref f, int depth, bool *cut,
				struct arena *A)
{
	struct fx_func *ff = &f.fx->funcs.v[f.fn];
	bool mycut = false;
	uint32_t rp = 0;
	int np = 0;

	if (ff->relp_done)
		return ff->relp;
	if (depth <= 0) {
		*cut = true;
		return 0;
	}
	for (const char *p = ff->params; p && *p; p++)
		np += p[0] != ' ' && (p[1] == ' ' || !p[1]);
	ff->relp_done = true;	/* no recursion into itself */
	ff->relp = 0;
	for (int i = 0; i < np && i < 32; i++) {
		struct vals s = { .n = 0 };
		const char *p = ff->params;

		for (int k = 0; k <= i && p; k++) {
			while (*p == ' ')
				p++;
			const char *e = strchr(p, ' ');
			size_t l = e ? (size_t)(e - p) : strlen(p);

			if (k == i)
				vals_add(&s, p, l, 0, A);
			p += l;
		}
		derive(f.fx, f.fn, 0, &s, true, A);
		for (size_t c = ff->call0; c < ff->call0 + ff->ncalls && !(rp >> i & 1); c++) {
			const struct fx_call *call = &f.fx->calls.v[c];
			struct fref g;

			if (call->err)
				continue;
			if (release_call(m, call)) {
				if (arg_hits(call, release_arg(m, call), &s))
					rp |= 1u << i;
				continue;
			}
			if (!lookup_call(m, call, f.fx->module, &g) ||
			    (g.fx == f.fx && g.fn == f.fn))
				continue;
			uint32_t grp = 0;
			int na = fx_nargs(call);

			for (int j = 0; j < na && j < 32; j++) {
				if (!arg_hits(call, j, &s))
					continue;
				if (!grp)
					grp = releases_params(m, g, depth - 1, &mycut, A) | 1u << 31;
				if (grp >> j & 1 && j < 31)
					rp |= 1u << i;
			}
		}
	}
	/* cached even when a level was cut: one answer per function keeps
	 * the search linear (a release deeper than that is not seen) */
	ff->relp = rp;
	ff->relp_done = true;
	(void)mycut;
	return rp;
}

/* does call (in function k of fx) release holder: unpin/put of it, or a
 * helper that releases its page argument */
static bool call_releases(const struct model *m, const struct facts *fx, size_t k,
			  const struct fx_call *call, const char *holder, struct arena *A)
{
	struct fref w;

	if (call->err || call->norel)
		return false;
	if (release_call(m, call)) {
		const char *a0 = fx_arg(call, release_arg(m, call), A);

		return names_holder(a0, holder) || is_alias(fx, k, a0, holder);
	}
	bool cut = false;
	uint32_t rp = lookup_call(m, call, fx->module, &w) ?
		      releases_params(m, w, DERIVE_DEPTH, &cut, A) : 0;
	int na = fx_nargs(call);

	/* releases nothing, whatever the holder: the model, and the
	 * callee's answer (cached in its facts), do not change now */
	if (!rp)
		((struct fx_call *)call)->norel = true;

	/* the holder or a local alias of it ("pages = buf->pages;
	 * drop(pages[i])") */
	for (int j = 0; rp && j < na && j < 32; j++) {
		const char *aj;

		if (!(rp >> j & 1))
			continue;
		aj = fx_arg(call, j, A);
		if (names_holder(aj, holder) || (aj[0] && aj[0] != '-' && is_alias(fx, k, aj, holder)))
			return true;
	}
	return false;
}

static bool is_sg_walk(const char *fn)
{
	return !strncmp(fn, "for_each_sg", 11) || !strncmp(fn, "for_each_sgtable_", 17);
}

/*
 * "for_each_sg(buf->sgt.sgl, sg, n, i) sg_set_page(sg, pages[i], ...)":
 * the entry sg is the loop's iterator; the pages go into the table the
 * loop walks ("->sgt@vx_buf"), not into a variable named sg.  t: the
 * summary of the sg call k's first argument; returns it, or the table.
 */
static const char *sg_iter_table(struct fref fn, const struct fx_call *k, const char *t,
				 struct arena *A)
{
	const struct fx_func *f = fref_func(fn);
	const char *table = t;

	if (!t[0] || t[0] == '-' || strpbrk(t, "() "))
		return t;
	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *l = &fn.fx->calls.v[i];

		if (l == k || l->line > k->line)
			break;
		if (is_sg_walk(l->callee) && !strcmp(fx_arg(l, 1, A), t)) {
			const char *w = fx_arg(l, 0, A);

			if (w[0])
				table = w;	/* the innermost (last) loop */
		}
	}
	return table;
}

/* an sg walker's table (fx_func.sg_table) is the pages' table (a field,
 * "sgt@vx_buf"): a walk of another struct's table, or of another field,
 * releases other pages; a walk of a variable or parameter may be of any
 * table, and so may any walk when the pages' table is not a field */
static bool walks_table(const struct fx_func *f, const char *table)
{
	if (!table || !f->sg_table || f->sg_table[0] != '-')
		return true;
	return field_eq(f->sg_table + 2, table);
}

/* functions of the module that release holder (or walk an sg list) */
static size_t releases(const struct model *m, const char *mod, const char *holder,
		       bool sg, const char *table, struct rel *out, size_t max, struct arena *A)
{
	size_t n = 0;

	for (size_t i = 0; i < model_nfacts(m) && n < max; i++) {
		struct facts *fx = model_facts(m, i);

		if (strcmp(fx->module, mod) && !fx->header)
			continue;
		for (size_t k = 0; k < fx->funcs.n && n < max; k++) {
			const struct fx_func *f = &fx->funcs.v[k];
			bool hit = sg && f->sg_release && walks_table(f, table);
			const struct fx_call *hc = NULL;

			for (size_t c = f->call0; c < f->call0 + f->ncalls && !hit; c++)
				if (call_releases(m, fx, k, &fx->calls.v[c], holder, A))
					hit = true, hc = &fx->calls.v[c];
			if (hit) {
				out[n].fn.fx = fx;
				out[n].fn.fn = (unsigned)k;
				out[n].call = hc;
				n++;
			}
		}
	}
	return n;
}

/*
 * releases() asks every function of the module; sites of one module ask
 * it of the same holder again (kvm's eight pfn sites).  The answer
 * depends on the model alone: what it computes on the way (a release
 * helper's parameters) is cached in the facts by the first asking, and a
 * second asking would read exactly those, so the first answer is kept.
 */
struct rel_memo {
	const char *mod, *holder, *table;
	bool sg;
	size_t n;
	struct rel rs[32];
};

struct rule_memo {
	struct arena a;
	VEC(struct rel_memo) rel;
};

static void rule_memo_free(struct rule_memo *rm)
{
	if (!rm)
		return;
	arena_free(&rm->a);
	free(rm->rel.v);
	free(rm);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static size_t releases_memo(const struct model *m, const char *mod, const char *holder,
			    bool sg, const char *table, struct rel *out, size_t max,
			    struct arena *A)
{
	struct rule_memo **slot = model_rule_memo(m, rule_memo_free);

	if (max > 32)
		return releases(m, mod, holder, sg, table, out, max, A);
	if (!*slot && !(*slot = calloc(1, sizeof(**slot))))
		exit(3);
	struct rule_memo *rm = *slot;

	for (size_t i = 0; i < rm->rel.n; i++) {
		const struct rel_memo *e = &rm->rel.v[i];

		if (e->sg == sg && same_str(e->mod, mod) && same_str(e->holder, holder) &&
		    same_str(e->table, table)) {
			size_t n = e->n < max ? e->n : max;

			memcpy(out, e->rs, n * sizeof(*out));
			return n;
		}
	}
	struct rel_memo e = {
		.mod = arena_strdup(&rm->a, mod), .holder = arena_strdup(&rm->a, holder),
		.table = table ? arena_strdup(&rm->a, table) : NULL, .sg = sg,
	};

	e.n = releases(m, mod, holder, sg, table, e.rs, 32, A);
	VEC_PUSH(rm->rel, e);
	{
		size_t n = e.n < max ? e.n : max;

		memcpy(out, e.rs, n * sizeof(*out));
		return n;
	}
}

/* the pinning function fn releases holder itself after line after, on the
 * path of the pin c (not in another arm, not in a branch on its result) */
static bool releases_after(const struct model *m, struct fref fn, const struct fx_call *c,
			   const char *holder, unsigned after, struct arena *A)
{
	const struct fx_func *f = fref_func(fn);

	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *r = &fn.fx->calls.v[i];

		if (r->line > after && !fx_exclusive(r, c) && !tests_result(r, c) &&
		    !partial_release(r) && call_releases(m, fn.fx, fn.fn, r, holder, A))
			return true;
	}
	return false;
}

#define CALLER_DEPTH 4

/*
 * 1: every caller of fn (called by name, on its normal path) releases
 * the holder after the call, itself (within two calls) or through its
 * own callers, up to depth levels; 0: some caller does not; -1: fn has
 * no caller in the model.
 */
static bool releases_after(const struct model *m, struct fref fn, const struct fx_call *c,
			   const char *holder, unsigned after, struct arena *A);

/* the variable an argument text starts from: "&old_vpa" -> old_vpa,
 * "old_vpa.pinned_addr" -> old_vpa, "(void *)x->f" -> x */
static size_t arg_base(const char *t, const char **b)
{
	for (;;) {
		while (*t == '&' || *t == '*' || *t == ' ')
			t++;
		if (*t == '(') {
			const char *e = strchr(t, ')');

			/* a cast "(type *)" or a parenthesis */
			if (e && (memchr(t, '*', (size_t)(e - t)) || !strncmp(t, "(struct", 7) ||
				  !strncmp(t, "(unsigned", 9) || !strncmp(t, "(void", 5)))
				t = e + 1;
			else
				t++;
			continue;
		}
		break;
	}
	*b = t;
	size_t n = 0;

	while (t[n] == '_' || (t[n] >= 'a' && t[n] <= 'z') || (t[n] >= 'A' && t[n] <= 'Z') ||
	       (t[n] >= '0' && t[n] <= '9'))
		n++;
	return n;
}

/*
 * The caller hands fn two objects of one struct ("update(vcpu, &vpa,
 * &old_vpa)"): fn stores the pages into its parameter P, and the caller
 * releases the same field of the other one ("unpin(old_vpa.pinned_addr)"),
 * the object fn moved the previous pages to.  That is no release of the
 * new pages.
 */
static bool releases_other_object(const struct model *m, struct fref up,
				  const struct fx_call *cc, int P, const char *holder,
				  struct arena *A)
{
	const struct fx_func *f = fref_func(up);
	bool other = false;

	if (P < 0)
		return false;
	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *r = &up.fx->calls.v[i];

		if (r->line <= cc->line || !call_releases(m, up.fx, up.fn, r, holder, A))
			continue;
		for (int j = 0; j < fx_nargs(r); j++) {
			const char *rb, *ab;
			size_t rl = arg_base(fx_argtext(r, j, A), &rb);

			if (!rl || !strstr(fx_arg(r, j, A), "->"))
				continue;
			for (int k = 0; k < fx_nargs(cc); k++) {
				size_t al = arg_base(fx_argtext(cc, k, A), &ab);

				if (al != rl || memcmp(ab, rb, rl))
					continue;
				if (k == P)
					return false;	/* the same object */
				other = true;
			}
		}
	}
	return other;
}

static bool asks_longterm(const char *flags, bool ephemeral_site);

/* fp >= 0: the pinning function's flags are its parameter fp, and a
 * caller that asks for a long-term pin there (FOLL_LONGTERM; on the new
 * API constants without FOLL_EPHEMERAL) keeps its pages by request: that
 * path is not held against the pin (only the callers passing an
 * ephemeral pin must release before returning) */
static int callers_release(const struct model *m, struct fref fn, const struct rel *rs,
			   size_t nr, int depth, const char **who, const char **rn,
			   int *budget, const char *holder, int P, int fp, bool eph,
			   struct arena *A)
{
	const struct fx_func *f = fref_func(fn);
	struct cref cs[MAX_CALLERS];
	size_t nc = model_callers(m, f->name, fn.fx->module, cs, MAX_CALLERS);
	size_t ncall = 0;
	const char *via = NULL;

	for (size_t k = 0; k < nc; k++) {
		const struct fx_call *cc = &cs[k].fx->calls.v[cs[k].call];
		struct fref up = { cs[k].fx, cc->func };
		bool done = false;

		if (cc->err || strcmp(cc->callee, f->name) ||
		    (up.fx == fn.fx && up.fn == fn.fn))
			continue;
		if (fp >= 0 && asks_longterm(fx_argtext(cc, fp, A), eph))
			continue;
		ncall++;
		if (--*budget < 0)
			return 0;
		/* "return pin_helper(...);": the caller releases nothing after */
		for (size_t i = 0; i < nr && !done && !cc->in_return; i++) {
			const char *r = fref_func(rs[i].fn)->name;
			bool self = rs[i].fn.fx == up.fx && rs[i].fn.fn == up.fn;

			if ((self && releases_after(m, up, cc, holder, cc->line, A) &&
			     !releases_other_object(m, up, cc, P, holder, A)) ||
			    (!self && reaches_after(m, up, r, 2, &via, cc, cc->line))) {
				done = true;
				*who = fref_func(up)->name;
				*rn = r;
			}
		}
		if (!done && (depth <= 1 ||
			      callers_release(m, up, rs, nr, depth - 1, who, rn, budget,
					      holder, -1, -1, false, A) != 1))
			return 0;
	}
	return ncall ? 1 : -1;
}

/* a call that allocates the memory it returns */
static bool is_alloc_call(const char *fn)
{
	static const char *const a[] = {
		"kmalloc", "kzalloc", "kcalloc", "kmalloc_array", "kmalloc_node",
		"kzalloc_node", "kvmalloc", "kvzalloc", "kvcalloc", "kvmalloc_array",
		"vmalloc", "vzalloc", "kmem_cache_alloc", "kmem_cache_zalloc",
		"devm_kzalloc", "devm_kmalloc",
	};

	for (size_t i = 0; i < sizeof(a) / sizeof(*a); i++)
		if (!strcmp(a[i], fn))
			return true;
	return false;
}

/* g returns an object it allocates: "x = kzalloc(...); ... return x;" */
static bool constructor(const struct model *m, const struct fx_call *c, const char *mod)
{
	struct fref g;

	if (is_alloc_call(c->callee))
		return true;
	if (!lookup_call(m, c, mod, &g))
		return false;
	const struct fx_func *f = fref_func(g);

	for (size_t i = f->asg0; i < f->asg0 + f->nasg; i++) {
		const struct fx_assign *a = &g.fx->assigns.v[i];
		char w[160];
		bool alloc = false;

		if (a->func != g.fn || a->err || !a->calls || a->lhs[0] == '*' ||
		    a->lhs[0] == '-' || strlen(a->lhs) > 150)
			continue;
		for (const char *p = a->calls; *p && !alloc;) {
			while (*p == ' ')
				p++;
			const char *e = strchr(p, ' ');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			char nm[64];

			if (l && l < sizeof(nm)) {
				memcpy(nm, p, l);
				nm[l] = 0;
				alloc = is_alloc_call(nm);
			}
			p += l;
		}
		if (!alloc)
			continue;
		snprintf(w, sizeof(w), " %s ", a->lhs);
		for (size_t r = 0; r < g.fx->rets.n; r++) {
			const struct fx_ret *rt = &g.fx->rets.v[r];

			if (rt->func == g.fn && rt->ok && rt->ids && strstr(rt->ids, w))
				return true;
		}
	}
	return false;
}

/*
 * The call c (in up) hands a release an object that up itself created
 * earlier on the same path ("iter = iova_bitmap_alloc(...); ...
 * iova_bitmap_free(iter);"): the object, and any pages kept in it, lives
 * only while up runs, whatever pins into it in between.  A looked-up
 * object ("obj = idr_remove(...); destroy(obj)") is no such object.
 */
static bool per_call_object(const struct model *m, struct fref up, const struct fx_call *c,
			    struct arena *A)
{
	const struct fx_func *f = fref_func(up);

	for (int j = 0; f->objs && j < fx_nargs(c) && j < 8; j++) {
		/* "&cb", "&cb.sgt", "cb.pages": an object on up's stack */
		size_t l, k = 0;
		const char *t = fx_argspan(c, j, &l);
		char w[80];

		if (l && t[0] == '&')
			k++;
		size_t s0 = k;

		while (k < l && (t[k] == '_' || (t[k] >= 'a' && t[k] <= 'z') ||
				 (t[k] >= 'A' && t[k] <= 'Z') || (t[k] >= '0' && t[k] <= '9')))
			k++;
		if (k == s0 || k - s0 > 70 || (k < l && t[k] != '.' && t[k] != '[') ||
		    (s0 == 0 && k == l))
			continue;
		snprintf(w, sizeof(w), " %.*s ", (int)(k - s0), t + s0);
		if (!strstr(f->objs, w))
			continue;
		/* and an earlier call on the same path filled it ("map(&cb);
		 * ... unmap(&cb)"): a request copied from userspace onto the
		 * stack and handed to an unmap ioctl names the holder, it is
		 * not the holder */
		for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
			const struct fx_call *e = &up.fx->calls.v[i];

			if (e == c || e->line > c->line || (e->line == c->line && e->col >= c->col))
				break;
			struct fref g;

			/* a function of the module: copy_from_user(&req, ...)
			 * or memset() fills a request, not a holder */
			if (e->err || e->jumped || fx_exclusive(e, c) ||
			    !lookup_call(m, e, up.fx->module, &g))
				continue;
			for (int a = 0; a < fx_nargs(e) && a < 8; a++) {
				size_t el;
				const char *et = fx_argspan(e, a, &el);

				if (el && et[0] == '&')
					et++, el--;
				if (el >= k - s0 && !memcmp(et, t + s0, k - s0) &&
				    (el == k - s0 || et[k - s0] == '.' || et[k - s0] == '['))
					return true;
			}
		}
	}
	for (int j = 0; j < fx_nargs(c) && j < 8; j++) {
		const char *x = fx_arg(c, j, A);

		if (!x[0] || strpbrk(x, "-() ") || fx_has_param(f, x))
			continue;
		for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
			const struct fx_call *k = &up.fx->calls.v[i];

			if (k == c || k->line > c->line || (k->line == c->line && k->col >= c->col))
				break;
			if (!k->err && !k->jumped && k->assigned && !strcmp(k->assigned, x) &&
			    !fx_exclusive(k, c) && constructor(m, k, up.fx->module))
				return true;
		}
	}
	return false;
}

/* climb from fn to an entry point userspace drives; fills the steps */
/* *seen_completion: 1 reached from a function named like a completion,
 * 2 from a completion or per-request operation of an ops table, 3 from a
 * function that creates the object and destroys it before returning
 * (per_call_object()) */
static bool user_trigger(struct ask *q, struct fref fn, int depth, int *seen_completion)
{
	const struct fx_func *f = fref_func(fn);
	const char *role = model_role(q->m, f->name, fn.fx->module);

	if (role && completion_role(role)) {
		*seen_completion = 2;
		return false;
	}
	if (user_role(role)) {
		snprintf(q->tmp, sizeof(q->tmp), "%s() is the .%s operation: userspace triggers it",
			 f->name, role);
		q->lt->trigger = arena_strdup(q->A, q->tmp);
		step(q, fn.fx, f->line, "%s", q->lt->trigger);
		return true;
	}
	if (is_completion_name(f->name)) {
		if (!*seen_completion)
			*seen_completion = 1;
		return false;
	}
	if (depth <= 0)
		return false;
	struct cref cs[MAX_CALLERS];
	size_t nc = model_callers(q->m, f->name, fn.fx->module, cs, MAX_CALLERS);
	int comp = 0;

	for (size_t i = 0; i < nc; i++) {
		const struct fx_call *c = &cs[i].fx->calls.v[cs[i].call];
		struct fref up = { cs[i].fx, c->func };

		if (c->err || (up.fx == fn.fx && up.fn == fn.fn))
			continue;
		if (queue_entry_call(up, c)) {
			/* released when the queue gets to it: after whatever is
			 * queued before it, which may block for as long as
			 * userspace likes */
			snprintf(q->tmp, sizeof(q->tmp), "%s() releases entries from the head of "
				 "a queue: an entry queued behind one that blocks stays pinned",
				 fref_func(up)->name);
			q->lt->trigger = arena_strdup(q->A, q->tmp);
			step(q, cs[i].fx, c->line, "%s() called from %s(), which takes the head "
			     "of a queue", f->name, fref_func(up)->name);
			return true;
		}
		if (per_call_object(q->m, up, c, q->A)) {
			if (comp < 3) {
				comp = 3;
				snprintf(q->tmp, sizeof(q->tmp), "%s() creates the object and "
					 "destroys it with %s() before returning", fref_func(up)->name,
					 f->name);
				q->lt->bounded_by = arena_strdup(q->A, q->tmp);
			}
			continue;
		}
		int mark = q->lt->nsteps;

		step(q, cs[i].fx, c->line, "%s() called from %s()", f->name,
		     fref_func(up)->name);
		if (user_trigger(q, up, depth - 1, &comp))
			return true;
		q->lt->nsteps = mark;
	}
	/* reached from a completion and from no user entry: the name of
	 * a helper ("..._release_cmd_res") says nothing more */
	if (comp) {
		if (comp > *seen_completion)
			*seen_completion = comp;
		return false;
	}
	if (user_name(f->name)) {
		snprintf(q->tmp, sizeof(q->tmp), "%s() is a destroy/ioctl path userspace drives",
			 f->name);
		q->lt->trigger = arena_strdup(q->A, q->tmp);
		return true;
	}
	return false;
}

static enum verdict decide(struct ask *q, struct fref fn, const struct fx_call *c,
			   int pa, const char *holder0, int depth);
static bool arms_within(const struct fx_call *rel, const struct fx_call *c);

/* a call of fn after src on src's path (every arm around it holds src) */
static bool on_path_after(const struct fx_call *r, const struct fx_call *src)
{
	return r != src && !r->err && !r->jumped &&
	       (r->line > src->line || (r->line == src->line && r->col > src->col)) &&
	       arms_within(r, src);
}

/* r releases a value of s: an unpin/put of it, or a helper that does */
static bool releases_val(const struct model *m, const struct facts *fx,
			 const struct fx_call *r, const struct vals *s, struct arena *A)
{
	struct fref g;

	if (release_call(m, r))
		return arg_hits(r, release_arg(m, r), s);
	if (!lookup_call(m, r, fx->module, &g))
		return false;
	bool cut = false;
	uint32_t rp = releases_params(m, g, DERIVE_DEPTH, &cut, A);
	int na = fx_nargs(r);

	for (int j = 0; rp && j < na && j < 32; j++)
		if (rp >> j & 1 && arg_hits(r, j, s))
			return true;
	return false;
}

static enum verdict follow(struct ask *q, struct fref fn, const struct fx_call *src,
			   struct vals *s, bool ret, int depth, int *budget);

/*
 * The pages leave fn, a function other files may call (not static),
 * through a pointer parameter, and nothing in the model calls it: in a
 * vendor tree (not a kernel's, where the rest of the kernel may call it)
 * its callers are outside the module (a vendor's core library, a closed
 * part of the driver linked in) and keep the pages as long as they
 * like.  Not seen: reported as kept, with the reason.
 */
static enum verdict out_of_tree(struct ask *q, struct fref fn, const char *how)
{
	const struct fx_func *f = fref_func(fn);

	if (f->is_static || fn.fx->header || model_open_world(q->m))
		return V_NONE;
	step(q, fn.fx, f->line, "%s() hands the pages out %s; no caller of it in its module",
	     f->name, how);
	snprintf(q->tmp, sizeof(q->tmp), "the callers of %s()", f->name);
	q->lt->holder = arena_strdup(q->A, q->tmp);
	q->lt->release = "callers outside the module";
	snprintf(q->tmp, sizeof(q->tmp), "%s() hands them out %s to callers outside its "
		 "module, which decide when they are released", f->name, how);
	q->lt->trigger = arena_strdup(q->A, q->tmp);
	snprintf(q->tmp, sizeof(q->tmp), "pages kept by the callers of %s(): %s", f->name,
		 q->lt->trigger);
	q->lt->why = arena_strdup(q->A, q->tmp);
	return V_USER;
}

/* the value is what fn returns: ask each caller that calls it by name */
static enum verdict follow_return(struct ask *q, struct fref fn, int depth, int *budget)
{
	const struct fx_func *f = fref_func(fn);
	struct cref cs[MAX_CALLERS];
	size_t nc = model_callers(q->m, f->name, fn.fx->module, cs, MAX_CALLERS);
	enum verdict best = V_NONE;
	int mark = q->lt->nsteps;

	for (size_t i = 0; i < nc; i++) {
		const struct fx_call *cc = &cs[i].fx->calls.v[cs[i].call];
		struct fref up = { cs[i].fx, cc->func };
		struct vals t = { .n = 0 };

		if (cc->err || strcmp(cc->callee, f->name) || (up.fx == fn.fx && up.fn == fn.fn))
			continue;
		q->lt->nsteps = mark;
		step(q, cs[i].fx, cc->line, "%s() returns it to %s()", f->name,
		     fref_func(up)->name);
		enum verdict v = follow(q, up, cc, &t, true, depth - 1, budget);

		if (v == V_USER)
			return v;
		if (v > best)
			best = v;
	}
	q->lt->nsteps = mark;
	return best;
}

/*
 * The value leaves fn through its pointer parameter pi ("*p = page"):
 * ask each caller about what it passed there.  A caller that passes its
 * own pointer parameter on ("return map(addr, p)") hands it further up.
 */
static enum verdict follow_out(struct ask *q, struct fref fn, int pi, int depth, int *budget,
			       bool *nocaller)
{
	const struct fx_func *f = fref_func(fn);
	struct cref cs[MAX_CALLERS];
	size_t nc = pi >= 0 && depth >= 0 ?
		    model_callers(q->m, f->name, fn.fx->module, cs, MAX_CALLERS) : 0;
	enum verdict v = V_NONE;
	int m2 = q->lt->nsteps;

	if (pi >= 0 && depth >= 0 && !nc) {
		*nocaller = true;	/* out_of_tree(), when nothing else keeps them */
		return V_NONE;
	}
	for (size_t k = 0; k < nc && v != V_USER; k++) {
		const struct fx_call *cc = &cs[k].fx->calls.v[cs[k].call];
		struct fref up = { cs[k].fx, cc->func };
		const char *x = fx_arg(cc, pi, q->A);
		const char *xt = fx_argtext(cc, pi, q->A);
		struct vals t = { .n = 0 };
		enum verdict w;

		if (cc->err || strcmp(cc->callee, f->name) || !x[0] ||
		    strpbrk(x, "-()") || (up.fx == fn.fx && up.fn == fn.fn))
			continue;
		q->lt->nsteps = m2;
		step(q, cs[k].fx, cc->line, "%s() hands it to %s() through *%s",
		     f->name, fref_func(up)->name, x);
		int upi = xt[0] != '&' ? fx_param_index(fref_func(up), x) : -1;

		if (upi >= 0) {
			bool nc2 = false;

			w = follow_out(q, up, upi, depth - 1, budget, &nc2);
			if (nc2 && w != V_USER)
				w = out_of_tree(q, up, "through a pointer parameter");
		} else {
			vals_add(&t, x, strlen(x), cc->line, q->A);
			w = follow(q, up, cc, &t, false, depth - 1, budget);
		}
		if (w > v)
			v = w;
	}
	return v;
}

/*
 * The value s (the pages of src, a call in fn, or a pfn or address made
 * from them; ret: what src returns) after src: released on its path
 * (bounded), kept in a struct field (the holder's rules decide), handed
 * to the callers through a pointer parameter or the return value, or
 * handed by address to a table its module releases from elsewhere.
 */
static enum verdict follow(struct ask *q, struct fref fn, const struct fx_call *src,
			   struct vals *s, bool ret, int depth, int *budget)
{
	const struct model *m = q->m;
	const struct fx_func *f = fref_func(fn);
	enum verdict best = V_NONE;
	int mark = q->lt->nsteps;
	bool nocaller = false;	/* out through *param of fn, no caller */

	if (depth < 0 || --*budget < 0)
		return V_NONE;
	if (ret) {
		if (src->in_return)
			return follow_return(q, fn, depth, budget);
		if (!src->assigned)
			return V_NONE;
		if (src->assigned[0] == '-')
			return decide(q, fn, src, -1, src->assigned + 2, 0);
		/* "*p = lock(addr);": out through the pointer parameter p */
		int pi = src->assigned_deref ? fx_param_index(f, src->assigned) : -1;

		if (pi >= 0) {
			enum verdict v = follow_out(q, fn, pi, depth, budget, &nocaller);

			if (v == V_USER)
				return v;
			q->lt->nsteps = mark;
		}
		vals_add(s, src->assigned, strlen(src->assigned), src->line, q->A);
	}
	derive(fn.fx, fn.fn, src->line, s, false, q->A);
	/* 1. released on the path after src */
	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *r = &fn.fx->calls.v[i];

		if (on_path_after(r, src) && releases_val(m, fn.fx, r, s, q->A)) {
			snprintf(q->tmp, sizeof(q->tmp), "released by %s() in %s()", r->callee,
				 f->name);
			q->lt->why = arena_strdup(q->A, q->tmp);
			return V_BOUNDED;
		}
	}
	/* 1b. mapped into a user address space: the mapping holds the
	 * pages until userspace unmaps (or detaches) them */
	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *r = &fn.fx->calls.v[i];

		if (r == src || r->err || r->line < src->line || !is_user_map(r->callee))
			continue;
		for (int j = 0; j < fx_nargs(r); j++)
			if (arg_hits(r, j, s)) {
				q->lt->nsteps = mark;
				step(q, fn.fx, r->line, "mapped into a user address space by %s() "
				     "(%s())", f->name, r->callee);
				snprintf(q->tmp, sizeof(q->tmp), "a user mapping (%s())", r->callee);
				q->lt->holder = arena_strdup(q->A, q->tmp);
				q->lt->release = "the module when userspace unmaps or detaches them";
				q->lt->trigger = "the pages stay mapped in a user address space until "
						 "userspace unmaps or detaches them";
				snprintf(q->tmp, sizeof(q->tmp), "pages kept in %s: %s",
					 q->lt->holder, q->lt->trigger);
				q->lt->why = arena_strdup(q->A, q->tmp);
				return V_USER;
			}
	}
	/* 2. a field, 3. a pointer parameter */
	for (size_t i = f->asg0; i < f->asg0 + f->nasg; i++) {
		const struct fx_assign *a = &fn.fx->assigns.v[i];
		enum verdict v = V_NONE;

		if (a->func != fn.fn || a->err || a->line < src->line ||
		    !text_hits(a->ids, s, a->line) || !calls_derive(a->calls))
			continue;
		q->lt->nsteps = mark;
		if (a->lhs[0] == '-') {
			v = decide(q, fn, src, -1, a->lhs + 2, 0);
		} else if (a->lhs[0] == '*') {
			v = follow_out(q, fn, fx_param_index(f, a->lhs + 1), depth, budget,
				       &nocaller);
		}
		if (v == V_USER)
			return v;
		if (v > best)
			best = v;
	}
	/* 4. the return value */
	for (size_t i = 0; i < fn.fx->rets.n; i++) {
		const struct fx_ret *r = &fn.fx->rets.v[i];

		if (r->func != fn.fn || r->line < src->line || !text_hits(r->ids, s, r->line) ||
		    !calls_derive(r->calls))
			continue;
		q->lt->nsteps = mark;
		enum verdict v = follow_return(q, fn, depth, budget);

		if (v == V_USER)
			return v;
		if (v > best)
			best = v;
		break;
	}
	/* 5. handed by address to a call ("xchg(tbl, &hpa)") that keeps it,
	 * released here only on some paths by a helper the module calls
	 * from elsewhere too: the table holds it until that other path */
	const struct fx_call *kept = NULL, *crel = NULL;
	struct fref g = { 0 };

	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *r = &fn.fx->calls.v[i];

		if (r == src || r->line < src->line)
			continue;
		/* the module's release helper for the value: on any path,
		 * error paths too (it names the helper, it bounds nothing) */
		if (!crel && !is_release_call(r->callee) && releases_val(m, fn.fx, r, s, q->A) &&
		    lookup_call(m, r, fn.fx->module, &g))
			crel = r;
		else if (!kept && !r->err && strstr(r->argtext, "&") &&
			 !releases_val(m, fn.fx, r, s, q->A)) {
			for (int j = 0; j < fx_nargs(r) && !kept; j++) {
				const char *t = fx_argtext(r, j, q->A);

				if (t[0] == '&' && text_hits(t + 1, s, r->line))
					kept = r;
			}
		}
	}
	if (kept && crel && kept->line <= crel->line) {
		struct cref cs[MAX_CALLERS];
		const struct fx_func *gf = fref_func(g);
		size_t nc = model_callers(m, gf->name, g.fx->module, cs, MAX_CALLERS);
		int comp = 0;

		q->lt->nsteps = mark;
		step(q, fn.fx, kept->line, "handed to %s() by %s(), released on some paths only",
		     kept->callee, f->name);
		step(q, g.fx, gf->line, "released by %s()", gf->name);
		int m2 = q->lt->nsteps;

		for (size_t k = 0; k < nc; k++) {
			const struct fx_call *cc = &cs[k].fx->calls.v[cs[k].call];
			struct fref up = { cs[k].fx, cc->func };

			const struct fx_func *uf = fref_func(up);
			bool pins = false;

			/* a caller that pins its own page releases that one */
			for (size_t i = uf->call0; i < uf->call0 + uf->ncalls && !pins; i++) {
				const struct fx_call *uc = &up.fx->calls.v[i];

				pins = api_lookup(uc->callee, uc->clen) ||
				       !strcmp(uc->callee, src->callee);
			}
			if (cc->err || pins || (up.fx == fn.fx && up.fn == fn.fn))
				continue;
			q->lt->nsteps = m2;
			step(q, cs[k].fx, cc->line, "%s() called from %s()", gf->name,
			     fref_func(up)->name);
			if (user_trigger(q, up, 5, &comp)) {
				snprintf(q->tmp, sizeof(q->tmp), "the table of %s()", kept->callee);
				q->lt->holder = arena_strdup(q->A, q->tmp);
				q->lt->release = gf->name;
				snprintf(q->tmp, sizeof(q->tmp), "handed to %s(), released in %s() "
					 "only later: %s", kept->callee, gf->name, q->lt->trigger);
				q->lt->why = arena_strdup(q->A, q->tmp);
				return V_USER;
			}
		}
	}
	q->lt->nsteps = mark;
	if (nocaller && best != V_USER)
		return out_of_tree(q, fn, "through a pointer parameter");
	return best;
}

/*
 * The pages of call c (argument pa) in function fn: decide.  depth bounds
 * the climb through parameters and return values.
 */
/* where the pages of a site are kept (decide()'s answer to "where do
 * they go?") */
struct hold {
	const char *holder;	/* "f[@T]" a field, "::g" a global, or a table */
	bool sg;		/* an sg table (or the field is put in one)  */
	bool field_sg;		/* the field, and an sg table made of it     */
	const char *table;	/* the sg table's field, when known          */
	unsigned hline;		/* where the pages go into it                */
};

/* A local (or parameter) page array arg of call c: stored into a field
 * (not in another arm than the pin), put in an sg table (by a store, or a
 * table built and returned into a field), or a local that points into a
 * field ("struct page **pages = obj->pages + done;").  Fills h->holder. */
static void array_holder(struct ask *q, struct fref fn, const struct fx_call *c,
			 const char *arg, struct hold *h)
{
	const struct fx_func *f = fref_func(fn);

	for (size_t i = 0; i < fn.fx->stores.n; i++) {
		const struct fx_store *s = &fn.fx->stores.v[i];

		if (s->func == fn.fn && !s->alias && !strcmp(s->from, arg) &&
		    !arms_exclusive(s->arms, c->arms)) {
			h->holder = s->field;
			h->hline = s->line;
			break;
		}
	}
	for (size_t i = f->call0; !h->holder && i < f->call0 + f->ncalls; i++) {
		const struct fx_call *k = &fn.fx->calls.v[i];

		if (is_sg_return(k->callee) && !k->err && k->line >= c->line &&
		    k->assigned && k->assigned[0] == '-') {
			for (int a = 0; a < fx_nargs(k) && !h->holder; a++)
				if (!strcmp(fx_arg(k, a, q->A), arg)) {
					h->holder = h->table = k->assigned + 2;
					h->sg = true;
					h->hline = k->line;
				}
			continue;
		}
		if (!is_sg_store(k->callee))
			continue;
		for (int a = 1; a < fx_nargs(k); a++)
			if (!strcmp(fx_arg(k, a, q->A), arg)) {
				const char *t = sg_iter_table(fn, k, fx_arg(k, 0, q->A), q->A);

				h->holder = t[0] == '-' ? t + 2 : t;
				h->table = t[0] == '-' ? t + 2 : NULL;
				h->sg = true;
				h->hline = k->line;
				break;
			}
	}
	for (size_t i = 0; !h->holder && i < fn.fx->stores.n; i++) {
		const struct fx_store *s = &fn.fx->stores.v[i];

		if (s->func == fn.fn && s->alias && s->line <= c->line && !strcmp(s->from, arg))
			h->holder = s->field;
	}
}

/* the array is parameter pi of fn: the callers own it; ask each one */
static enum verdict callers_array(struct ask *q, struct fref fn, int pi, int depth)
{
	const struct fx_func *f = fref_func(fn);
	struct cref cs[MAX_CALLERS];
	size_t nc = model_callers(q->m, f->name, fn.fx->module, cs, MAX_CALLERS);
	enum verdict best = V_NONE;
	int mark = q->lt->nsteps;

	for (size_t i = 0; i < nc; i++) {
		const struct fx_call *cc = &cs[i].fx->calls.v[cs[i].call];
		struct fref up = { cs[i].fx, cc->func };

		if (strcmp(cc->callee, f->name))
			continue;	/* passed as a callback */
		q->lt->nsteps = mark;
		step(q, cs[i].fx, cc->line, "%s() passes the page array to %s()",
		     fref_func(up)->name, f->name);
		enum verdict v = decide(q, up, cc, pi, NULL, depth - 1);

		if (v > best)
			best = v;
		if (v == V_USER)
			return v;
	}
	q->lt->nsteps = mark;
	return best ? best : V_BOUNDED;
}

/* the pages (or their heads) go into an skb's frags after the call: the
 * skb holds them until it is freed, which the socket's peer or reader
 * decides (sent and acknowledged, or read) */
static bool skb_holder(struct ask *q, struct fref fn, const struct fx_call *c)
{
	const struct fx_func *f = fref_func(fn);

	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *k = &fn.fx->calls.v[i];

		if (k->line < c->line || k->err || !is_skb_store(k->callee))
			continue;
		q->lt->holder = "skb frags";
		step(q, fn.fx, k->line, "pages put in an skb's frags by %s() (%s())",
		     f->name, k->callee);
		q->lt->release = "kfree_skb";
		q->lt->trigger = "the skb keeps its frags until it is freed: after the data is "
				 "sent and acknowledged, or read by the receiving socket";
		snprintf(q->tmp, sizeof(q->tmp), "pages kept in an skb's frags: %s", q->lt->trigger);
		q->lt->why = arena_strdup(q->A, q->tmp);
		return true;
	}
	return false;
}

/* no field holds them: follow the value (c's return value when ret, else
 * the local arg) and what is made of it; only a user verdict sticks */
static bool value_kept(struct ask *q, struct fref fn, const struct fx_call *c,
		       const char *arg, bool ret)
{
	struct vals sv = { .n = 0 };
	int budget = 400, mark = q->lt->nsteps;

	if (!ret)
		vals_add(&sv, arg, strlen(arg), c->line, q->A);
	if (follow(q, fn, c, &sv, ret, 6, &budget) == V_USER)
		return true;
	q->lt->nsteps = mark;
	q->lt->trigger = NULL;
	q->lt->holder = NULL;
	q->lt->release = NULL;
	return false;
}

/* the field is then put in an sg table: its walkers release it too */
static void field_in_sg_table(struct ask *q, struct fref fn, struct hold *h)
{
	const struct fx_func *f = fref_func(fn);

	for (size_t i = f->call0; !h->sg && h->holder[0] != ':' && i < f->call0 + f->ncalls; i++) {
		const struct fx_call *k = &fn.fx->calls.v[i];

		if (!is_sg_store(k->callee) || k->err)
			continue;
		for (int a = 1; a < fx_nargs(k) && !h->sg; a++)
			h->sg = h->field_sg = names_holder(fx_arg(k, a, q->A), h->holder);
		if (h->sg) {
			/* the table it goes in: what the walkers walk */
			const char *t = sg_iter_table(fn, k, fx_arg(k, 0, q->A), q->A);

			h->table = t[0] == '-' ? t + 2 : NULL;
		}
	}
}

/* name the holder in the answer and its steps: "pages" (struct vx_buf) */
static void show_holder(struct ask *q, struct fref fn, const struct fx_call *c,
			const char *arg, struct hold *h)
{
	const struct fx_func *f = fref_func(fn);
	const char *holder = h->holder;

	/* the line where a local array goes into the holder */
	for (size_t i = 0; h->hline == c->line && arg[0] && arg[0] != '-' &&
			   i < fn.fx->stores.n; i++) {
		const struct fx_store *s = &fn.fx->stores.v[i];

		if (s->func == fn.fn && !s->alias && !strcmp(s->from, arg) &&
		    field_eq(s->field, holder))
			h->hline = s->line;
	}
	const char *tag = holder[0] != ':' ? strchr(holder, '@') : NULL;
	char ofs[160] = "";

	q->lt->holder = tag ? arena_strndup(q->A, holder, (size_t)(tag - holder))
			    : arena_strdup(q->A, holder[0] == ':' ? holder + 2 : holder);
	if (tag && tag[1] == '.')
		snprintf(ofs, sizeof(ofs), " (in %.140s)", tag + 1);
	else if (tag)
		snprintf(ofs, sizeof(ofs), " of struct %.140s", tag + 1);
	if (h->field_sg)
		step(q, fn.fx, h->hline, "pages kept in ->%s%s, and in an sg table of it, by %s()",
		     q->lt->holder, ofs, f->name);
	else
		step(q, fn.fx, h->hline, "pages kept in %s%s%s by %s()",
		     h->sg ? "the sg table " : holder[0] == ':' ? "" : "->", q->lt->holder, ofs,
		     f->name);
}

/* the local the pages came in is itself released after the call
 * ("dump->page = page; ... put_page(page);"): the field keeps a pointer,
 * not a reference */
static bool local_put_after(struct ask *q, struct fref fn, const struct fx_call *c,
			    const char *arg)
{
	const struct fx_func *f = fref_func(fn);
	struct vals lv = { .n = 0 };

	if (!arg[0] || arg[0] == '-' || strpbrk(arg, "()"))
		return false;
	vals_add(&lv, arg, strlen(arg), c->line, q->A);
	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *r = &fn.fx->calls.v[i];

		if (on_path_after(r, c) && release_call(q->m, r) &&
		    arg_hits(r, release_arg(q->m, r), &lv)) {
			snprintf(q->tmp, sizeof(q->tmp), "released by %s() in %s()",
				 r->callee, f->name);
			q->lt->why = arena_strdup(q->A, q->tmp);
			q->lt->release = f->name;
			return true;
		}
	}
	return false;
}

/* nothing in the module releases the holder: outside a kernel tree the
 * module is the whole story, and the object keeps the pages for good (a
 * leak, or a release by code not here); in a kernel tree, unknown */
static enum verdict unreleased(struct ask *q, const char *holder)
{
	if (holder[0] != ':' && !model_open_world(q->m)) {
		q->lt->release = "code outside the module, if at all";
		q->lt->trigger = "nothing in the module releases them: they stay with the object "
				 "(leaked, or released by code outside the module)";
		snprintf(q->tmp, sizeof(q->tmp), "pages kept in %s: %s", q->lt->holder,
			 q->lt->trigger);
		q->lt->why = arena_strdup(q->A, q->tmp);
		return V_USER;
	}
	q->lt->why = "no release of the holder found in the module";
	return V_BOUNDED;
}

/* a release of the holder reached before the pinning function returns
 * (after the pin and after the store: "free_old(obj); obj->pages =
 * pages;" frees the old contents), or one at I/O completion */
static bool released_in_call(struct ask *q, struct fref fn, const struct fx_call *c,
			     const struct hold *h, const struct rel *rs, size_t nr)
{
	const struct model *m = q->m;
	const struct fx_func *f = fref_func(fn);
	const char *via = NULL;
	unsigned after = h->hline > c->line ? h->hline : c->line;

	for (size_t i = 0; i < nr; i++) {
		const char *rn = fref_func(rs[i].fn)->name;
		bool self = rs[i].fn.fx == fn.fx && rs[i].fn.fn == fn.fn;

		/* "return pin(...);" releases nothing after the pin */
		if (!c->in_return &&
		    ((self && releases_after(m, fn, c, h->holder, after, q->A)) ||
		     (!self && reaches_after(m, fn, rn, 3, &via, c, after)))) {
			snprintf(q->tmp, sizeof(q->tmp), "released by %s() before %s() returns",
				 rn, f->name);
			q->lt->why = arena_strdup(q->A, q->tmp);
			q->lt->release = rn;
			return true;
		}
		if (is_completion_name(rn) || completion_role(model_role(m, rn, fn.fx->module))) {
			snprintf(q->tmp, sizeof(q->tmp), "released at I/O completion in %s()", rn);
			q->lt->why = arena_strdup(q->A, q->tmp);
			q->lt->release = rn;
			return true;
		}
	}
	return false;
}

/* the pin's callers, up to CALLER_DEPTH levels, release it before
 * returning, on every path that reaches the pin */
static bool released_by_callers(struct ask *q, struct fref fn, const char *holder,
				const struct rel *rs, size_t nr)
{
	const struct fx_func *f = fref_func(fn);
	const char *who = NULL, *rn = NULL;
	int budget = 4000;
	int P = -1;	/* the object fn stores into, when it is a parameter */

	for (size_t i = f->asg0; i < f->asg0 + f->nasg && P < 0; i++) {
		const struct fx_assign *a = &fn.fx->assigns.v[i];

		if (a->func == fn.fn && a->base && a->lhs[0] == '-' &&
		    field_eq(a->lhs + 2, holder))
			P = fx_param_index(f, a->base);
	}
	if (callers_release(q->m, fn, rs, nr, CALLER_DEPTH, &who, &rn, &budget,
			    holder, P, q->flags_param, q->eph_site, q->A) != 1)
		return false;
	snprintf(q->tmp, sizeof(q->tmp),
		 "%s() pins through %s() and releases through %s() before returning",
		 who, f->name, rn);
	q->lt->why = arena_strdup(q->A, q->tmp);
	q->lt->release = rn;
	return true;
}

/* userspace decides: the path from a release to an entry point userspace
 * drives, shown; a release of the remainder only ("pages + done") is
 * shown last.  Bounded after all when every path is a completion or a
 * call that holds the object for one call. */
static enum verdict user_path(struct ask *q, struct rel *rs, size_t nr)
{
	for (size_t i = 0, w = 0; i < nr; i++)
		if (!rs[i].call || !partial_release(rs[i].call)) {
			struct rel t = rs[w];

			rs[w++] = rs[i];
			rs[i] = t;
		}
	const struct rel *r = &rs[0];

	q->lt->release = fref_func(r->fn)->name;
	step(q, r->fn.fx, r->call ? r->call->line : fref_func(r->fn)->line,
	     "released in %s()", q->lt->release);
	int comp = 0;
	int mark = q->lt->nsteps;

	for (size_t i = 0; i < nr; i++) {
		q->lt->nsteps = mark;
		if (i > 0)
			q->lt->steps[mark - 1].line = rs[i].call ? rs[i].call->line
							       : fref_func(rs[i].fn)->line;
		if (user_trigger(q, rs[i].fn, 6, &comp)) {
			q->lt->release = fref_func(rs[i].fn)->name;
			break;
		}
	}
	/* an ops table's completion (".release_cmd", ".complete"): the
	 * framework ends the request; a function merely named like one may
	 * wait on userspace (or a remote side it drives) */
	if (!q->lt->trigger && comp == 3) {
		snprintf(q->tmp, sizeof(q->tmp), "released in %s(), reached only from calls "
			 "that hold the object for one call: %s", q->lt->release,
			 q->lt->bounded_by);
		q->lt->why = arena_strdup(q->A, q->tmp);
		q->lt->nsteps = mark;
		return V_BOUNDED;
	}
	if (!q->lt->trigger && comp == 2) {
		snprintf(q->tmp, sizeof(q->tmp), "released in %s(), reached only from a "
			 "completion or a per-request operation", q->lt->release);
		q->lt->why = arena_strdup(q->A, q->tmp);
		q->lt->nsteps = mark;
		return V_BOUNDED;
	}
	if (!q->lt->trigger)
		q->lt->trigger = "not reached before the pinning system call returns";
	snprintf(q->tmp, sizeof(q->tmp), "pages kept in %s, released in %s() only later: %s",
		 q->lt->holder, q->lt->release, q->lt->trigger);
	q->lt->why = arena_strdup(q->A, q->tmp);
	return V_USER;
}

/*
 * The pages of call c (argument pa, or its return value when pa < 0) in
 * function fn: decide.  depth bounds the climb through parameters and
 * return values.  Each step is one question asked of the module model:
 * where do the pages go (a holder), who releases that holder, is a
 * release reached before the system call returns, else which path
 * userspace drives reaches it.
 */
static enum verdict decide(struct ask *q, struct fref fn, const struct fx_call *c,
			   int pa, const char *holder0, int depth)
{
	const struct fx_func *f = fref_func(fn);
	const char *arg = pa >= 0 ? fx_arg(c, pa, q->A) : "";
	struct hold h = { .hline = c->line };

	/* 1. where do the pages go? */
	if (holder0) {
		h.holder = holder0;
	} else if (arg[0] == '-') {
		h.holder = arg + 2;
	} else if (arg[0] && !strchr(arg, '(')) {
		array_holder(q, fn, c, arg, &h);
		int pi = fx_param_index(f, arg);

		if (!h.holder && pi >= 0 && depth > 0)
			return callers_array(q, fn, pi, depth);
	}
	if (!h.holder && pa >= 0 && skb_holder(q, fn, c))
		return V_USER;
	if (!h.holder && c->assigned && depth > 0 && pa < 0 && c->assigned[0] == '-')
		h.holder = c->assigned + 2;
	if (!h.holder && pa < 0 && c->assigned && depth > 0 && value_kept(q, fn, c, arg, true))
		return V_USER;
	if (!h.holder && pa >= 0 && arg[0] && !strpbrk(arg, "-()") &&
	    value_kept(q, fn, c, arg, false))
		return V_USER;
	if (!h.holder) {
		q->lt->why = "pages not kept beyond the call";
		return V_BOUNDED;
	}
	field_in_sg_table(q, fn, &h);
	show_holder(q, fn, c, arg, &h);
	if (local_put_after(q, fn, c, arg))
		return V_BOUNDED;

	/* 2. who releases the holder? */
	struct rel rs[32];
	size_t nr = releases_memo(q->m, fn.fx->module, h.holder, h.sg, h.table, rs, 32, q->A);

	if (!nr)
		return unreleased(q, h.holder);
	/* 3. released before the system call returns? */
	if (released_in_call(q, fn, c, &h, rs, nr) ||
	    released_by_callers(q, fn, h.holder, rs, nr))
		return V_BOUNDED;
	/* 4. userspace decides */
	return user_path(q, rs, nr);
}

/* a caller's flags argument asks for a long-term pin: FOLL_LONGTERM, or
 * (the site being ephemeral only through its callers) no FOLL_EPHEMERAL */
static bool asks_longterm(const char *flags, bool ephemeral_site)
{
	if (!*flags)
		return false;	/* not seen */
	/* a user-served pin is held as long as its server likes, by request */
	if (strstr(flags, "FOLL_LONGTERM") || strstr(flags, "USER_SERVED"))
		return true;
	/* only constants: a variable may hold FOLL_EPHEMERAL */
	for (const char *p = flags; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			return false;
	return ephemeral_site && !strstr(flags, "EPHEMERAL");
}

static struct fref find_site_func(const struct model *m, const struct site *s,
				  const struct fx_call **call)
{
	struct fref r = { 0 };
	struct facts *fx = model_find_file(m, s->file->path);

	*call = NULL;
	if (!fx)
		return r;
	for (size_t i = 0; i < fx->calls.n; i++) {
		const struct fx_call *c = &fx->calls.v[i];

		if (c->line == s->line && c->col == s->col) {
			*call = c;
			r.fx = fx;
			r.fn = c->func;
			return r;
		}
	}
	return r;
}

void lifetime_decide(const struct model *m, struct site *s, struct lifetime *lt,
		     struct arena *A)
{
	struct ask q = { .m = m, .lt = lt, .A = A, .flags_param = -1 };
	const struct fx_call *c;
	struct fref fn;

	memset(lt, 0, sizeof(*lt));
	/* a call inside the family itself (get_user_pages_fast_longterm()
	 * calling get_user_pages_fast()) is its implementation: the sites to
	 * judge are the family's callers */
	if (s->func && api_lookup(s->func, strlen(s->func))) {
		lt->v = V_NONE;
		lt->why = "inside the GUP family's own implementation";
		return;
	}
	if (s->flags & FLAG_BIT(FB_LONGTERM) && !s->ephemeral) {
		lt->v = V_USER;
		lt->why = "FOLL_LONGTERM: long-term by request";
		return;
	}
	if (strstr(s->api->name, "_longterm")) {
		lt->v = V_USER;
		lt->why = "the pages are migrated first (_longterm helper)";
		return;
	}
	if (s->null_pages) {
		lt->v = V_BOUNDED;
		lt->why = "the pages argument is NULL on this path: nothing is kept";
		return;
	}
	fn = find_site_func(m, s, &c);
	if (!c) {
		lt->v = V_BOUNDED;
		lt->why = "no function around the call";
		return;
	}
	step(&q, fn.fx, s->line, "%s() %s the pages here%s%s",
	     s->func, s->api->kind == K_PIN || s->api->kind == K_EXTRACT ? "pins" : "takes references to",
	     s->via && *s->via ? " through " : "", s->via ? s->via : "");
	if (s->same_func_release) {
		lt->v = V_BOUNDED;
		lt->why = "released in the same function";
		return;
	}
	int pa = s->pages_arg;
	const char *holder = NULL;

	if (s->wrapper_pages > 0)
		pa = s->wrapper_pages - 1;
	if (s->storage == ST_GLOBAL && !s->via) {
		char *g = arena_alloc(A, strlen(s->storage_name) + 3);

		memcpy(g, "::", 2);
		strcpy(g + 2, s->storage_name);
		holder = g;
	}
	else if (s->storage == ST_FIELD && !s->via) {
		/* the model's view of the argument names the struct too */
		const char *a = pa >= 0 ? fx_arg(c, pa, A) : "";

		holder = a[0] == '-' && field_eq(a + 2, s->storage_name) ? a + 2
									 : s->storage_name;
		/* a local stored into the field: the model's store knows the
		 * struct (or the member it sits in) */
		for (size_t i = 0; a[0] && a[0] != '-' && holder == s->storage_name &&
				   i < fn.fx->stores.n; i++) {
			const struct fx_store *st = &fn.fx->stores.v[i];

			if (st->func == fn.fn && !st->alias && !strcmp(st->from, a) &&
			    field_eq(st->field, s->storage_name))
				holder = st->field;
		}
	}
	if (s->returned && !holder && pa >= 0) {
		/* the array goes back to the callers: ask them */
		struct cref cs[MAX_CALLERS];
		const struct fx_func *f = fref_func(fn);
		size_t nc = model_callers(m, f->name, fn.fx->module, cs, MAX_CALLERS);
		enum verdict best = V_BOUNDED;
		int mark = lt->nsteps;
		/* the flags are a parameter: each caller chooses the lifetime */
		int fa = s->flags_arg;
		int fp = fa >= 0 && !s->via ? fx_param_index(fref_func(fn), fx_arg(c, fa, A)) : -1;

		for (size_t i = 0; i < nc; i++) {
			const struct fx_call *cc = &cs[i].fx->calls.v[cs[i].call];
			struct fref up = { cs[i].fx, cc->func };

			if (strcmp(cc->callee, f->name))
				continue;
			if (fp >= 0 && asks_longterm(fx_argtext(cc, fp, A), s->ephemeral)) {
				/* "sev_pin_memory(..., 0)" on the new API, or
				 * "..., FOLL_LONGTERM)": a long-term pin by request */
				continue;
			}
			lt->nsteps = mark;
			step(&q, cs[i].fx, cc->line, "%s() returns the pages to %s()",
			     f->name, fref_func(up)->name);
			enum verdict v = decide(&q, up, cc, -1, NULL, 2);

			if (v == V_USER) {
				lt->v = v;
				return;
			}
		}
		lt->nsteps = mark;
		lt->v = best;
		if (!lt->why)
			lt->why = "page array returned to callers that do not keep it";
		return;
	}
	/* the flags a parameter of the pinning function (alone, or in an
	 * expression: "FOLL_WRITE | flags"): each caller chooses */
	q.eph_site = s->ephemeral;
	if (s->flags_arg >= 0 && !s->via) {
		size_t n;
		const char *ft = fx_argspan(c, s->flags_arg, &n);

		for (const char *p = ft; p < ft + n && q.flags_param < 0;) {
			while (p < ft + n && !(*p == '_' || (*p >= 'a' && *p <= 'z') ||
					       (*p >= 'A' && *p <= 'Z')))
				p++;
			const char *b = p;

			while (p < ft + n && (*p == '_' || (*p >= 'a' && *p <= 'z') ||
					      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
				p++;
			if (p > b && p - b < 64) {
				char w[64];

				memcpy(w, b, (size_t)(p - b));
				w[p - b] = 0;
				q.flags_param = fx_param_index(fref_func(fn), w);
			}
		}
	}
	lt->v = decide(&q, fn, c, pa, holder, 3);
}

/*
 * needless-longterm: a long-term pin (no FOLL_EPHEMERAL on the new API) that
 * is always dropped before the call that took it returns pays for the
 * migration out of ZONE_MOVABLE/CMA for nothing.  Asked of the model:
 *
 *   - the pinning function itself drops the page array after the pin, or
 *   - a caller, up to NEEDLESS_DEPTH levels up, calls into the pin and
 *     then, on its normal path and in the same if/switch arm (or an outer
 *     one), calls a function that drops pages (an unpin, or put_page() for
 *     references through the _longterm helpers, within two calls), handing
 *     it an argument of the call that pinned or the value that call
 *     returned ("va = pin(kvm, gpa); unpin(kvm, va, gpa)").
 *
 * A release of a remainder ("unpin_user_pages(pages + done, n - done)")
 * does not count; a release elsewhere (close, ioctl, destroy) is not seen
 * at all, since only the callers of the pin are searched.
 */
#define NEEDLESS_DEPTH	4

static bool is_drop_call(const char *fn, bool ref)
{
	static const char *const pin[] = {
		"unpin_user_page", "unpin_user_pages", "unpin_user_pages_dirty_lock",
		"unpin_user_page_range_dirty_lock", "unpin_folio", "unpin_folios",
		"bio_release_pages",
	};
	static const char *const get[] = {
		"put_page", "release_pages", "folio_put", "put_user_page",
		"put_user_pages", "put_user_pages_dirty_lock",
	};
	const char *const *t = ref ? get : pin;
	size_t n = ref ? sizeof(get) / sizeof(*get) : sizeof(pin) / sizeof(*pin);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i], fn))
			return true;
	return false;
}

/* the first argument is offset at its top level: "pages + done" or
 * "&pages[1]" (a remainder), not "pfn_to_page(pfn + i)" (one page) */
static bool offset_first_arg(const struct fx_call *c)
{
	int d = 0;

	if (c->argtext && c->argtext[0] == '&') {
		const char *b = strchr(c->argtext, '[');
		const char *e = strchr(c->argtext, ',');

		if (b && (!e || b < e) && strncmp(b, "[0]", 3))
			return true;
	}
	for (const char *p = c->argtext; p && *p; p++) {
		if (*p == '(' || *p == '[') {
			d++;
		} else if (*p == ')' || *p == ']') {
			d--;
		} else if (d) {
			continue;
		} else if (*p == ',') {
			return false;
		} else if (p[0] == '+' && p[1] != '+' && (p == c->argtext || p[-1] != '+')) {
			return true;
		} else if (p[0] == '-' && p[1] != '>' && p[1] != '-' &&
			   (p == c->argtext || p[-1] != '-')) {
			return true;
		}
	}
	return false;
}

/* every if/switch arm around rel also holds c: rel runs whenever c did */
static bool arms_within(const struct fx_call *rel, const struct fx_call *c)
{
	if (!rel->arms)
		return true;
	for (const char *p = rel->arms; *p;) {
		unsigned ia;
		int aa, n;
		bool in = false;

		if (sscanf(p, "%u:%d %n", &ia, &aa, &n) != 2)
			break;
		p += n;
		for (const char *r = c->arms ? c->arms : ""; *r && !in;) {
			unsigned ib;
			int ab, m;

			if (sscanf(r, "%u:%d %n", &ib, &ab, &m) != 2)
				break;
			r += m;
			in = ia == ib && aa == ab;
		}
		if (!in)
			return false;
	}
	return true;
}

struct needless {
	const struct model *m;
	struct ask *q;
	struct site *s;
	bool ref;
	int budget;
	struct lifetime *out;
	int nout;
	const char *seen[MAX_NEEDLESS];
};

/* fn drops pages, itself (depth 1) or through the functions it calls */
static bool drops(struct needless *q, struct fref fn, int depth, const char **prim)
{
	const struct fx_func *f = fref_func(fn);

	if (--q->budget < 0)
		return false;
	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *c = &fn.fx->calls.v[i];
		struct fref t;

		if (c->err)
			continue;
		if (is_drop_call(c->callee, q->ref)) {
			if (offset_first_arg(c))
				continue;
			*prim = c->callee;
			return true;
		}
		if (depth > 1 && lookup_call(q->m, c, fn.fx->module, &t) &&
		    (t.fx != fn.fx || t.fn != fn.fn) && drops(q, t, depth - 1, prim))
			return true;
	}
	return false;
}

static bool plain_value(const char *a)
{
	size_t n = strlen(a);

	return n && strcmp(a, "NULL") && strcmp(a, "true") && strcmp(a, "false") &&
	       !(n > 2 && !strcmp(a + n - 2, "()"));
}

/* rel is handed something of c: an argument, or what c returned;
 * pages >= 0: only that argument of c (the page array) */
static bool hands(const struct fx_call *rel, const struct fx_call *c, int pages,
		  struct arena *A)
{
	int nr = fx_nargs(rel), nc = fx_nargs(c);

	for (int j = 0; j < nr; j++) {
		const char *r = fx_arg(rel, j, A);

		if (!plain_value(r))
			continue;
		if (pages < 0 && c->assigned && !strcmp(r, c->assigned))
			return true;
		for (int i = 0; i < nc; i++)
			if ((pages < 0 || i == pages) && !strcmp(r, fx_arg(c, i, A)))
				return true;
	}
	return false;
}

/* in fn, after call c: a release of what c pinned, always run after it */
static const struct fx_call *drop_after(struct needless *q, struct fref fn,
					const struct fx_call *c, int pages,
					const char **prim)
{
	const struct fx_func *f = fref_func(fn);

	if (c->in_return)
		return NULL;
	for (size_t i = f->call0; i < f->call0 + f->ncalls; i++) {
		const struct fx_call *r = &fn.fx->calls.v[i];
		struct fref t;

		if (r == c || r->err || r->jumped || r->line < c->line ||
		    (r->line == c->line && r->col <= c->col) ||
		    fx_exclusive(r, c) || !arms_within(r, c) ||
		    !hands(r, c, pages, q->q->A))
			continue;
		if (is_drop_call(r->callee, q->ref)) {
			if (offset_first_arg(r))
				continue;
			*prim = r->callee;
		} else if (partial_release(r) ||
			   !lookup_call(q->m, r, fn.fx->module, &t) ||
			   (t.fx == fn.fx && t.fn == fn.fn) || !drops(q, t, 2, prim)) {
			continue;
		}
		/* a success return between the two skips the release:
		 * "if (addr) { *pages = p; return addr; } release(p);" */
		for (size_t k = 0; k < fn.fx->rets.n; k++) {
			const struct fx_ret *rt = &fn.fx->rets.v[k];
			struct fx_call a = { .arms = rt->arms };

			if (rt->func == c->func && rt->ok && rt->line >= c->line &&
			    rt->line <= r->line && !fx_exclusive(&a, c))
				return NULL;
		}
		return r;
	}
	return NULL;
}

static void needless_found(struct needless *q, struct fref fn, const struct fx_call *r,
			   const char *prim)
{
	const char *who = fref_func(fn)->name;
	struct lifetime *lt = q->q->lt;

	for (int i = 0; i < q->nout; i++)
		if (!strcmp(q->seen[i], who))
			return;
	if (q->nout >= MAX_NEEDLESS)
		return;
	int mark = lt->nsteps;

	if (strcmp(r->callee, prim))
		step(q->q, fn.fx, r->line, "released by %s() (%s()) before %s() returns",
		     r->callee, prim, who);
	else
		step(q->q, fn.fx, r->line, "released by %s() before %s() returns",
		     r->callee, who);
	q->out[q->nout] = *lt;
	q->out[q->nout].release = r->callee;
	q->out[q->nout].holder = who;
	q->seen[q->nout++] = who;
	lt->nsteps = mark;
}

/* the callers of fn, up to depth levels */
static void needless_up(struct needless *q, struct fref fn, int depth)
{
	const struct fx_func *f = fref_func(fn);
	struct cref cs[MAX_CALLERS];
	size_t nc = model_callers(q->m, f->name, fn.fx->module, cs, MAX_CALLERS);

	for (size_t k = 0; k < nc && q->budget > 0; k++) {
		const struct fx_call *cc = &cs[k].fx->calls.v[cs[k].call];
		struct fref up = { cs[k].fx, cc->func };
		const char *prim = NULL;
		const struct fx_call *r;
		int mark = q->q->lt->nsteps;

		if (cc->err || strcmp(cc->callee, f->name) ||
		    (up.fx == fn.fx && up.fn == fn.fn))
			continue;
		step(q->q, cs[k].fx, cc->line, "%s() called from %s()", f->name,
		     fref_func(up)->name);
		r = drop_after(q, up, cc, -1, &prim);
		if (r)
			needless_found(q, up, r, prim);
		else if (depth > 1)
			needless_up(q, up, depth - 1);
		q->q->lt->nsteps = mark;
	}
}

void needless_decide(const struct model *m, struct site *s, struct arena *A)
{
	struct lifetime work, found[MAX_NEEDLESS];
	struct ask a = { .m = m, .lt = &work, .A = A };
	struct needless q = {
		.m = m, .q = &a, .s = s, .budget = 20000, .out = found,
	};
	const struct fx_call *c;
	const char *prim = NULL;
	struct fref fn;
	int pa = s->pages_arg;

	s->nneedless = 0;
	memset(&work, 0, sizeof(work));
	if (s->in_wrapper || s->ephemeral || s->user_served ||
	    (s->flags & (EPHEMERAL_BITS | SERVED_BITS)) || path_in_mm(s->file->rel) ||
	    (s->func && api_lookup(s->func, strlen(s->func))))
		return;
	if (s->api->kind == K_GET || s->api->kind == K_ITER_GET) {
		/* references: only those that are migrated first */
		if (!strstr(s->api->name, "_longterm"))
			return;
		q.ref = true;
	}
	fn = find_site_func(m, s, &c);
	if (!c)
		return;
	if (s->wrapper_pages > 0)
		pa = s->wrapper_pages - 1;
	step(&a, fn.fx, s->line, "%s() %s the pages here%s%s", s->func,
	     q.ref ? "takes long-term references to" : "pins",
	     s->via && *s->via ? " through " : "", s->via ? s->via : "");
	const struct fx_call *r = pa >= 0 ? drop_after(&q, fn, c, pa, &prim) : NULL;

	if (r)
		needless_found(&q, fn, r, prim);
	else
		needless_up(&q, fn, NEEDLESS_DEPTH);
	if (!q.nout)
		return;
	s->needless = arena_alloc(A, q.nout * sizeof(*s->needless));
	memcpy(s->needless, found, q.nout * sizeof(*s->needless));
	s->nneedless = q.nout;
}
