// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: the module model joins the facts of every file read: which
 * function a name means from a given module, who calls it (callbacks
 * passed as arguments count as calls), which macros wrap what, and which
 * entry role (file operation, ioctl, release...) a function plays.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct hent {
	const char *key;	/* klen bytes, not always NUL-terminated: a
				   name in a call's argument summary      */
	uint32_t h;		/* name_hash() of key */
	uint32_t klen;
	size_t first;		/* index into the item list, chained */
};

struct item {
	size_t next;
	struct facts *fx;
	size_t idx;
};

struct hmap {
	struct hent *t;
	size_t cap, n;
	VEC(struct item) items;
};

struct model {
	VEC(struct facts *) files;
	size_t nindexed;	/* files already in the maps */
	struct hmap funcs;	/* name -> (facts, func)  */
	struct hmap callers;	/* callee -> (facts, call) */
	struct hmap macros;	/* name -> (facts, macro) */
	struct hmap roles;	/* fn -> (facts, role)    */
	struct rule_memo *memo;	/* lifetime.c's           */
	void (*memo_free)(struct rule_memo *);
	bool open_world;	/* a kernel tree: callers may be outside */
};

#define NIL ((size_t)-1)

static void hput_h(struct hmap *h, const char *key, size_t klen, uint32_t hv,
		   struct facts *fx, size_t idx);

static void hgrow(struct hmap *h)
{
	struct hent *old = h->t;
	size_t oc = h->cap;

	h->cap = oc ? oc * 2 : 1024;
	h->t = calloc(h->cap, sizeof(*h->t));
	if (!h->t) {
		fputs("pinaudit: out of memory\n", stderr);
		exit(3);
	}
	for (size_t i = 0; i < oc; i++)
		if (old[i].key) {
			size_t k = old[i].h & (h->cap - 1);

			while (h->t[k].key)
				k = (k + 1) & (h->cap - 1);
			h->t[k] = old[i];
		}
	free(old);
}

static struct hent *hfind_h(const struct hmap *h, const char *key, uint32_t hv)
{
	if (!h->cap)
		return NULL;
	for (size_t k = hv & (h->cap - 1); h->t[k].key; k = (k + 1) & (h->cap - 1)) {
		const struct hent *e = &h->t[k];

		/* key (NUL-terminated) is e's klen bytes, and no more */
		if (e->h == hv && !strncmp(e->key, key, e->klen) && !key[e->klen])
			return &h->t[k];
	}
	return NULL;
}

static struct hent *hfind(const struct hmap *h, const char *key)
{
	return hfind_h(h, key, name_hash(key, strlen(key)));
}

static void hput_h(struct hmap *h, const char *key, size_t klen, uint32_t hv,
		   struct facts *fx, size_t idx)
{
	struct hent *e = NULL;
	size_t k;

	if ((h->n + 1) * 2 > h->cap)
		hgrow(h);
	for (k = hv & (h->cap - 1); h->t[k].key; k = (k + 1) & (h->cap - 1))
		if (h->t[k].h == hv && h->t[k].klen == klen && !memcmp(h->t[k].key, key, klen)) {
			e = &h->t[k];
			break;
		}
	if (!e) {
		e = &h->t[k];
		e->key = key;
		e->klen = (uint32_t)klen;
		e->h = hv;
		e->first = NIL;
		h->n++;
	}
	struct item it = { .next = e->first, .fx = fx, .idx = idx };

	VEC_PUSH(h->items, it);
	e->first = h->items.n - 1;
}

static void hput(struct hmap *h, const char *key, struct facts *fx, size_t idx)
{
	size_t n = strlen(key);

	hput_h(h, key, n, name_hash(key, n), fx, idx);
}

static void hfree(struct hmap *h)
{
	free(h->t);
	free(h->items.v);
	memset(h, 0, sizeof(*h));
}

struct model *model_new(void)
{
	return calloc(1, sizeof(struct model));
}

void model_add(struct model *m, struct facts *fx)
{
	VEC_PUSH(m->files, fx);
}

struct rule_memo **model_rule_memo(const struct model *m,
				   void (*memo_free)(struct rule_memo *))
{
	/* a cache: filling it changes no answer of the model; the rules
	 * own its layout and say how to free it */
	((struct model *)m)->memo_free = memo_free;
	return &((struct model *)m)->memo;
}

size_t model_nfacts(const struct model *m)
{
	return m->files.n;
}

struct facts *model_facts(const struct model *m, size_t i)
{
	return m->files.v[i];
}

struct facts *model_find_file(const struct model *m, const char *path)
{
	for (size_t i = 0; i < m->files.n; i++)
		if (!strcmp(m->files.v[i]->path, path))
			return m->files.v[i];
	return NULL;
}

/* index the files added since the last call */
void model_index(struct model *m)
{
	for (size_t i = m->nindexed; i < m->files.n; i++) {
		struct facts *fx = m->files.v[i];

		for (size_t k = 0; k < fx->funcs.n; k++)
			hput_h(&m->funcs, fx->funcs.v[k].name, fx->funcs.v[k].nlen,
			       fx->funcs.v[k].nhash, fx, k);
		for (size_t k = 0; k < fx->macros.n; k++)
			hput(&m->macros, fx->macros.v[k].name, fx, k);
		for (size_t k = 0; k < fx->roles.n; k++)
			hput(&m->roles, fx->roles.v[k].fn, fx, k);
		for (size_t k = 0; k < fx->calls.n; k++) {
			const struct fx_call *c = &fx->calls.v[k];

			hput_h(&m->callers, c->callee, c->clen, c->chash, fx, k);
			/* a function passed as an argument is called from here
			 * (kref_put(&x->ref, release), INIT_WORK(&w, fn), ...) */
			const char *p = c->args;

			while (p && *p) {
				const char *e = strchr(p, '\x1f');
				size_t l = e ? (size_t)(e - p) : strlen(p);

				/* the name in place: the summaries stay with the facts */
				if (l > 2 && p[0] != '-' && !memchr(p, '(', l))
					hput_h(&m->callers, p, l, name_hash(p, l), fx, k);
				p = e ? e + 1 : NULL;
			}
		}
	}
	m->nindexed = m->files.n;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	hfree(&m->funcs);
	hfree(&m->callers);
	hfree(&m->macros);
	hfree(&m->roles);
	if (m->memo && m->memo_free)
		m->memo_free(m->memo);
	free(m->files.v);
	free(m);
}

static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la == lb && !memcmp(a, b, la);
}

bool model_lookup(const struct model *m, const char *name, const char *mod,
		  struct fref *out)
{
	return model_lookup_h(m, name, name_hash(name, strlen(name)), mod, out);
}

bool model_lookup_h(const struct model *m, const char *name, uint32_t h, const char *mod,
		    struct fref *out)
{
	const struct hent *e = hfind_h(&m->funcs, name, h);
	int best = 0;

	if (!e)
		return false;
	for (size_t i = e->first; i != NIL; i = m->funcs.items.v[i].next) {
		const struct item *it = &m->funcs.items.v[i];
		const struct fx_func *f = &it->fx->funcs.v[it->idx];
		int score = 1;

		if (mod && !strcmp(it->fx->module, mod))
			score = 4;
		else if (f->exported || (it->fx->header && !f->is_static) ||
			 (it->fx->header && !strncmp(it->fx->rel, "include/", 8)))
			score = 3;
		else if (!f->is_static)
			score = 2;
		if (score > best) {
			best = score;
			out->fx = it->fx;
			out->fn = (unsigned)it->idx;
		}
	}
	(void)same_dir;
	return best >= 2;
}

size_t model_callers(const struct model *m, const char *name, const char *mod,
		     struct cref *out, size_t max)
{
	const struct hent *e = hfind(&m->callers, name);
	size_t n = 0;
	struct fref self;
	bool have = model_lookup(m, name, mod, &self);

	if (!e)
		return 0;
	for (size_t i = e->first; i != NIL && n < max; i = m->callers.items.v[i].next) {
		const struct item *it = &m->callers.items.v[i];
		const struct fx_call *c = &it->fx->calls.v[it->idx];
		struct fref t;

		/* the caller must see this very function under that name */
		if (have && model_lookup(m, name, it->fx->module, &t) &&
		    (t.fx != self.fx || t.fn != self.fn))
			continue;
		(void)c;
		out[n].fx = it->fx;
		out[n].call = it->idx;
		n++;
	}
	return n;
}

const struct fx_macro *model_macro(const struct model *m, const char *name)
{
	return model_macro_h(m, name, name_hash(name, strlen(name)));
}

const struct fx_macro *model_macro_h(const struct model *m, const char *name, uint32_t h)
{
	const struct hent *e = hfind_h(&m->macros, name, h);

	if (!e)
		return NULL;
	const struct item *it = &m->macros.items.v[e->first];

	return &it->fx->macros.v[it->idx];
}

const char *model_role(const struct model *m, const char *fn, const char *mod)
{
	const struct hent *e = hfind(&m->roles, fn);
	const char *any = NULL;

	if (!e)
		return NULL;
	for (size_t i = e->first; i != NIL; i = m->roles.items.v[i].next) {
		const struct item *it = &m->roles.items.v[i];

		if (!strcmp(it->fx->module, mod))
			return it->fx->roles.v[it->idx].field;
		any = it->fx->roles.v[it->idx].field;
	}
	return any;
}

void model_set_open_world(struct model *m, bool open)
{
	m->open_world = open;
}

bool model_open_world(const struct model *m)
{
	return m->open_world;
}
