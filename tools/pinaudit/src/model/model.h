/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinaudit: the module model.  Separate from the per-file syntax-tree
 * analysis (analyze.c): every file of a module is read by a light lexer
 * (facts.c) into facts, and the facts of all files are joined into one
 * model (model.c):
 *
 *   module -> functions -> calls (the call graph, callbacks included)
 *                       -> page holders (stores into fields, sg tables)
 *                       -> releases (unpin/put, sg walks, release helpers)
 *          -> wrappers (macros and functions around the GUP family)
 *          -> entry points (file operations, ioctls, work, completions)
 *
 * The lifetime rules (lifetime.c) are questions asked of this model.
 */
#ifndef PINAUDIT_MODEL_H
#define PINAUDIT_MODEL_H

#include "pinaudit.h"

/* one call inside a function body */
struct fx_call {
	const char *callee;
	uint32_t chash;		/* name_hash() of the callee              */
	unsigned clen;		/* its length                             */
	const char *args;	/* per argument '\x1f'-separated: "->f" field,
				   "id" identifier, "f()" call, "" other  */
	const char *argtext;	/* the arguments as written, folded      */
	const char *assigned;	/* "->f" or "id" when "x = callee(...)"   */
	unsigned line, col;
	unsigned func;		/* index into facts.funcs                 */
	bool err;		/* on an error path                       */
	bool assigned_deref;	/* "*x = callee(...)": assigned is x      */
	bool in_return;		/* inside "return ...;": nothing after it
				   runs on this path                      */
	bool jumped;		/* after a label that only jumps reach    */
	bool norel;		/* known to release no holder (lifetime.c's
				   call_releases(), filled as it asks)    */
	const char *arms;	/* "id:arm " for each enclosing if/else or
				   switch case; NULL at body level        */
	const char *conds;	/* " a < b " tokens of the conditions of the
				   enclosing if arms; NULL: none          */
};

struct fx_func {
	const char *name;
	uint32_t nhash;		/* name_hash() of the name                */
	unsigned nlen;
	const char *params;	/* " a b c " parameter names              */
	unsigned line;
	size_t call0, ncalls;	/* range in facts.calls                   */
	size_t asg0, nasg;	/* range in facts.assigns                 */
	bool is_static;
	bool exported;
	bool sg_release;	/* walks an sg list and unpins/puts pages */
	const char *sg_table;	/* the table of its first such walk: "->f[@T]"
				   (a field), or a variable; NULL: unknown */
	bool relp_done;		/* relp computed (lifetime.c, lazily)     */
	uint32_t relp;		/* parameters whose pages it releases     */
	const char *role;	/* entry role: "release", "unlocked_ioctl"... */
	const char *objs;	/* " a b " struct objects declared in the body
				   ("struct x_cb cb;", not pointers): they
				   live for one call; NULL: none           */
};

struct fx_store {		/* "obj->field = ident" in a function     */
	unsigned func, line;
	const char *field, *from;
	bool alias;		/* the other way: "ident = obj->field"   */
	const char *arms;	/* as for calls (stores, not aliases)     */
};

struct fx_ret {			/* a return statement                     */
	unsigned func, line;
	const char *arms;	/* as for calls                           */
	const char *ids;	/* " a b " identifiers of the value (no
				   callees, no fields); NULL: none         */
	const char *calls;	/* " f g " functions called in it         */
	bool ok;		/* returns success: "return 0;", "return
				   page_addr;" (not -E..., NULL, ret, err,
				   ERR_PTR(), an upper-case constant)     */
};

/* an assignment "lhs = rhs;" (or "op="), for values derived from a
 * page: "page = pages[0]", "*pfn = page_to_pfn(page)", "map->pfn = pfn" */
struct fx_assign {
	unsigned func, line;
	const char *lhs;	/* "x", "*x" (through a pointer), "->f[@T]" */
	const char *base;	/* "obj" of "obj->f = ...", or NULL       */
	const char *ids;	/* " a b " identifiers of rhs             */
	const char *calls;	/* " f g " functions rhs calls, or NULL   */
	const char *arms;	/* as for calls                           */
	bool err;
};

struct fx_role {		/* ".field = fn" or "x->field = fn"       */
	const char *field, *fn;
};

#define MACRO_ARGS 12
struct fx_macro {		/* #define NAME[(...)] body calling target */
	const char *name, *target;
	unsigned nlen, tlen;	/* their lengths and name_hash()es        */
	uint32_t nhash, thash;
	unsigned line;
	bool fnlike;
	bool mapped;		/* argmap filled (function-like, a call)  */
	signed char argmap[MACRO_ARGS];	/* target's argument k is the
				   macro's parameter argmap[k], or -1     */
	signed char nargs;	/* the body call's arguments (mapped)     */
	const char *argtext;	/* ... as written, ", "-separated         */
};

struct facts {
	const char *path, *rel;
	const char *module;	/* module key (module.c)                  */
	bool header;
	bool ok;		/* read and lexed                         */
	struct arena arena;
	VEC(struct fx_func) funcs;
	VEC(struct fx_call) calls;
	VEC(struct fx_store) stores;
	VEC(struct fx_ret) rets;
	VEC(struct fx_assign) assigns;
	VEC(struct fx_role) roles;
	VEC(struct fx_macro) macros;
	VEC(const char *) exports;
};

/* facts.c */
void facts_extract(const char *buf, size_t len, struct facts *fx);
void facts_free(struct facts *fx);
const char *fx_arg(const struct fx_call *c, int idx, struct arena *A);
int fx_nargs(const struct fx_call *c);
const char *fx_argtext(const struct fx_call *c, int idx, struct arena *A);
const char *fx_argspan(const struct fx_call *c, int idx, size_t *len);
bool fx_has_param(const struct fx_func *f, const char *name);
/* a and b sit in different arms of one if/else chain or switch */
bool fx_exclusive(const struct fx_call *a, const struct fx_call *b);
/* the same for two arm paths (fx_call.arms, fx_store.arms...) */
bool arms_exclusive(const char *a_arms, const char *b_arms);
int fx_param_index(const struct fx_func *f, const char *name);
/* a function that turns a page into another handle on it, or back */
bool derive_call(const char *fn, size_t n);
/* one holder: "pages" and "pages@vx_buf" (the struct, when known) */
bool field_eq(const char *a, const char *b);

/* module.c: the Kbuild module a file belongs to ("dir/foo.ko", or the
 * file's directory when no Makefile names it) */
struct modmap;
struct modmap *modmap_new(const char *tree_root);
const char *modmap_module(struct modmap *mm, const char *rel, struct arena *A);
void modmap_free(struct modmap *mm);

/* model.c */
struct fref {
	struct facts *fx;
	unsigned fn;
};
struct model;
struct model *model_new(void);
void model_add(struct model *m, struct facts *fx);
void model_index(struct model *m);
void model_free(struct model *m);
size_t model_nfacts(const struct model *m);
struct facts *model_facts(const struct model *m, size_t i);
struct facts *model_find_file(const struct model *m, const char *path);
/* the function called name, as seen from module mod (NULL: none) */
bool model_lookup(const struct model *m, const char *name, const char *mod,
		  struct fref *out);
/* callers of a function: fills out[] with call references */
struct cref {
	struct facts *fx;
	size_t call;		/* index into fx->calls */
};
size_t model_callers(const struct model *m, const char *name, const char *mod,
		     struct cref *out, size_t max);
const struct fx_macro *model_macro(const struct model *m, const char *name);
/* the rules' memo of answers that depend on the model alone (lifetime.c),
 * freed with the model */
struct rule_memo;
struct rule_memo **model_rule_memo(const struct model *m,
				   void (*memo_free)(struct rule_memo *));
/* the same, the name's name_hash() known (a call's chash) */
bool model_lookup_h(const struct model *m, const char *name, uint32_t h, const char *mod,
		    struct fref *out);
const struct fx_macro *model_macro_h(const struct model *m, const char *name, uint32_t h);
const char *model_role(const struct model *m, const char *fn, const char *mod);
/* the audited code is part of a kernel tree: a function the model finds
 * no caller of may be called from the rest of the kernel (not read) */
void model_set_open_world(struct model *m, bool open);
bool model_open_world(const struct model *m);

static inline const struct fx_func *fref_func(struct fref r)
{
	return &r.fx->funcs.v[r.fn];
}

/* lifetime.c: the rules, as questions asked of the model */
enum verdict { V_NONE, V_BOUNDED, V_USER };
extern const char *const verdict_names[];
struct step {			/* one step of a finding's reasoning      */
	const char *path, *rel;
	unsigned line;
	const char *msg;
};
#define MAX_STEPS 12
struct lifetime {
	enum verdict v;
	const char *holder;	/* where the pages are kept               */
	const char *release;	/* the releasing function                 */
	const char *trigger;	/* how userspace triggers the release     */
	const char *why;	/* one line                               */
	const char *bounded_by;	/* a caller that holds the object for one
				   call (lifetime.c, per_call_object())   */
	struct step steps[MAX_STEPS];
	int nsteps;
};
void lifetime_decide(const struct model *m, struct site *s, struct lifetime *out,
		     struct arena *A);
/* needless-longterm: the callers (or the pinning function) that drop a
 * long-term pin before returning; fills s->needless */
void needless_decide(const struct model *m, struct site *s, struct arena *A);
/* wrappers: calls through macros and functions around the GUP family,
 * added as sites of the files that hold them */
void wrappers_find(struct model *m, struct file_res **files, char **paths,
		   size_t n);

#endif
