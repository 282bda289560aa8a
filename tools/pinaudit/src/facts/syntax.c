// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: syntax tree helpers for the per-file analysis: node text,
 * walks, call arguments, declarators, and where a node sits (error path,
 * conditional, enclosing statement).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax.h"


bool is_type(TSNode n, const char *t)
{
	return !ts_node_is_null(n) && !strcmp(ts_node_type(n), t);
}

const char *ntext(struct ctx *c, TSNode n, size_t *len)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

	if (e > c->len)
		e = (uint32_t)c->len;
	if (s > e)
		s = e;
	*len = e - s;
	return c->buf + s;
}

bool text_eq(struct ctx *c, TSNode n, const char *s)
{
	size_t len;
	const char *t = ntext(c, n, &len);

	return strlen(s) == len && !memcmp(t, s, len);
}

/* node text with whitespace runs folded to one space, capped */
const char *folded(struct ctx *c, TSNode n, size_t cap)
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


/* iterative pre-order walk; visit returns false to skip the children */
void walk(TSNode root, visit_fn visit, void *arg)
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
int call_args(TSNode call, TSNode *out, int max)
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
TSNode declarator_ident(TSNode d)
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

const char *function_name(struct ctx *c, TSNode fn)
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
TSNode strip_expr(TSNode n)
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

TSNode null_node(void)
{
	TSNode z;

	memset(&z, 0, sizeof(z));
	return z;
}

bool node_eq(TSNode a, TSNode b)
{
	return ts_node_eq(a, b);
}

bool compound_has_jump(TSNode comp)
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
bool error_only(TSNode n, TSNode fn)
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

bool in_conditional(TSNode n, TSNode fn)
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
TSNode enclosing_statement(TSNode n)
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

/* a set of field names (the per-file analysis, the flag resolution) */
static uint32_t fhash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

bool fset_has(const struct fset *f, const char *s, size_t n)
{
	if (!f->cap)
		return false;
	for (size_t k = fhash(s, n) & (f->cap - 1); f->t[k].s; k = (k + 1) & (f->cap - 1))
		if (f->t[k].n == n && !memcmp(f->t[k].s, s, n))
			return true;
	return false;
}

void fset_add(struct fset *f, const char *s, size_t n)
{
	if (fset_has(f, s, n))
		return;
	if ((f->n + 1) * 2 > f->cap) {
		struct fset g = { calloc(f->cap ? f->cap * 2 : 64, sizeof(*g.t)),
				  f->cap ? f->cap * 2 : 64, 0 };

		if (!g.t) {
			fputs("pinaudit: out of memory\n", stderr);
			exit(3);
		}
		for (size_t k = 0; k < f->cap; k++)
			if (f->t[k].s)
				fset_add(&g, f->t[k].s, f->t[k].n);
		free(f->t);
		*f = g;
	}
	size_t k = fhash(s, n) & (f->cap - 1);

	while (f->t[k].s)
		k = (k + 1) & (f->cap - 1);
	f->t[k].s = s;
	f->t[k].n = n;
	f->n++;
}
