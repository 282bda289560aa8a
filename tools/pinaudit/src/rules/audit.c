// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: build the module model for a scan.  The files that call the
 * GUP family, and every .c/.h file of their modules (their directory and
 * the directory of the Kbuild composite that names them), are read into
 * facts; wrappers around the family become sites of their callers; then
 * each site's lifetime is decided from the model (lifetime.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"
#include "scan.h"

static size_t dir_len(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? (size_t)(s - p) : 0;
}

/* first index of a path starting with prefix (paths are sorted) */
static size_t lower(char **paths, size_t n, const char *pre, size_t pl)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strncmp(paths[mid], pre, pl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void want_dir(struct scan_result *res, bool *want, const char *dir, size_t dl)
{
	char pre[4096];

	if (dl + 2 >= sizeof(pre))
		return;
	memcpy(pre, dir, dl);
	pre[dl] = '/';
	pre[dl + 1] = 0;
	for (size_t i = lower(res->paths, res->n, pre, dl + 1);
	     i < res->n && !strncmp(res->paths[i], pre, dl + 1); i++)
		if (!strchr(res->paths[i] + dl + 1, '/'))
			want[i] = true;
}

/* read a file into *buf (grown as needed, kept by the caller's thread:
 * one buffer per thread, not one malloc per file) */
static bool read_into(const char *path, char **buf, size_t *cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
		close(fd);
		return false;
	}
	if ((size_t)st.st_size + 1 > *cap) {
		char *nb = realloc(*buf, (size_t)st.st_size + 1);

		if (!nb) {
			close(fd);
			return false;
		}
		*buf = nb;
		*cap = (size_t)st.st_size + 1;
	}
	while (n < (size_t)st.st_size && (r = read(fd, *buf + n, (size_t)st.st_size - n)) > 0)
		n += (size_t)r;
	close(fd);
	(*buf)[n] = 0;
	*len = n;
	return true;
}

static const char *rel_of(struct scan_result *res, size_t i)
{
	const char *p = res->paths[i];

	if (res->files[i])
		return res->files[i]->rel;
	if (res->root && !strncmp(p, res->root, res->root_len) && p[res->root_len] == '/')
		return p + res->root_len + 1;
	return p;
}

/* a wrapper: a function (not of the family) whose body calls the family,
 * or another wrapper, with a parameter as the pages or the flags */
struct wrapper {
	const char *name;
	const struct api_info *api;
	const char *chain;
	int pages;		/* parameter index of the pages, -1 */
	int flags;		/* parameter index of the flags, -1 */
	uint32_t must;		/* flags the wrapper adds itself */
	bool macro;
	const struct facts *fx;	/* where it is defined */
};

static uint32_t flags_in(const char *text)
{
	uint32_t f = 0;

	for (const char *p = text; (p = strstr(p, "FOLL_")) || 0;) {
		size_t l = 0;

		while (p[l] == '_' || (p[l] >= 'A' && p[l] <= 'Z'))
			l++;
		int k = flag_index(p, l);

		if (k >= 0)
			f |= FLAG_BIT(k);
		p += l;
	}
	return f;
}

/* a filter over the wrapper names found so far (find_wrappers() runs on
 * one thread): most calls are of no wrapper, and are let go at once */
static uint64_t wbits[64];

static unsigned wbit(uint32_t h)
{
	return h & 4095;
}

/* the wrapper called name (h: its name_hash()) */
static const struct wrapper *wfind_h(const struct wrapper *w, size_t n, const char *name,
				     uint32_t h)
{
	unsigned b = wbit(h);

	if (!(wbits[b / 64] >> (b % 64) & 1))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w[i].name, name))
			return &w[i];
	return NULL;
}

static const struct wrapper *wfind(const struct wrapper *w, size_t n, const char *name)
{
	return wfind_h(w, n, name, name_hash(name, strlen(name)));
}

static void wadd_bit(const char *name)
{
	unsigned b = wbit(name_hash(name, strlen(name)));

	wbits[b / 64] |= 1ull << (b % 64);
}

/* api_args()'s view of a call of the model */
static const char *fx_arg_cb(void *ctx, int i, size_t *len)
{
	return fx_argspan(ctx, i, len);
}

/* the pages and flags of the family's call in a macro's body, by the
 * signature its arity says (an older one under its own #if) */
static void macro_api_args(const struct fx_macro *mc, const struct api_info *api,
			   int *pages, int *flags)
{
	struct fx_call c = { .argtext = mc->argtext };

	api_args(api, mc->nargs, fx_arg_cb, &c, pages, flags);
}

static void find_wrappers(struct scan_result *res, struct wrapper **out, size_t *nout)
{
	VEC(struct wrapper) w = { 0 };

	memset(wbits, 0, sizeof(wbits));
	bool grew = true;

	for (int round = 0; round < 4 && grew; round++) {
		grew = false;
		for (size_t i = 0; i < res->nfacts; i++) {
			struct facts *fx = res->facts[i];

			for (size_t k = 0; k < fx->funcs.n; k++) {
				const struct fx_func *f = &fx->funcs.v[k];

				if (api_lookup(f->name, f->nlen) || wfind_h(w.v, w.n, f->name, f->nhash) ||
				    !strncmp(fx->rel, "mm/", 3) || !strncmp(fx->rel, "tools/", 6))
					continue;
				for (size_t c = f->call0; c < f->call0 + f->ncalls; c++) {
					const struct fx_call *call = &fx->calls.v[c];
					const struct api_info *api = api_lookup(call->callee, call->clen);
					const struct wrapper *inner = api ? NULL :
						wfind_h(w.v, w.n, call->callee, call->chash);
					int pa, fa;

					if (!api && !inner)
						continue;
					if (api)
						api_args(api, fx_nargs(call), fx_arg_cb,
							 (void *)call, &pa, &fa);
					else
						pa = inner->pages, fa = inner->flags;
					int pp = pa >= 0 ? fx_param_index(f, fx_arg(call, pa, &fx->arena)) : -1;
					int fp = fa >= 0 ? fx_param_index(f, fx_arg(call, fa, &fx->arena)) : -1;

					if (pp < 0 && fp < 0)
						continue;
					struct wrapper nw = {
						.fx = fx,
						.name = f->name, .api = api ? api : inner->api,
						.pages = pp, .flags = fp,
						.must = (inner ? inner->must : 0) |
							(fa >= 0 ? flags_in(call->argtext) : 0),
					};
					struct sbuf ch = { 0 };

					sb_printf(&ch, "%s() -> %s", f->name,
						  inner ? inner->chain : nw.api->name);
					if (!inner)
						sb_puts(&ch, "()");
					nw.chain = arena_strdup(&fx->arena, ch.s);
					sb_free(&ch);
					/* "gup_flags = FOLL_LONGTERM | ...; pin(..., gup_flags, ...)":
					 * the wrapper asks for a long-term pin itself */
					if (fa >= 0 && fp < 0) {
						const char *fl = fx_arg(call, fa, &fx->arena);

						for (size_t a = f->asg0; a < f->asg0 + f->nasg && fl[0]; a++) {
							const struct fx_assign *as = &fx->assigns.v[a];

							if (!strcmp(as->lhs, fl) && as->ids &&
							    strstr(as->ids, " FOLL_LONGTERM "))
								nw.must |= FLAG_BIT(FB_LONGTERM);
						}
					}
					VEC_PUSH(w, nw);
					wadd_bit(nw.name);
					grew = true;
					break;
				}
			}
			for (size_t k = 0; k < fx->macros.n; k++) {
				const struct fx_macro *mc = &fx->macros.v[k];
				const struct api_info *api = api_lookup(mc->target, mc->tlen);
				const struct wrapper *inner = api ? NULL :
					wfind_h(w.v, w.n, mc->target, mc->thash);

				if ((!api && !inner) || api_lookup(mc->name, mc->nlen))
					continue;
				struct wrapper *old = (struct wrapper *)wfind_h(w.v, w.n, mc->name, mc->nhash);

				/* another #if branch of a macro known already: it
				 * may place the pages where the first one did not
				 * (an older signature) */
				if (old) {
					if (old->macro && old->pages < 0 && mc->mapped) {
						int pa = api ? api->pages_arg : inner->pages;
						int fa = api ? api->flags_arg : inner->flags;

						if (api)
							macro_api_args(mc, api, &pa, &fa);

						if (pa >= 0 && pa < MACRO_ARGS && mc->argmap[pa] >= 0) {
							old->pages = mc->argmap[pa];
							old->flags = fa >= 0 && fa < MACRO_ARGS ?
								     mc->argmap[fa] : -1;
						}
					}
					continue;
				}
				struct wrapper nw = {
					.fx = fx,
					.name = mc->name, .api = api ? api : inner->api,
					.pages = api ? api->pages_arg : inner->pages,
					.flags = api ? api->flags_arg : inner->flags,
					.must = inner ? inner->must : 0, .macro = true,
				};
				if (api && mc->mapped)
					macro_api_args(mc, api, &nw.pages, &nw.flags);
				/* a function-like macro may reorder or drop the
				 * arguments: its own parameters say where they are */
				if (mc->mapped) {
					nw.pages = nw.pages >= 0 && nw.pages < MACRO_ARGS ?
						   mc->argmap[nw.pages] : -1;
					nw.flags = nw.flags >= 0 && nw.flags < MACRO_ARGS ?
						   mc->argmap[nw.flags] : -1;
				}
				struct sbuf ch = { 0 };

				sb_printf(&ch, "%s (macro) -> %s", mc->name,
					  inner ? inner->chain : nw.api->name);
				if (!inner)
					sb_puts(&ch, "()");
				nw.chain = arena_strdup(&fx->arena, ch.s);
				sb_free(&ch);
				VEC_PUSH(w, nw);
				wadd_bit(nw.name);
				grew = true;
			}
		}
	}
	*out = w.v;
	*nout = w.n;
}

/*
 * The wrappers of the model as it is: found again only when files joined
 * it since the last time (the three askers often see the same model).
 * The list belongs to the cache; wrappers_done() frees it.
 */
static struct {
	struct wrapper *w;
	size_t n, nfacts;
	bool valid;
} wcache;

static void wrappers_of(struct scan_result *res, struct wrapper **out, size_t *nout)
{
	if (!wcache.valid || wcache.nfacts != res->nfacts) {
		free(wcache.w);
		find_wrappers(res, &wcache.w, &wcache.n);
		wcache.nfacts = res->nfacts;
		wcache.valid = true;
	}
	*out = wcache.w;
	*nout = wcache.n;
}

static void wrappers_done(void)
{
	free(wcache.w);
	memset(&wcache, 0, sizeof(wcache));
}

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->line != y->line ? (x->line < y->line ? -1 : 1) :
	       x->col != y->col ? (x->col < y->col ? -1 : 1) : 0;
}

static void want_module(struct scan_result *res, bool *want, size_t i, struct modmap *mm,
			struct arena *tmp);

/*
 * A file that calls a wrapper holds sites of its own: its module joins the
 * model too (the release of a vendor module's pages sits in another file
 * of the module than the wrapper's header and its callers).  True when
 * files were added.
 */
static bool want_wrapper_modules(struct scan_result *res, const size_t *fidx, bool *want,
				 const bool *loaded, struct modmap *mm, struct arena *tmp)
{
	struct wrapper *w;
	size_t nw, after = 0;

	wrappers_of(res, &w, &nw);
	for (size_t i = 0; nw && i < res->nfacts; i++) {
		struct facts *fx = res->facts[i];
		struct file_res *fr = res->files[fidx[i]];

		if (fx->header || (fr && fr->sites.n))
			continue;
		for (size_t c = 0; c < fx->calls.n; c++) {
			const struct fx_call *call = &fx->calls.v[c];

			if (wfind_h(w, nw, call->callee, call->chash)) {
				want_module(res, want, fidx[i], mm, tmp);
				break;
			}
		}
	}
	for (size_t i = 0; i < res->n; i++)
		after += want[i] && !loaded[i];
	return after > 0;
}

static void add_wrapper_sites(struct scan_result *res, size_t *fidx)
{
	struct wrapper *w;
	size_t nw;

	wrappers_of(res, &w, &nw);
	/* the family's calls inside a wrapper: its callers are the sites */
	for (size_t i = 0; i < res->nfacts; i++) {
		struct file_res *fr = res->files[fidx[i]];

		for (size_t k = 0; fr && k < fr->sites.n; k++) {
			const struct wrapper *wr = wfind(w, nw, fr->sites.v[k].func);

			if (wr && wr->pages >= 0 && !wr->macro)
				fr->sites.v[k].in_wrapper = true;
		}
	}
	for (size_t i = 0; i < res->nfacts; i++) {
		struct facts *fx = res->facts[i];
		struct file_res *fr = res->files[fidx[i]];
		size_t before = fr ? fr->sites.n : 0;

		for (size_t c = 0; c < fx->calls.n; c++) {
			const struct fx_call *call = &fx->calls.v[c];
			const struct wrapper *wr = wfind_h(w, nw, call->callee, call->chash);

			const char *in = fx->funcs.v[call->func].name;

			/* not inside the wrapper itself, nor inside the family */
			if (!wr || !strcmp(in, wr->name) || api_lookup(in, strlen(in)))
				continue;
			if (!fr) {
				fr = calloc(1, sizeof(*fr));
				if (!fr)
					exit(3);
				fr->path = res->paths[fidx[i]];
				fr->rel = fx->rel;
				res->files[fidx[i]] = fr;
			}
			struct site s;
			const char *fl = wr->flags >= 0 ? "" : NULL;

			memset(&s, 0, sizeof(s));
			s.file = fr;
			s.line = call->line;
			s.col = call->col;
			s.func = fx->funcs.v[call->func].name;
			s.api = wr->api;
			s.pages_arg = wr->api->pages_arg;
			s.flags_arg = wr->api->flags_arg;
			s.via = wr->chain;
			s.wrapper_pages = wr->pages + 1;
			s.flags = s.must = wr->must;
			if (wr->flags >= 0) {
				/* the flags argument as written */
				const char *p = call->argtext;

				for (int a = 0; a < wr->flags && p; a++) {
					p = strchr(p, ',');
					if (p)
						p += 2;
				}
				if (p) {
					const char *e = strchr(p, ',');

					fl = arena_strndup(&fr->arena, p, e ? (size_t)(e - p) : strlen(p));
					s.flags |= flags_in(fl);
					s.must = s.flags;
				}
			}
			s.flags_expr = fl ? fl : "";
			s.flags_extra = "";
			s.unresolved = "";
			s.callees = " ";
			VEC_PUSH(fr->sites, s);
		}
		if (fr && fr->sites.n != before)
			qsort(fr->sites.v, fr->sites.n, sizeof(*fr->sites.v), cmp_site);
	}
}

struct lexjob {
	struct facts **slot;
	size_t n;
	struct lexorder {
		uint32_t size;
		size_t k;
	} *order;		/* the slots, largest file first */
	atomic_size_t next;
};

static int cmp_size_desc(const void *a, const void *b)
{
	const struct lexorder *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static void *lex_worker(void *arg)
{
	struct lexjob *lj = arg;
	size_t k;

	char *buf = NULL;
	size_t cap = 0;

	while ((k = atomic_fetch_add(&lj->next, 1)) < lj->n) {
		struct facts *fx = lj->slot[lj->order[k].k];
		size_t len;

		if (!read_into(fx->path, &buf, &cap, &len))
			continue;
		facts_extract(buf, len, fx);
		fx->ok = true;
	}
	free(buf);
	return NULL;
}

/* want file i and the files of its module (its directory, and the
 * directory of the Kbuild composite that names it) */
static void want_module(struct scan_result *res, bool *want, size_t i, struct modmap *mm,
			struct arena *tmp)
{
	const char *rel = rel_of(res, i);

	want[i] = true;
	if (!strncmp(rel, "include/", 8))
		return;
	want_dir(res, want, res->paths[i], dir_len(res->paths[i]));
	const char *mod = modmap_module(mm, rel, tmp);
	size_t ml = dir_len(mod), rl = strlen(rel), pl = strlen(res->paths[i]);

	if (strstr(mod, ".ko") && pl >= rl && ml < dir_len(rel)) {
		char d[4096];

		snprintf(d, sizeof(d), "%.*s%.*s", (int)(pl - rl), res->paths[i], (int)ml, mod);
		want_dir(res, want, d, strlen(d));
	}
}

/* read and lex the wanted files not read yet, in parallel, in order */
static void load_facts(struct scan_result *res, const bool *want, bool *loaded,
		       struct modmap *mm, size_t *fidx)
{
	struct facts **slot = calloc(res->n + 1, sizeof(*slot));
	size_t *at = calloc(res->n + 1, sizeof(*at));
	size_t ns = 0;

	if (!slot || !at)
		exit(3);
	/* the module of each file: modmap caches Makefiles, one thread */
	for (size_t i = 0; i < res->n; i++) {
		if (!want[i] || loaded[i])
			continue;
		struct facts *fx = calloc(1, sizeof(*fx));

		if (!fx)
			exit(3);
		loaded[i] = true;
		fx->path = res->paths[i];
		fx->rel = rel_of(res, i);
		fx->header = res->paths[i][strlen(res->paths[i]) - 1] == 'h';
		fx->module = modmap_module(mm, fx->rel, &fx->arena);
		at[ns] = i;
		slot[ns++] = fx;
	}
	/* the largest files first: the threads finish together (the facts
	 * stay in slot order, the order of the paths) */
	struct lexjob lj = { .slot = slot, .n = ns };

	lj.order = malloc((ns + 1) * sizeof(*lj.order));
	if (!lj.order)
		exit(3);
	for (size_t k = 0; k < ns; k++) {
		lj.order[k].size = res->size ? res->size[at[k]] : 0;
		lj.order[k].k = k;
	}
	qsort(lj.order, ns, sizeof(*lj.order), cmp_size_desc);

	run_parallel(lex_worker, &lj, res->jobs);
	free(lj.order);
	for (size_t k = 0; k < ns; k++) {
		if (!slot[k]->ok) {
			facts_free(slot[k]);
			free(slot[k]);
			continue;
		}
		fidx[res->nfacts] = at[k];
		res->facts[res->nfacts++] = slot[k];
		model_add(res->model, slot[k]);
	}
	free(at);
	free(slot);
}

/*
 * Callers outside the modules read: the wrappers and the functions that
 * hold a site, when other modules can call them (exported, or defined in
 * a header), are looked for in every other file of the tree.
 */
struct extjob {
	struct scan_result *res;
	const bool *loaded;
	bool *hit;
	const size_t *todo;	/* the files to read (callindex.c's keys) */
	size_t ntodo;
	const char **names;
	size_t nnames;
	size_t m;		/* length of the shortest name (<= 255) */
	size_t *len;		/* of each name */
	unsigned char shift[65536];	/* Wu-Manber, blocks of three bytes */
	atomic_size_t next;
};

/* a block of three bytes, hashed to 16 bits: C text repeats two-byte
 * blocks of the names ("_p", "et", "er") far more often than three-byte
 * ones, so the shifts are longer */
static unsigned h3(const char *p)
{
	return ((unsigned)(unsigned char)p[0] << 9 ^ (unsigned)(unsigned char)p[1] << 4 ^
		(unsigned char)p[2]) & 0xffff;
}

/* every name at once: a Wu-Manber shift table over three-byte blocks of
 * the names' first m bytes; a zero shift checks the names there */
static void ext_prepare(struct extjob *j)
{
	size_t m = 255;

	j->len = malloc(j->nnames * sizeof(*j->len));
	if (!j->len)
		exit(3);
	for (size_t k = 0; k < j->nnames; k++) {
		j->len[k] = strlen(j->names[k]);
		if (j->len[k] < m)
			m = j->len[k];
	}
	j->m = m;
	if (m < 3)
		return;
	memset(j->shift, (int)(m - 2), sizeof(j->shift));
	for (size_t k = 0; k < j->nnames; k++)
		for (size_t q = 2; q < m; q++) {
			unsigned h = h3(j->names[k] + q - 2);

			if (j->shift[h] > m - 1 - q)
				j->shift[h] = (unsigned char)(m - 1 - q);
		}
}

static bool is_idc(unsigned char c)
{
	unsigned u = c;

	return u - '0' < 10 || (u | 32) - 'a' < 26 || u == '_';
}

/* does one of the names start at p, called ("name (" after a non-identifier) */
static bool name_at(const struct extjob *j, const char *b, size_t n, const char *p)
{
	if (p > b && is_idc((unsigned char)p[-1]))
		return false;
	for (size_t k = 0; k < j->nnames; k++) {
		size_t l = j->len[k], e = (size_t)(p - b) + l;

		if (e > n || memcmp(p, j->names[k], l))
			continue;
		while (e < n && (b[e] == ' ' || b[e] == '\t' || b[e] == '\n'))
			e++;
		if (e < n && b[e] == '(')
			return true;
	}
	return false;
}

/* does the buffer call one of the names ("name (" after a non-identifier) */
static bool calls_any(const struct extjob *j, const char *b, size_t n)
{
	size_t m = j->m;

	if (n < m)
		return false;
	if (m < 3) {
		/* names of one or two bytes: no shift table, every position */
		for (size_t k = 0; k < j->nnames; k++)
			for (const char *p = b; (p = memmem(p, n - (size_t)(p - b),
							    j->names[k], j->len[k])); p++) {
				size_t e = (size_t)(p - b) + j->len[k];

				if (p > b && is_idc((unsigned char)p[-1]))
					continue;
				while (e < n && (b[e] == ' ' || b[e] == '\t' || b[e] == '\n'))
					e++;
				if (e < n && b[e] == '(')
					return true;
			}
		return false;
	}
	/*
	 * Four cursors over four quarters of the buffer, stepped in turn:
	 * each step waits on a load of the text and one of the table, and
	 * four independent chains of them overlap.  A quarter runs on past
	 * its end by the longest name, so that a name across the boundary
	 * is seen whole by one of them.
	 */
	enum { K = 4 };
	size_t pos[K], end[K], ov = 0;

	for (size_t k = 0; k < j->nnames; k++)
		if (j->len[k] > ov)
			ov = j->len[k];
	for (int k = 0; k < K; k++) {
		size_t a = n / K * (size_t)k;

		pos[k] = a + m - 1;
		end[k] = k == K - 1 ? n : n / K * (size_t)(k + 1) + ov;
		if (end[k] > n)
			end[k] = n;
	}
	for (;;) {
		int live = 0;

		for (int k = 0; k < K; k++) {
			if (pos[k] >= end[k])
				continue;
			live++;
			unsigned sh = j->shift[h3(b + pos[k] - 2)];

			if (sh) {
				pos[k] += sh;
				continue;
			}
			if (name_at(j, b, n, b + pos[k] + 1 - m))
				return true;
			pos[k]++;
		}
		if (!live)
			return false;
	}
}

static void *ext_worker(void *arg)
{
	struct extjob *j = arg;
	size_t i;

	/* windows of 1 MiB that overlap by the longest name and what may
	 * follow it before the '(': a register header of 20 MiB costs no
	 * more memory than a small file */
	enum { WIN = 1 << 20, KEEP = 512 };
	char *buf = malloc(WIN + KEEP + 1);

	if (!buf)
		exit(3);
	while ((i = atomic_fetch_add(&j->next, 1)) < j->ntodo) {
		int fd;
		size_t have = 0;
		ssize_t r;

		i = j->todo[i];
		if ((fd = open(j->res->paths[i], O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		while (!j->hit[i] && (r = read(fd, buf + have, WIN + KEEP - have)) > 0) {
			have += (size_t)r;
			buf[have] = 0;
			j->hit[i] = calls_any(j, buf, have);
			if (have > KEEP) {
				memmove(buf, buf + have - KEEP, KEEP);
				have = KEEP;
			}
		}
		close(fd);
	}
	free(buf);
	return NULL;
}

static bool exported(const struct scan_result *res, const char *name)
{
	for (size_t i = 0; i < res->nfacts; i++)
		for (size_t k = 0; k < res->facts[i]->exports.n; k++)
			if (!strcmp(res->facts[i]->exports.v[k], name))
				return true;
	return false;
}

static size_t external_names(struct scan_result *res, const size_t *fidx, const char ***out)
{
	struct wrapper *w;
	size_t nw, n = 0, cap = 16;
	const char **names = malloc(cap * sizeof(*names));

	if (!names)
		exit(3);
	wrappers_of(res, &w, &nw);
	for (size_t i = 0; i < nw + res->nfacts; i++) {
		/* the wrappers, then the functions that hold a site */
		const char *name = NULL;
		bool header = false;

		if (i < nw) {
			name = w[i].name;
			header = w[i].fx->header;
		} else {
			struct facts *fx = res->facts[i - nw];
			struct file_res *fr = res->files[fidx[i - nw]];
			for (size_t k = 0; fr && k < fr->sites.n; k++) {
				const char *fn = fr->sites.v[k].func;

				if (!fn || api_lookup(fn, strlen(fn)) || !strncmp(fx->rel, "mm/", 3))
					continue;
				if (fx->header || exported(res, fn)) {
					bool dup = false;

					for (size_t d = 0; d < n && !dup; d++)
						dup = !strcmp(names[d], fn);
					if (!dup) {
						if (n == cap && !(names = realloc(names, (cap *= 2) * sizeof(*names))))
							exit(3);
						names[n++] = fn;
					}
				}
			}
			continue;
		}
		if (!header && !exported(res, name))
			continue;
		if (n == cap && !(names = realloc(names, (cap *= 2) * sizeof(*names))))
			exit(3);
		names[n++] = name;
	}
	*out = names;
	return n;
}

void audit_model(struct scan_result *res)
{
	bool *want = calloc(res->n + 1, 1), *loaded = calloc(res->n + 1, 1);
	struct modmap *mm = modmap_new(res->tree_root ? res->tree_root : res->root);
	struct arena tmp = { 0 };
	size_t *fidx = calloc(res->n + 1, sizeof(*fidx));

	res->facts = calloc(res->n + 1, sizeof(*res->facts));
	if (!want || !loaded || !mm || !fidx || !res->facts)
		exit(3);
	res->model = model_new();
	model_set_open_world(res->model, res->kernel_tree);
	for (size_t i = 0; i < res->n; i++)
		if (res->files[i] && (res->files[i]->sites.n || res->files[i]->names_family))
			want_module(res, want, i, mm, &tmp);
	double t0 = now();

	load_facts(res, want, loaded, mm, fidx);
	model_index(res->model);
	double t1 = now();
	/* callers in the rest of the tree (not for loose files) */
	const char **names = NULL;
	size_t nnames = res->files_mode ? 0 : external_names(res, fidx, &names);
	size_t next = 0;
	double t_search = 0;
	size_t nread = 0;

	if (nnames) {
		bool *hit = calloc(res->n + 1, 1);
		struct extjob *ej = calloc(1, sizeof(*ej));

		if (!hit || !ej)
			exit(3);
		ej->res = res;
		ej->loaded = loaded;
		ej->hit = hit;
		ej->names = names;
		ej->nnames = nnames;
		ext_prepare(ej);
		/* only the files whose called names (kept by the first pass)
		 * may hold one of ours are read; a file without a '{' (the
		 * register headers, 38% of the stock tree's bytes) holds no
		 * function, so no caller */
		uint16_t *want_keys = malloc(nnames * sizeof(*want_keys));
		size_t *todo = malloc((res->n + 1) * sizeof(*todo)), ntodo = 0;

		if (!want_keys || !todo)
			exit(3);
		for (size_t k = 0; k < nnames; k++)
			want_keys[k] = call_key(names[k], strlen(names[k]));
		for (size_t i = 0; i < res->n; i++)
			if (!loaded[i] && res->has_body[i] &&
			    (res->nckeys[i] == CALLKEYS_UNKNOWN ||
			     call_keys_hit(res->ckeys[i], res->nckeys[i], want_keys, nnames)))
				todo[ntodo++] = i;
		ej->todo = todo;
		ej->ntodo = ntodo;
		if (getenv("PINAUDIT_STATS"))
			for (size_t k = 0; k < nnames; k++)
				fprintf(stderr, "pinaudit: callers wanted: %s\n", names[k]);
		double ts = now();

		run_parallel(ext_worker, ej, res->jobs);
		t_search = now() - ts;
		nread = ntodo;
		free(todo);
		free(want_keys);
		free(ej->len);
		free(ej);
		for (size_t i = 0; i < res->n; i++)
			if (hit[i]) {
				want[i] = true;
				next++;
			}
		free(hit);
		load_facts(res, want, loaded, mm, fidx);
		model_index(res->model);
	}
	free(names);
	/* the modules of the files that call a wrapper */
	if (want_wrapper_modules(res, fidx, want, loaded, mm, &tmp)) {
		load_facts(res, want, loaded, mm, fidx);
		model_index(res->model);
	}
	double t2 = now();

	add_wrapper_sites(res, fidx);
	double t3 = now();

	for (size_t i = 0; i < res->n; i++) {
		struct file_res *fr = res->files[i];

		for (size_t k = 0; fr && k < fr->sites.n; k++) {
			struct site *s = &fr->sites.v[k];

			s->lt = arena_alloc(&fr->arena, sizeof(*s->lt));
			lifetime_decide(res->model, s, s->lt, &fr->arena);
			needless_decide(res->model, s, &fr->arena);
		}
	}
	if (getenv("PINAUDIT_STATS")) {
		size_t nc = 0, na = 0, nf = 0, arena = 0;

		for (size_t i = 0; i < res->nfacts; i++) {
			nc += res->facts[i]->calls.n;
			na += res->facts[i]->assigns.n;
			nf += res->facts[i]->funcs.n;
			arena += arena_bytes(&res->facts[i]->arena);
		}
		fprintf(stderr, "pinaudit: model: %zu functions, %zu calls, %zu assignments, "
			"%zu KiB of strings\n", nf, nc, na, arena >> 10);
	}
	if (getenv("PINAUDIT_STATS"))
		fprintf(stderr, "pinaudit: model: %zu files read and lexed in %.3f s; "
			"%zu names called from %zu other files (%zu read), found in %.3f s "
			"(search %.3f s); wrappers %.3f s, lifetimes %.3f s\n",
			res->nfacts, t1 - t0, nnames, next, nread, t2 - t1, t_search, t3 - t2,
			now() - t3);
	wrappers_done();
	free(fidx);
	free(want);
	free(loaded);
	modmap_free(mm);
	arena_free(&tmp);
}

void audit_free(struct scan_result *res)
{
	model_free(res->model);
	for (size_t i = 0; i < res->nfacts; i++) {
		facts_free(res->facts[i]);
		free(res->facts[i]);
	}
	free(res->facts);
	res->model = NULL;
	res->facts = NULL;
	res->nfacts = 0;
}
