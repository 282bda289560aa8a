/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinaudit: what the per-file syntax-tree analysis shares between its
 * files: the context of one parse, the tree helpers (syntax.c), the flag
 * resolution (flags.c) and the lifetime-comment search (analyze.c).
 */
#ifndef PINAUDIT_SYNTAX_H
#define PINAUDIT_SYNTAX_H

#include <tree_sitter/api.h>

#include "pinaudit.h"

#define MAX_DEPTH	8

/* whole-file walks per file for field/caller resolution: keeps hostile
 * or generated files (thousands of sites) linear */
#define MAX_ROOT_WALKS 64

/* a set of names, pointers into a buffer (analyze.c) */
struct fset {
	struct fset_ent { const char *s; size_t n; } *t;
	size_t cap, n;
};
bool fset_has(const struct fset *f, const char *s, size_t n);
void fset_add(struct fset *f, const char *s, size_t n);

struct ctx {
	/* fields assigned in the function bodies blanked before the parse:
	 * a flag resolution that needs one asks for the whole file */
	const struct fset *blanked_fields;
	bool need_full;
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

typedef bool (*visit_fn)(TSNode n, void *arg);

/* the flags an expression resolves to (flags.c) */
struct fres {
	uint32_t flags, must;
	struct sbuf extra, unres;
	bool cond, eph, served;
	size_t anchors[16];
	int nanchors;
};

static inline bool is_ident_start(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_ident(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* syntax.c */
bool is_type(TSNode n, const char *t);
const char *ntext(struct ctx *c, TSNode n, size_t *len);
bool text_eq(struct ctx *c, TSNode n, const char *s);
const char *folded(struct ctx *c, TSNode n, size_t cap);
void walk(TSNode root, visit_fn visit, void *arg);
int call_args(TSNode call, TSNode *out, int max);
TSNode declarator_ident(TSNode d);
const char *function_name(struct ctx *c, TSNode fn);
TSNode strip_expr(TSNode n);
TSNode null_node(void);
bool node_eq(TSNode a, TSNode b);
bool compound_has_jump(TSNode comp);
bool error_only(TSNode n, TSNode fn);
bool in_conditional(TSNode n, TSNode fn);
TSNode enclosing_statement(TSNode n);

/* flags.c */
void resolve_expr(struct ctx *c, TSNode fn, TSNode e, struct fres *r,
			 int depth);
bool decl_declares(struct ctx *c, TSNode decl, const char *name, size_t n);
bool is_param(struct ctx *c, TSNode fn, const char *name, size_t n);
void add_anchor(struct fres *r, size_t off);
void list_add(struct sbuf *b, const char *s, size_t n);

/* analyze.c: lifetime comments */
bool found(const char *buf, size_t a, size_t z, size_t *cs, size_t *ce);
bool comment_above(const char *buf, size_t len, size_t off, size_t *cs,
			  size_t *ce);

#endif
