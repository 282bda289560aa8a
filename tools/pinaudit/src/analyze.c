// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: per-file analysis.  tree-sitter's C grammar parses the files
 * that call into the GUP family (prefilter.c picks them, validate.c has
 * checked them), and the call sites, their flags, where their pages are
 * kept and their lifetime comments are read off the syntax tree.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "pinaudit.h"

const TSLanguage *tree_sitter_c(void);

#define MAX_FILE_SIZE	(64u << 20)
#define MAX_DEPTH	8

struct analyzer {
	TSParser *parser;
};

struct analyzer *analyzer_new(void)
{
	struct analyzer *an = calloc(1, sizeof(*an));

	if (!an)
		return NULL;
	an->parser = ts_parser_new();
	if (!ts_parser_set_language(an->parser, tree_sitter_c())) {
		fputs("pinaudit: tree-sitter C grammar ABI mismatch\n", stderr);
		exit(3);
	}
	/* never hang on hostile input */
	ts_parser_set_timeout_micros(an->parser, 20u * 1000 * 1000);
	return an;
}

void analyzer_free(struct analyzer *an)
{
	if (!an)
		return;
	ts_parser_delete(an->parser);
	free(an);
}

void file_res_free(struct file_res *fr)
{
	free(fr->sites.v);
	free(fr->rels.v);
	free(fr->hits.v);
	free(fr->callbacks.v);
	arena_free(&fr->arena);
	memset(fr, 0, sizeof(*fr));
}

static bool is_ident_start(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* ------------------------------------------------------------------ */
/* syntax tree helpers                                                 */

/* whole-file walks per file for field/caller resolution: keeps hostile
 * or generated files (thousands of sites) linear */
#define MAX_ROOT_WALKS 64

struct ctx {
	TSNode root;
	int root_walks;
	const char *buf;
	size_t len;
	struct file_res *fr;
	struct arena *A;
	VEC(TSNode) macros;	/* preproc_def nodes                 */
	VEC(TSNode) pins;	/* call nodes of the family          */
	VEC(TSNode) pin_fns;	/* enclosing function_definition     */
	VEC(TSNode) rel_calls;
	VEC(TSNode) rel_fns;
};

static bool is_type(TSNode n, const char *t)
{
	return !ts_node_is_null(n) && !strcmp(ts_node_type(n), t);
}

static const char *ntext(struct ctx *c, TSNode n, size_t *len)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

	if (e > c->len)
		e = (uint32_t)c->len;
	if (s > e)
		s = e;
	*len = e - s;
	return c->buf + s;
}

static bool text_eq(struct ctx *c, TSNode n, const char *s)
{
	size_t len;
	const char *t = ntext(c, n, &len);

	return strlen(s) == len && !memcmp(t, s, len);
}

/* node text with whitespace runs folded to one space, capped */
static const char *folded(struct ctx *c, TSNode n, size_t cap)
{
	size_t len, o = 0;
	const char *t = ntext(c, n, &len);
	char *out = arena_alloc(c->A, (len < cap ? len : cap) + 4);
	bool sp = false;

	for (size_t i = 0; i < len && o < cap; i++) {
		unsigned char ch = t[i];

		if (isspace(ch)) {
			sp = o > 0;
			continue;
		}
		if (sp)
			out[o++] = ' ';
		sp = false;
		if (o < cap)
			out[o++] = ch;
	}
	if (o >= cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
	return out;
}

typedef bool (*visit_fn)(TSNode n, void *arg);

/* iterative pre-order walk; visit returns false to skip the children */
static void walk(TSNode root, visit_fn visit, void *arg)
{
	TSTreeCursor cur = ts_tree_cursor_new(root);

	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&cur);

		if (visit(n, arg) && ts_tree_cursor_goto_first_child(&cur))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&cur)) {
			if (!ts_tree_cursor_goto_parent(&cur))
				goto out;
		}
	}
out:
	ts_tree_cursor_delete(&cur);
}

/* arguments of a call, comments dropped */
static int call_args(TSNode call, TSNode *out, int max)
{
	TSNode al = ts_node_child_by_field_name(call, "arguments", 9);
	int k = 0;

	if (ts_node_is_null(al))
		return 0;
	uint32_t nc = ts_node_named_child_count(al);

	for (uint32_t i = 0; i < nc && k < max; i++) {
		TSNode a = ts_node_named_child(al, i);

		if (is_type(a, "comment"))
			continue;
		out[k++] = a;
	}
	return k;
}

/* the identifier a declarator declares */
static TSNode declarator_ident(TSNode d)
{
	for (int guard = 0; guard < 64 && !ts_node_is_null(d); guard++) {
		const char *t = ts_node_type(d);

		if (!strcmp(t, "identifier") || !strcmp(t, "field_identifier"))
			return d;
		TSNode nx = ts_node_child_by_field_name(d, "declarator", 10);

		if (ts_node_is_null(nx)) {
			/* parenthesized_declarator has no field */
			if (ts_node_named_child_count(d) == 0)
				break;
			nx = ts_node_named_child(d, 0);
		}
		d = nx;
	}
	TSNode z = { 0 };

	return z;
}

static const char *function_name(struct ctx *c, TSNode fn)
{
	if (ts_node_is_null(fn))
		return "?";
	TSNode d = ts_node_child_by_field_name(fn, "declarator", 10);
	TSNode fd = d;

	/* find the function_declarator */
	for (int g = 0; g < 16 && !ts_node_is_null(fd) &&
	     !is_type(fd, "function_declarator"); g++)
		fd = ts_node_child_by_field_name(fd, "declarator", 10);
	TSNode id = declarator_ident(d);
	size_t len;
	const char *t;

	if (ts_node_is_null(id))
		return "?";
	t = ntext(c, id, &len);
	if (!len)
		return "?";	/* a MISSING node from error recovery */
	/* SYSCALL_DEFINEn(name, ...) and friends */
	if (len > 14 && strstr(arena_strndup(c->A, t, len), "SYSCALL_DEFINE") &&
	    !ts_node_is_null(fd)) {
		TSNode pl = ts_node_child_by_field_name(fd, "parameters", 10);

		if (!ts_node_is_null(pl) && ts_node_named_child_count(pl) > 0) {
			size_t l2;
			const char *t2 = ntext(c, ts_node_named_child(pl, 0), &l2);
			char *o = arena_alloc(c->A, l2 + 5);

			memcpy(o, "sys_", 4);
			memcpy(o + 4, t2, l2);
			o[l2 + 4] = 0;
			return o;
		}
	}
	return arena_strndup(c->A, t, len);
}

/* strip &, *, casts, parens, subscripts and pointer arithmetic */
static TSNode strip_expr(TSNode n)
{
	for (int g = 0; g < 64 && !ts_node_is_null(n); g++) {
		const char *t = ts_node_type(n);
		TSNode nx = { 0 };

		if (!strcmp(t, "pointer_expression"))
			nx = ts_node_child_by_field_name(n, "argument", 8);
		else if (!strcmp(t, "parenthesized_expression"))
			nx = ts_node_named_child(n, 0);
		else if (!strcmp(t, "cast_expression"))
			nx = ts_node_child_by_field_name(n, "value", 5);
		else if (!strcmp(t, "subscript_expression"))
			nx = ts_node_child_by_field_name(n, "argument", 8);
		else if (!strcmp(t, "binary_expression"))
			nx = ts_node_child_by_field_name(n, "left", 4);
		else
			return n;
		if (ts_node_is_null(nx))
			return n;
		n = nx;
	}
	return n;
}

static TSNode null_node(void)
{
	TSNode z;

	memset(&z, 0, sizeof(z));
	return z;
}

static bool node_eq(TSNode a, TSNode b)
{
	return ts_node_eq(a, b);
}

static bool compound_has_jump(TSNode comp)
{
	uint32_t nc = ts_node_named_child_count(comp);

	for (uint32_t i = 0; i < nc; i++) {
		TSNode ch = ts_node_named_child(comp, i);

		if (is_type(ch, "return_statement") || is_type(ch, "goto_statement"))
			return true;
	}
	return false;
}

/*
 * Is this node only reached on an error path of fn?  Either it sits in
 * an if/else branch that bails out (return/goto), or it comes after a
 * top-level return (reached only through a goto label).
 */
static bool error_only(TSNode n, TSNode fn)
{
	TSNode body = ts_node_child_by_field_name(fn, "body", 4);

	if (ts_node_is_null(body))
		return false;
	uint32_t nc = ts_node_named_child_count(body);
	uint32_t ns = ts_node_start_byte(n);

	for (uint32_t i = 0; i < nc; i++) {
		TSNode ch = ts_node_named_child(body, i);

		if (ts_node_start_byte(ch) >= ns)
			break;
		if (is_type(ch, "return_statement"))
			return true;
	}
	TSNode cur = n;

	for (int g = 0; g < 256; g++) {
		if (node_eq(cur, body))
			break;
		TSNode par = ts_node_parent(cur);

		if (ts_node_is_null(par))
			break;
		if (is_type(cur, "compound_statement") &&
		    (is_type(par, "if_statement") || is_type(par, "else_clause")) &&
		    compound_has_jump(cur))
			return true;
		cur = par;
	}
	return false;
}

static bool in_conditional(TSNode n, TSNode fn)
{
	TSNode cur = ts_node_parent(n);

	for (int g = 0; g < 256 && !ts_node_is_null(cur) && !node_eq(cur, fn); g++) {
		const char *t = ts_node_type(cur);

		if (!strcmp(t, "if_statement") || !strcmp(t, "else_clause") ||
		    !strcmp(t, "switch_statement") || !strcmp(t, "case_statement") ||
		    !strcmp(t, "conditional_expression") ||
		    !strcmp(t, "while_statement") || !strcmp(t, "for_statement"))
			return true;
		cur = ts_node_parent(cur);
	}
	return false;
}

/* the statement (or declaration) that contains n */
static TSNode enclosing_statement(TSNode n)
{
	TSNode cur = n;

	for (int g = 0; g < 256 && !ts_node_is_null(cur); g++) {
		const char *t = ts_node_type(cur);
		size_t l = strlen(t);

		if ((l > 10 && !strcmp(t + l - 10, "_statement") &&
		     strcmp(t, "compound_statement")) ||
		    !strcmp(t, "declaration") || !strcmp(t, "preproc_def") ||
		    !strcmp(t, "init_declarator"))
			return is_type(cur, "init_declarator") ? ts_node_parent(cur) : cur;
		if (!strcmp(t, "function_definition") || !strcmp(t, "translation_unit"))
			break;
		cur = ts_node_parent(cur);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* lifetime comments                                                   */

static bool lifetime_words(const char *s, size_t n)
{
	static const char *const words[] = {
		"unpin", "releas", "drop", "complet",
	};

	for (size_t i = 0; i < n; i++) {
		for (size_t w = 0; w < sizeof(words) / sizeof(*words); w++) {
			size_t wl = strlen(words[w]);

			if (i + wl <= n && !strncasecmp(s + i, words[w], wl))
				return true;
		}
		if (i + 3 <= n && !strncasecmp(s + i, "put", 3) &&
		    (i == 0 || !isalpha((unsigned char)s[i - 1])))
			return true;
	}
	return false;
}

/* a lifetime comment on the line(s) directly above off, or trailing it */
static bool found(const char *buf, size_t a, size_t z, size_t *cs, size_t *ce)
{
	if (!lifetime_words(buf + a, z - a))
		return false;
	*cs = a;
	*ce = z;
	return true;
}

/* a lifetime comment directly above off (or trailing its line): [*cs,*ce) */
static bool comment_above(const char *buf, size_t len, size_t off, size_t *cs,
			  size_t *ce)
{
	size_t ls = off, le = off;

	if (off > len)
		return false;
	while (ls > 0 && buf[ls - 1] != '\n')
		ls--;
	while (le < len && buf[le] != '\n')
		le++;
	/* trailing comment on the anchor's own line */
	for (size_t i = off; i + 1 < le; i++)
		if (buf[i] == '/' && (buf[i + 1] == '*' || buf[i + 1] == '/')) {
			if (found(buf, i, le, cs, ce))
				return true;
			break;
		}
	if (ls == 0)
		return false;
	/* previous line */
	size_t pe = ls - 1, ps = pe;

	while (ps > 0 && buf[ps - 1] != '\n')
		ps--;
	size_t a = ps, z = pe;

	while (a < z && isspace((unsigned char)buf[a]))
		a++;
	while (z > a && isspace((unsigned char)buf[z - 1]))
		z--;
	if (a == z)
		return false;
	if (z - a >= 2 && buf[z - 2] == '*' && buf[z - 1] == '/') {
		/* find the opening of this block comment */
		size_t k = z - 2;

		while (k >= 1) {
			if (buf[k - 1] == '/' && buf[k] == '*')
				return found(buf, k - 1, z, cs, ce);
			k--;
		}
		return false;
	}
	if (z - a >= 2 && buf[a] == '/' && buf[a + 1] == '/') {
		/* a run of // lines */
		for (;;) {
			if (found(buf, a, z, cs, ce))
				return true;
			if (ps == 0)
				return false;
			pe = ps - 1;
			ps = pe;
			while (ps > 0 && buf[ps - 1] != '\n')
				ps--;
			a = ps;
			z = pe;
			while (a < z && isspace((unsigned char)buf[a]))
				a++;
			if (z - a < 2 || buf[a] != '/' || buf[a + 1] != '/')
				return false;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* flags resolution                                                    */

/*
 * flags: every name seen (on some path); must: names set on every path.
 * A site's flags are "conditional" when the two differ.
 */
struct fres {
	uint32_t flags, must;
	struct sbuf extra, unres;
	bool cond, eph;
	size_t anchors[16];
	int nanchors;
};

static void add_anchor(struct fres *r, size_t off);
static void list_add(struct sbuf *b, const char *s, size_t n);

/* move everything but the flag masks of t into r; frees t */
static void fres_absorb(struct fres *r, struct fres *t)
{
	r->cond |= t->cond;
	r->eph |= t->eph;
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

static void add_anchor(struct fres *r, size_t off)
{
	if (r->nanchors < 16)
		r->anchors[r->nanchors++] = off;
}

static void list_add(struct sbuf *b, const char *s, size_t n)
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

static void resolve_expr(struct ctx *c, TSNode fn, TSNode e, struct fres *r,
			 int depth);
static bool decl_declares(struct ctx *c, TSNode decl, const char *name, size_t n);
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
static bool decl_declares(struct ctx *c, TSNode decl, const char *name, size_t n)
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

static bool is_param(struct ctx *c, TSNode fn, const char *name, size_t n)
{
	return param_index(c, fn, name, n) >= 0;
}

static const char *function_name(struct ctx *c, TSNode fn);
static TSNode enclosing_function(TSNode n);
static int call_args(TSNode call, TSNode *out, int max);

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
		if (fi == FB_EPHEMERAL || fi == FB_ITER_EPHEMERAL)
			r->eph = true;
		return;
	}
	if ((n > 5 && (!memcmp(name, "FOLL_", 5) || !memcmp(name, "ITER_", 5))) ||
	    (n > 10 && !memcmp(name + n - 10, "_EPHEMERAL", 10))) {
		list_add(&r->extra, name, n);
		if (n > 10 && !memcmp(name + n - 10, "_EPHEMERAL", 10))
			r->eph = true;
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

static void resolve_expr(struct ctx *c, TSNode fn, TSNode e, struct fres *r,
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
	fs.r = r;
	fs.depth = depth;
	walk(c->root, field_visit, &fs);
	if (fs.assigns)
		agg_done(&fs.agg, r);
	return fs.assigns > 0;
}

/* ------------------------------------------------------------------ */
/* release calls and storage                                           */

/* name released / stored by an expression: field name or identifier */
static bool storage_of(struct ctx *c, TSNode e, const char **name, bool *field)
{
	TSNode s = strip_expr(e);
	size_t l;
	const char *t;

	if (is_type(s, "field_expression")) {
		TSNode f = ts_node_child_by_field_name(s, "field", 5);

		if (ts_node_is_null(f))
			return false;
		t = ntext(c, f, &l);
		*name = arena_strndup(c->A, t, l);
		*field = true;
		return true;
	}
	if (is_type(s, "identifier")) {
		t = ntext(c, s, &l);
		*name = arena_strndup(c->A, t, l);
		*field = false;
		return true;
	}
	return false;
}

struct fn_scan {
	struct ctx *c;
	TSNode fn;
	/* storage search for a local */
	const char *local;
	TSNode store_lhs;
	/* same-function release search */
	const char *sname;
	bool sfield;
	bool released;
	struct sbuf callees;
	bool declared_local, returned;
};

static bool fn_visit(TSNode n, void *arg)
{
	struct fn_scan *fs = arg;
	struct ctx *c = fs->c;
	const char *t = ts_node_type(n);

	if (fs->local && !strcmp(t, "assignment_expression")) {
		TSNode rhs = ts_node_child_by_field_name(n, "right", 5);
		TSNode lhs = ts_node_child_by_field_name(n, "left", 4);
		TSNode rs = strip_expr(rhs);

		if (is_type(rs, "identifier") && text_eq(c, rs, fs->local) &&
		    ts_node_is_null(fs->store_lhs) &&
		    (is_type(lhs, "field_expression") ||
		     is_type(lhs, "subscript_expression") ||
		     is_type(lhs, "identifier")))
			fs->store_lhs = lhs;
	}
	if (fs->local && !strcmp(t, "return_statement") && ts_node_named_child_count(n)) {
		TSNode rv = strip_expr(ts_node_named_child(n, 0));

		if (is_type(rv, "identifier") && text_eq(c, rv, fs->local))
			fs->returned = true;
	}
	if (fs->local && !strcmp(t, "init_declarator")) {
		TSNode d = ts_node_child_by_field_name(n, "declarator", 10);
		TSNode id = declarator_ident(d);

		if (!ts_node_is_null(id) && text_eq(c, id, fs->local))
			fs->declared_local = true;
	}
	if (fs->local && !strcmp(t, "declaration") &&
	    decl_declares(c, n, fs->local, strlen(fs->local)))
		fs->declared_local = true;
	if (!strcmp(t, "call_expression")) {
		TSNode f = ts_node_child_by_field_name(n, "function", 8);
		size_t l;
		const char *ft;

		if (!is_type(f, "identifier"))
			return true;
		ft = ntext(c, f, &l);
		bool eo = error_only(n, fs->fn);

		if (fs->sname && is_release_name(ft, l) && !eo) {
			TSNode args[2];
			const char *nm;
			bool fld;

			if (call_args(n, args, 1) == 1 &&
			    storage_of(c, args[0], &nm, &fld) &&
			    fld == fs->sfield && !strcmp(nm, fs->sname))
				fs->released = true;
		}
		if (!eo && fs->callees.len < 4000) {
			if (!fs->callees.len)
				sb_putc(&fs->callees, ' ');
			sb_putn(&fs->callees, ft, l);
			sb_putc(&fs->callees, ' ');
		}
	}
	return true;
}

static void do_site(struct ctx *c, TSNode call, TSNode fn)
{
	TSNode f = ts_node_child_by_field_name(call, "function", 8);
	TSNode args[8];
	size_t l;
	const char *ft = ntext(c, f, &l);
	const struct api_info *api = api_lookup(ft, l);
	int na = call_args(call, args, 8);
	TSPoint pt = ts_node_start_point(call);
	struct site s;
	struct fres r;

	if (!api)
		return;
	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	s.file = c->fr;
	s.line = pt.row + 1;
	s.col = pt.column + 1;
	s.api = api;
	s.func = function_name(c, fn);
	if (api->flags_arg >= 0 && na > api->flags_arg) {
		TSNode fa = args[api->flags_arg];

		s.flags_expr = folded(c, fa, 160);
		resolve_expr(c, fn, fa, &r, 0);
		/* FOLL_EPHEMERAL written in the call: its own line anchors */
		if (r.eph) {
			size_t fl;
			const char *ftx = ntext(c, fa, &fl);
			const char *p = memmem(ftx, fl, "_EPHEMERAL", 10);

			if (p)
				add_anchor(&r, (size_t)(p - c->buf));
		}
	} else {
		s.flags_expr = api->flags_arg >= 0 ? "?" : "";
		if (api->flags_arg >= 0)
			list_add(&r.unres, "?", 1);
	}
	s.flags = r.flags;
	s.must = r.must;
	s.flags_extra = r.extra.len ? arena_strdup(c->A, r.extra.s) : "";
	s.unresolved = r.unres.len ? arena_strdup(c->A, r.unres.s) : "";
	s.cond = r.cond || r.flags != r.must;
	s.ephemeral = r.eph;
	if (s.ephemeral) {
		add_anchor(&r, ts_node_start_byte(enclosing_statement(call)));
		for (int i = 0; i < r.nanchors && !s.lifetime_comment; i++) {
			size_t cs, ce;

			s.lifetime_comment = comment_above(c->buf, c->len, r.anchors[i],
							   &cs, &ce);
			if (s.lifetime_comment)
				s.lifetime_text = arena_strndup(c->A, c->buf + cs,
								ce - cs > 600 ? 600 : ce - cs);
		}
	}
	sb_free(&r.extra);
	sb_free(&r.unres);

	/* where do the pages go? */
	struct fn_scan fs;

	memset(&fs, 0, sizeof(fs));
	fs.c = c;
	fs.fn = fn;
	if (api->pages_arg >= 0 && na > api->pages_arg && !ts_node_is_null(fn)) {
		TSNode pa = strip_expr(args[api->pages_arg]);
		const char *nm;
		bool fld;

		if (is_type(pa, "field_expression") && storage_of(c, pa, &nm, &fld)) {
			s.storage = ST_FIELD;
			s.storage_name = nm;
			s.storage_expr = folded(c, pa, 80);
		} else if (is_type(pa, "identifier")) {
			size_t il;
			const char *it = ntext(c, pa, &il);
			char *id = arena_strndup(c->A, it, il);

			if (!is_param(c, fn, it, il)) {
				fs.local = id;
				TSNode body = ts_node_child_by_field_name(fn, "body", 4);

				if (!ts_node_is_null(body))
					walk(body, fn_visit, &fs);
				s.returned = fs.returned;
				if (!fs.declared_local) {
					s.storage = ST_GLOBAL;
					s.storage_name = id;
					s.storage_expr = id;
				} else if (!ts_node_is_null(fs.store_lhs)) {
					TSNode lhs = strip_expr(fs.store_lhs);

					if (storage_of(c, lhs, &nm, &fld)) {
						s.storage = fld ? ST_FIELD : ST_GLOBAL;
						s.storage_name = nm;
						s.storage_expr = folded(c, fs.store_lhs, 80);
						/* a local assigned to a local is not storage */
						if (!fld && is_type(lhs, "identifier")) {
							struct fn_scan f2;

							memset(&f2, 0, sizeof(f2));
							f2.c = c;
							f2.fn = fn;
							f2.local = nm;
							walk(body, fn_visit, &f2);
							sb_free(&f2.callees);
							if (f2.declared_local || is_param(c, fn, nm, strlen(nm)))
								s.storage = ST_NONE;
						}
					}
				}
				sb_free(&fs.callees);
				memset(&fs, 0, sizeof(fs));
				fs.c = c;
				fs.fn = fn;
			}
		}
	}
	if (!ts_node_is_null(fn)) {
		TSNode body = ts_node_child_by_field_name(fn, "body", 4);

		fs.sname = s.storage != ST_NONE ? s.storage_name : NULL;
		fs.sfield = s.storage == ST_FIELD;
		fs.local = NULL;
		if (!ts_node_is_null(body))
			walk(body, fn_visit, &fs);
		s.same_func_release = fs.released;
		s.callees = fs.callees.len ? arena_strdup(c->A, fs.callees.s) : " ";
		sb_free(&fs.callees);
	} else {
		s.callees = " ";
	}
	VEC_PUSH(c->fr->sites, s);
}

static void do_release(struct ctx *c, TSNode call, TSNode fn)
{
	TSNode args[2];
	struct release r;
	const char *nm;
	bool fld;
	TSPoint pt = ts_node_start_point(call);

	if (call_args(call, args, 1) != 1 || !storage_of(c, args[0], &nm, &fld))
		return;
	memset(&r, 0, sizeof(r));
	r.func = function_name(c, fn);
	r.name = nm;
	r.field = fld;
	r.line = pt.row + 1;
	r.col = pt.column + 1;
	r.error_only = !ts_node_is_null(fn) && error_only(call, fn);
	VEC_PUSH(c->fr->rels, r);
}

/* ------------------------------------------------------------------ */
/* main walk                                                           */

struct main_walk {
	struct ctx *c;
	TSNode fn;
	uint32_t fn_end;
};

static void note_callback(struct ctx *c, TSNode field, TSNode val)
{
	size_t l;
	const char *t;

	if (!is_type(val, "identifier") || ts_node_is_null(field))
		return;
	t = ntext(c, field, &l);
	char *fname = arena_strndup(c->A, t, l);

	if (!is_completion_name(fname))
		return;
	t = ntext(c, val, &l);
	const char *cb = arena_strndup(c->A, t, l);

	VEC_PUSH(c->fr->callbacks, cb);
}

static bool main_visit(TSNode n, void *arg)
{
	struct main_walk *mw = arg;
	struct ctx *c = mw->c;
	const char *t = ts_node_type(n);

	if (!ts_node_is_null(mw->fn) && ts_node_start_byte(n) >= mw->fn_end)
		mw->fn = null_node();
	switch (t[0]) {
	case 'f':
		if (!strcmp(t, "function_definition")) {
			mw->fn = n;
			mw->fn_end = ts_node_end_byte(n);
		}
		break;
	case 'p':
		if (!strcmp(t, "preproc_def") || !strcmp(t, "preproc_function_def")) {
			VEC_PUSH(c->macros, n);
			return false;
		}
		break;
	case 'c':
		if (!strcmp(t, "comment"))
			return false;
		if (!strcmp(t, "call_expression")) {
			TSNode f = ts_node_child_by_field_name(n, "function", 8);
			size_t l;
			const char *ft;

			if (!is_type(f, "identifier"))
				break;
			ft = ntext(c, f, &l);
			if (api_lookup(ft, l)) {
				VEC_PUSH(c->pins, n);
				VEC_PUSH(c->pin_fns, mw->fn);
			} else if (is_release_name(ft, l)) {
				VEC_PUSH(c->rel_calls, n);
				VEC_PUSH(c->rel_fns, mw->fn);
			}
		}
		break;
	case 'a':
		if (!strcmp(t, "assignment_expression")) {
			TSNode lhs = ts_node_child_by_field_name(n, "left", 4);

			if (is_type(lhs, "field_expression"))
				note_callback(c, ts_node_child_by_field_name(lhs, "field", 5),
					      ts_node_child_by_field_name(n, "right", 5));
		}
		break;
	case 'i':
		if (!strcmp(t, "initializer_pair")) {
			TSNode d = ts_node_child_by_field_name(n, "designator", 10);

			if (is_type(d, "field_designator") && ts_node_named_child_count(d))
				d = ts_node_named_child(d, 0);
			note_callback(c, d, ts_node_child_by_field_name(n, "value", 5));
		}
		break;
	case 's':
		if (!strcmp(t, "string_literal") || !strcmp(t, "system_lib_string"))
			return false;
		break;
	}
	return true;
}

int analyze_buffer(struct analyzer *an, const char *buf, size_t len,
		   struct file_res *fr)
{
	const char *why;

	if (len > MAX_FILE_SIZE) {
		fr->skip_reason = "file larger than 64 MiB";
		return -1;
	}
	why = validate_lex(buf, len, fr);
	if (why) {
		fr->skip_reason = why;
		return -1;
	}
	if (!(prefilter_bits(buf, len) & (PF_API | PF_REL)))
		return 0;
	return analyze_parse(an, buf, len, fr);
}

int analyze_parse(struct analyzer *an, const char *buf, size_t len,
		  struct file_res *fr)
{
	if (len > MAX_FILE_SIZE) {
		fr->skip_reason = "file larger than 64 MiB";
		return -1;
	}
	TSTree *tree = ts_parser_parse_string(an->parser, NULL, buf, (uint32_t)len);

	if (!tree) {
		ts_parser_reset(an->parser);
		fr->skip_reason = "parser gave up (timeout)";
		return -1;
	}
	struct ctx c;
	struct main_walk mw;

	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.len = len;
	c.fr = fr;
	c.A = &fr->arena;
	c.root = ts_tree_root_node(tree);
	memset(&mw, 0, sizeof(mw));
	mw.c = &c;
	walk(ts_tree_root_node(tree), main_visit, &mw);
	for (size_t i = 0; i < c.pins.n; i++)
		do_site(&c, c.pins.v[i], c.pin_fns.v[i]);
	for (size_t i = 0; i < c.rel_calls.n; i++)
		do_release(&c, c.rel_calls.v[i], c.rel_fns.v[i]);
	for (size_t i = 0; i < fr->rels.n; i++) {
		struct release *r = &fr->rels.v[i];

		r->completion = is_completion_name(r->func);
		for (size_t k = 0; k < fr->callbacks.n && !r->completion; k++)
			if (!strcmp(fr->callbacks.v[k], r->func))
				r->completion = true;
	}
	free(c.macros.v);
	free(c.pins.v);
	free(c.pin_fns.v);
	free(c.rel_calls.v);
	free(c.rel_fns.v);
	ts_tree_delete(tree);
	return 0;
}
