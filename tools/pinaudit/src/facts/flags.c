// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: flag resolution for one call site.  The flags argument is
 * resolved through literals, local variables (=, |=, &= ~), object-like
 * and function-like macros of the file, assignments to the same struct
 * field anywhere in the file, and the arguments of callers in the same
 * file when the flags are a parameter.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax.h"

/*
 * flags: every name seen (on some path); must: names set on every path.
 * A site's flags are "conditional" when the two differ.
 */


/* move everything but the flag masks of t into r; frees t */
static void fres_absorb(struct fres *r, struct fres *t)
{
	r->cond |= t->cond;
	r->eph |= t->eph;
	r->served |= t->served;
	for (int i = 0; i < t->nanchors; i++)
		add_anchor(r, t->anchors[i]);
	if (t->extra.len)
		list_add(&r->extra, t->extra.s, t->extra.len);
	if (t->unres.len)
		list_add(&r->unres, t->unres.s, t->unres.len);
	sb_free(&t->extra);
	sb_free(&t->unres);
}

/* several assignments to one variable or field */
struct agg {
	uint32_t may, must_and, must_or, clear;
	int nset;
};

static void agg_set(struct agg *a, const struct fres *t)
{
	a->may |= t->flags;
	a->must_and = a->nset++ ? (a->must_and & t->must) : t->must;
}

static void agg_or(struct agg *a, const struct fres *t, bool always)
{
	a->may |= t->flags;
	if (always)
		a->must_or |= t->must;
}

static void agg_done(const struct agg *a, struct fres *r)
{
	r->flags |= a->may;
	r->must |= ((a->nset ? a->must_and : 0) | a->must_or) & ~a->clear;
}

void add_anchor(struct fres *r, size_t off)
{
	if (r->nanchors < 16)
		r->anchors[r->nanchors++] = off;
}

void list_add(struct sbuf *b, const char *s, size_t n)
{
	/* dedupe */
	if (b->len) {
		const char *p = b->s;

		while (p) {
			const char *e = strchr(p, '|');
			size_t l = e ? (size_t)(e - p) : strlen(p);

			if (l == n && !memcmp(p, s, n))
				return;
			p = e ? e + 1 : NULL;
		}
		if (b->len > 400)
			return;
		sb_putc(b, '|');
	}
	sb_putn(b, s, n);
}

static bool resolve_field(struct ctx *c, TSNode fe, struct fres *r, int depth);

/* an object-like macro defined in this file */
static bool find_macro(struct ctx *c, const char *name, size_t n, TSNode *val,
		       TSNode *def)
{
	for (size_t i = 0; i < c->macros.n; i++) {
		TSNode nm = ts_node_child_by_field_name(c->macros.v[i], "name", 4);
		size_t l;
		const char *t;

		if (ts_node_is_null(nm))
			continue;
		t = ntext(c, nm, &l);
		if (l == n && !memcmp(t, name, n)) {
			*val = ts_node_child_by_field_name(c->macros.v[i], "value", 5);
			*def = c->macros.v[i];
			return true;
		}
	}
	return false;
}

static void resolve_name(struct ctx *c, TSNode fn, const char *name, size_t n,
			 struct fres *r, int depth);

static bool is_macro_param(struct ctx *c, TSNode def, const char *s, size_t n)
{
	TSNode ps = ts_node_child_by_field_name(def, "parameters", 10);

	if (ts_node_is_null(ps))
		return false;
	uint32_t nc = ts_node_named_child_count(ps);

	for (uint32_t i = 0; i < nc; i++) {
		size_t l;
		const char *t = ntext(c, ts_node_named_child(ps, i), &l);

		if (l == n && !memcmp(t, s, n))
			return true;
	}
	return false;
}

/* tokens of a macro body */
static void resolve_text(struct ctx *c, TSNode fn, TSNode def, const char *s,
			 size_t n, struct fres *out, int depth)
{
	struct fres t, *r = &t;
	bool q = memchr(s, '?', n) != NULL;

	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < n;) {
		if (is_ident_start((unsigned char)s[i])) {
			size_t j = i + 1;

			while (j < n && is_ident((unsigned char)s[j]))
				j++;
			if (!is_macro_param(c, def, s + i, j - i))
				resolve_name(c, fn, s + i, j - i, r, depth + 1);
			i = j;
			continue;
		}
		i++;
	}
	/* a ?: in the body: nothing is certain */
	out->flags |= t.flags;
	out->must |= q ? 0 : t.must;
	fres_absorb(out, &t);
}

struct local_scan {
	struct ctx *c;
	const char *name;
	size_t n;
	TSNode fn;
	struct fres *r;
	int depth;
	int assigns, ors;
	bool declared;
	struct agg agg;
};

static bool ident_is(struct ctx *c, TSNode id, const char *name, size_t n)
{
	size_t l;
	const char *t;

	if (ts_node_is_null(id))
		return false;
	t = ntext(c, id, &l);
	return l == n && !memcmp(t, name, n);
}

/* resolve the right-hand side of one assignment into t */
static void resolve_rhs(struct ctx *c, TSNode fn, TSNode rhs, TSNode stmt,
			struct fres *t, int depth)
{
	memset(t, 0, sizeof(*t));
	resolve_expr(c, fn, rhs, t, depth + 1);
	if (t->eph) {
		TSNode st = enclosing_statement(stmt);
		TSNode up = ts_node_parent(st);

		add_anchor(t, ts_node_start_byte(st));
		/*
		 * "if (cond)\n\tflags |= FOLL_EPHEMERAL;": the comment may sit
		 * above the if that guards the assignment.
		 */
		if (!ts_node_is_null(up) && is_type(up, "if_statement"))
			add_anchor(t, ts_node_start_byte(up));
	}
}

/* one "x = e", "x |= e" or "x &= ~e" found for a variable or a field */
static void assignment(struct ctx *c, TSNode fn, TSNode n, const char *o,
		       TSNode rhs, struct agg *agg, struct fres *r, int depth)
{
	struct fres t;

	if (!strcmp(o, "=")) {
		resolve_rhs(c, fn, rhs, n, &t, depth);
		agg_set(agg, &t);
	} else if (!strcmp(o, "|=") || !strcmp(o, "+=")) {
		resolve_rhs(c, fn, rhs, n, &t, depth);
		agg_or(agg, &t, !in_conditional(n, fn));
	} else if (!strcmp(o, "&=") && is_type(rhs, "unary_expression")) {
		/* x &= ~FOLL_y: y is no longer certain */
		resolve_rhs(c, fn, ts_node_child_by_field_name(rhs, "argument", 8),
			    n, &t, depth);
		agg->clear |= t.flags;
		t.eph = false;
		t.served = false;
		t.nanchors = 0;
	} else {
		memset(&t, 0, sizeof(t));
		r->cond = true;
	}
	fres_absorb(r, &t);
}

static bool local_visit(TSNode n, void *arg)
{
	struct local_scan *ls = arg;
	const char *t = ts_node_type(n);

	if (!strcmp(t, "init_declarator")) {
		TSNode d = ts_node_child_by_field_name(n, "declarator", 10);

		if (ident_is(ls->c, declarator_ident(d), ls->name, ls->n)) {
			ls->declared = true;
			ls->assigns++;
			assignment(ls->c, ls->fn, n, "=",
				   ts_node_child_by_field_name(n, "value", 5),
				   &ls->agg, ls->r, ls->depth);
		}
	} else if (!strcmp(t, "declaration")) {
		/* "unsigned int gup_flags;" */
		if (decl_declares(ls->c, n, ls->name, ls->n))
			ls->declared = true;
	} else if (!strcmp(t, "assignment_expression")) {
		TSNode l = ts_node_child_by_field_name(n, "left", 4);

		if (is_type(l, "identifier") && ident_is(ls->c, l, ls->name, ls->n)) {
			TSNode op = ts_node_child_by_field_name(n, "operator", 8);
			const char *o = ts_node_is_null(op) ? "=" : ts_node_type(op);
			TSNode rhs = ts_node_child_by_field_name(n, "right", 5);

			if (!strcmp(o, "="))
				ls->assigns++;
			else
				ls->ors++;
			assignment(ls->c, ls->fn, n, o, rhs, &ls->agg, ls->r, ls->depth);
		}
	}
	return true;
}

/* does this declaration declare name? ("struct page **pages;") */
bool decl_declares(struct ctx *c, TSNode decl, const char *name, size_t n)
{
	uint32_t nc = ts_node_named_child_count(decl);

	for (uint32_t i = 0; i < nc; i++) {
		TSNode ch = ts_node_named_child(decl, i);
		const char *t = ts_node_type(ch);

		if (strcmp(t, "identifier") && strcmp(t, "pointer_declarator") &&
		    strcmp(t, "array_declarator") && strcmp(t, "init_declarator") &&
		    strcmp(t, "parenthesized_declarator"))
			continue;
		if (ident_is(c, declarator_ident(ch), name, n))
			return true;
	}
	return false;
}

static int param_index(struct ctx *c, TSNode fn, const char *name, size_t n);

bool is_param(struct ctx *c, TSNode fn, const char *name, size_t n)
{
	return param_index(c, fn, name, n) >= 0;
}

static TSNode enclosing_function(TSNode n);

/* flags passed in by the callers of fn that are in this file */
struct caller_scan {
	struct ctx *c;
	const char *fname;
	int idx, depth, ncalls;
	struct fres *r;
	struct agg agg;
};

static bool caller_visit(TSNode n, void *arg)
{
	struct caller_scan *cs = arg;

	if (!is_type(n, "call_expression"))
		return true;
	TSNode f = ts_node_child_by_field_name(n, "function", 8);

	if (!is_type(f, "identifier") || !text_eq(cs->c, f, cs->fname))
		return true;
	TSNode args[16];
	int na = call_args(n, args, 16);

	if (cs->idx >= na)
		return true;
	struct fres one;

	memset(&one, 0, sizeof(one));
	resolve_expr(cs->c, enclosing_function(n), args[cs->idx], &one, cs->depth + 1);
	cs->ncalls++;
	agg_set(&cs->agg, &one);
	fres_absorb(cs->r, &one);
	return true;
}

static bool resolve_param(struct ctx *c, TSNode fn, int idx, struct fres *r, int depth)
{
	struct caller_scan cs;

	if (depth > MAX_DEPTH - 3 || c->root_walks++ > MAX_ROOT_WALKS)
		return false;
	memset(&cs, 0, sizeof(cs));
	cs.c = c;
	cs.fname = function_name(c, fn);
	cs.idx = idx;
	cs.depth = depth;
	cs.r = r;
	if (!strcmp(cs.fname, "?"))
		return false;
	walk(c->root, caller_visit, &cs);
	if (cs.ncalls)
		agg_done(&cs.agg, r);
	return cs.ncalls > 0;
}

static int param_index(struct ctx *c, TSNode fn, const char *name, size_t n)
{
	TSNode d = ts_node_child_by_field_name(fn, "declarator", 10);

	for (int g = 0; g < 16 && !ts_node_is_null(d) &&
	     !is_type(d, "function_declarator"); g++)
		d = ts_node_child_by_field_name(d, "declarator", 10);
	if (ts_node_is_null(d))
		return false;
	TSNode pl = ts_node_child_by_field_name(d, "parameters", 10);

	if (ts_node_is_null(pl))
		return false;
	uint32_t nc = ts_node_named_child_count(pl);
	int k = 0;

	for (uint32_t i = 0; i < nc; i++) {
		TSNode p = ts_node_named_child(pl, i);
		TSNode pd = ts_node_child_by_field_name(p, "declarator", 10);

		if (is_type(p, "comment"))
			continue;
		if (ident_is(c, declarator_ident(pd), name, n))
			return k;
		/* SYSCALL_DEFINE-style parameter lists: bare identifiers */
		if (is_type(p, "identifier") && ident_is(c, p, name, n))
			return k;
		k++;
	}
	return -1;
}

static void resolve_name(struct ctx *c, TSNode fn, const char *name, size_t n,
			 struct fres *r, int depth)
{
	TSNode val, def;

	if (depth > MAX_DEPTH) {
		r->cond = true;
		list_add(&r->unres, name, n);
		return;
	}
	int fi = flag_index(name, n);

	if (fi >= 0) {
		r->flags |= FLAG_BIT(fi);
		r->must |= FLAG_BIT(fi);
		if (FLAG_BIT(fi) & EPHEMERAL_BITS)
			r->eph = true;
		if (FLAG_BIT(fi) & SERVED_BITS)
			r->served = true;
		return;
	}
	bool eph = n > 10 && !memcmp(name + n - 10, "_EPHEMERAL", 10);
	bool served = n > 12 && !memcmp(name + n - 12, "_USER_SERVED", 12);

	if ((n > 5 && (!memcmp(name, "FOLL_", 5) || !memcmp(name, "ITER_", 5))) ||
	    eph || served) {
		list_add(&r->extra, name, n);
		r->eph |= eph;
		r->served |= served;
		return;
	}
	if (!ts_node_is_null(fn)) {
		int pi = param_index(c, fn, name, n);

		if (pi >= 0) {
			if (resolve_param(c, fn, pi, r, depth))
				return;
			char tmp[160];
			int l = snprintf(tmp, sizeof(tmp), "%.*s (parameter)",
					 (int)(n > 100 ? 100 : n), name);

			list_add(&r->unres, tmp, (size_t)l);
			return;
		}
		struct local_scan ls = {
			.c = c, .name = name, .n = n, .fn = fn, .r = r,
			.depth = depth,
		};
		TSNode body = ts_node_child_by_field_name(fn, "body", 4);

		if (!ts_node_is_null(body))
			walk(body, local_visit, &ls);
		if (ls.declared || ls.assigns || ls.ors) {
			agg_done(&ls.agg, r);
			if (!ls.assigns && !ls.ors)
				list_add(&r->unres, name, n);
			return;
		}
	}
	if (find_macro(c, name, n, &val, &def)) {
		size_t vl;
		const char *vt;

		if (ts_node_is_null(val))
			return;
		vt = ntext(c, val, &vl);
		struct fres t;

		memset(&t, 0, sizeof(t));
		resolve_text(c, fn, def, vt, vl, &t, depth);
		if (t.eph)
			add_anchor(&t, ts_node_start_byte(def));
		r->flags |= t.flags;
		r->must |= t.must;
		fres_absorb(r, &t);
		return;
	}
	list_add(&r->unres, name, n);
}

void resolve_expr(struct ctx *c, TSNode fn, TSNode e, struct fres *r,
			 int depth)
{
	if (ts_node_is_null(e))
		return;
	if (depth > MAX_DEPTH) {
		r->cond = true;
		return;
	}
	const char *t = ts_node_type(e);
	size_t len;
	const char *tx;

	if (!strcmp(t, "number_literal") || !strcmp(t, "comment") ||
	    !strcmp(t, "null") || !strcmp(t, "true") || !strcmp(t, "false"))
		return;
	if (!strcmp(t, "identifier")) {
		tx = ntext(c, e, &len);
		resolve_name(c, fn, tx, len, r, depth);
		return;
	}
	if (!strcmp(t, "binary_expression")) {
		TSNode op = ts_node_child_by_field_name(e, "operator", 8);
		const char *o = ts_node_is_null(op) ? "" : ts_node_type(op);

		if (!strcmp(o, "==") || !strcmp(o, "!=") || !strcmp(o, "<") ||
		    !strcmp(o, ">") || !strcmp(o, "<=") || !strcmp(o, ">=") ||
		    !strcmp(o, "&&") || !strcmp(o, "||"))
			return;	/* a truth value, not flags */
		if (!strcmp(o, "|") || !strcmp(o, "+")) {
			resolve_expr(c, fn, ts_node_child_by_field_name(e, "left", 4), r, depth + 1);
			resolve_expr(c, fn, ts_node_child_by_field_name(e, "right", 5), r, depth + 1);
			return;
		}
		struct fres lt, rt;
		TSNode rn = ts_node_child_by_field_name(e, "right", 5);

		memset(&lt, 0, sizeof(lt));
		memset(&rt, 0, sizeof(rt));
		resolve_expr(c, fn, ts_node_child_by_field_name(e, "left", 4), &lt, depth + 1);
		if (!strcmp(o, "&") && is_type(rn, "unary_expression")) {
			/* x & ~FOLL_y: y cleared */
			resolve_expr(c, fn, ts_node_child_by_field_name(rn, "argument", 8),
				     &rt, depth + 1);
			r->flags |= lt.flags;
			r->must |= lt.must & ~rt.flags;
			rt.eph = false;
			rt.served = false;
			rt.nanchors = 0;
		} else {
			/* FOLL_WRITE * !!write, a & b, ...: possible, not certain */
			resolve_expr(c, fn, rn, &rt, depth + 1);
			r->flags |= lt.flags | rt.flags;
		}
		fres_absorb(r, &lt);
		fres_absorb(r, &rt);
		return;
	}
	if (!strcmp(t, "conditional_expression")) {
		struct fres a, b;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		resolve_expr(c, fn, ts_node_child_by_field_name(e, "consequence", 11), &a, depth + 1);
		resolve_expr(c, fn, ts_node_child_by_field_name(e, "alternative", 11), &b, depth + 1);
		r->flags |= a.flags | b.flags;
		r->must |= a.must & b.must;
		fres_absorb(r, &a);
		fres_absorb(r, &b);
		return;
	}
	if (!strcmp(t, "parenthesized_expression")) {
		uint32_t nc = ts_node_named_child_count(e);

		for (uint32_t i = 0; i < nc; i++)
			resolve_expr(c, fn, ts_node_named_child(e, i), r, depth + 1);
		return;
	}
	if (!strcmp(t, "cast_expression")) {
		resolve_expr(c, fn, ts_node_child_by_field_name(e, "value", 5), r, depth + 1);
		return;
	}
	if (!strcmp(t, "unary_expression"))
		return;		/* !x, ~x: no flag names to add */
	if (!strcmp(t, "field_expression") && resolve_field(c, e, r, depth))
		return;
	if (!strcmp(t, "call_expression")) {
		/* a function-like macro of this file: FL_COND(w) */
		TSNode f = ts_node_child_by_field_name(e, "function", 8);
		TSNode val, def;

		tx = ntext(c, f, &len);
		if (is_type(f, "identifier") && find_macro(c, tx, len, &val, &def) &&
		    !ts_node_is_null(val)) {
			size_t vl;
			const char *vt = ntext(c, val, &vl);
			struct fres t2;

			memset(&t2, 0, sizeof(t2));
			resolve_text(c, fn, def, vt, vl, &t2, depth);
			if (t2.eph)
				add_anchor(&t2, ts_node_start_byte(def));
			r->flags |= t2.flags;
			r->must |= t2.must;
			fres_absorb(r, &t2);
			return;
		}
	}
	/* anything else (field, call, ERROR): keep as written */
	{
		char tmp[128];
		TSNode nn = e;
		const char *f = folded(c, nn, 80);
		int l = snprintf(tmp, sizeof(tmp), "%s", f);

		list_add(&r->unres, tmp, (size_t)l);
		/* still pick up FOLL_ names mentioned inside */
		tx = ntext(c, e, &len);
		for (size_t i = 0; i + 5 < len; i++) {
			if ((tx[i] == 'F' && !memcmp(tx + i, "FOLL_", 5)) ||
			    (tx[i] == 'I' && !memcmp(tx + i, "ITER_", 5))) {
				if (i > 0 && is_ident((unsigned char)tx[i - 1]))
					continue;
				size_t j = i;

				while (j < len && is_ident((unsigned char)tx[j]))
					j++;
				resolve_name(c, null_node(), tx + i, j - i, r, depth + 1);
				i = j;
			}
		}
	}
}

/* flags kept in a struct field: every assignment to that field in the file */
struct field_scan {
	struct ctx *c;
	const char *fname;
	size_t fl;
	struct fres *r;
	int depth, assigns;
	struct agg agg;
};

static TSNode enclosing_function(TSNode n)
{
	for (int g = 0; g < 512 && !ts_node_is_null(n); g++) {
		if (is_type(n, "function_definition"))
			return n;
		n = ts_node_parent(n);
	}
	return null_node();
}

static bool field_visit(TSNode n, void *arg)
{
	struct field_scan *fs = arg;

	if (!is_type(n, "assignment_expression"))
		return true;
	TSNode l = ts_node_child_by_field_name(n, "left", 4);

	if (!is_type(l, "field_expression"))
		return true;
	TSNode f = ts_node_child_by_field_name(l, "field", 5);

	if (!ident_is(fs->c, f, fs->fname, fs->fl))
		return true;
	TSNode op = ts_node_child_by_field_name(n, "operator", 8);
	const char *o = ts_node_is_null(op) ? "=" : ts_node_type(op);
	TSNode fn = enclosing_function(n);

	fs->assigns++;
	assignment(fs->c, fn, n, o, ts_node_child_by_field_name(n, "right", 5),
		   &fs->agg, fs->r, fs->depth);
	return true;
}

static bool resolve_field(struct ctx *c, TSNode fe, struct fres *r, int depth)
{
	TSNode f = ts_node_child_by_field_name(fe, "field", 5);
	struct field_scan fs;
	size_t l;

	if (ts_node_is_null(f) || depth > MAX_DEPTH - 2 ||
	    c->root_walks++ > MAX_ROOT_WALKS)
		return false;
	memset(&fs, 0, sizeof(fs));
	fs.c = c;
	fs.fname = ntext(c, f, &l);
	fs.fl = l;
	if (c->blanked_fields && fset_has(c->blanked_fields, fs.fname, l)) {
		/* assigned in a body the parser did not see: parse it all */
		c->need_full = true;
		return false;
	}
	fs.r = r;
	fs.depth = depth;
	walk(c->root, field_visit, &fs);
	if (fs.assigns)
		agg_done(&fs.agg, r);
	return fs.assigns > 0;
}
