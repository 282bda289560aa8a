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

#include "syntax.h"

const TSLanguage *tree_sitter_c(void);

#define MAX_FILE_SIZE	(64u << 20)

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
bool found(const char *buf, size_t a, size_t z, size_t *cs, size_t *ce)
{
	if (!lifetime_words(buf + a, z - a))
		return false;
	*cs = a;
	*ce = z;
	return true;
}

/* a lifetime comment directly above off (or trailing its line): [*cs,*ce) */
bool comment_above(const char *buf, size_t len, size_t off, size_t *cs,
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
	TSNode call;		/* the pin: a store in another arm of an if
				   than the pin's stores another page */
	/* same-function release search */
	const char *sname;
	bool sfield;
	bool released;
	struct sbuf callees;
	bool declared_local, returned;
};

static bool within(TSNode in, TSNode n)
{
	return !ts_node_is_null(in) && ts_node_start_byte(n) >= ts_node_start_byte(in) &&
	       ts_node_end_byte(n) <= ts_node_end_byte(in);
}

/* a and b sit in the two arms of one if statement */
static bool other_arm(TSNode a, TSNode b)
{
	if (ts_node_is_null(a) || ts_node_is_null(b))
		return false;
	for (TSNode p = ts_node_parent(a); !ts_node_is_null(p); p = ts_node_parent(p)) {
		if (strcmp(ts_node_type(p), "if_statement"))
			continue;
		TSNode y = ts_node_child_by_field_name(p, "consequence", 11);
		TSNode e = ts_node_child_by_field_name(p, "alternative", 11);

		if ((within(y, a) && within(e, b)) || (within(e, a) && within(y, b)))
			return true;
	}
	return false;
}

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
		    ts_node_is_null(fs->store_lhs) && !other_arm(n, fs->call) &&
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

struct ts_args {
	struct ctx *c;
	TSNode *args;
	int na;
};

static const char *ts_arg(void *ctx, int i, size_t *len)
{
	struct ts_args *t = ctx;

	*len = 0;
	if (i < 0 || i >= t->na)
		return "";
	return ntext(t->c, t->args[i], len);
}

/* "#if X", "#ifdef X", "#ifndef X": the directive that opens pp */
static void branch_opener(struct ctx *c, TSNode pp, struct sbuf *b)
{
	const char *t = ts_node_type(pp);
	TSNode cond = ts_node_child_by_field_name(pp, "condition", 9);

	if (ts_node_is_null(cond))
		cond = ts_node_child_by_field_name(pp, "name", 4);
	if (!strcmp(t, "preproc_ifdef") || !strcmp(t, "preproc_elifdef")) {
		size_t l;
		const char *d = ts_node_child_count(pp) ?
				ntext(c, ts_node_child(pp, 0), &l) : "#ifdef";

		if (!ts_node_child_count(pp))
			l = 6;
		sb_putn(b, d, l);
	} else {
		sb_puts(b, !strcmp(t, "preproc_elif") ? "#elif" : "#if");
	}
	if (!ts_node_is_null(cond)) {
		sb_putc(b, ' ');
		sb_puts(b, folded(c, cond, 100));
	}
}

/* the innermost preprocessor branch around n (see struct site) */
static const char *branch_of(struct ctx *c, TSNode n)
{
	struct sbuf b = { 0 };
	const char *r = NULL;

	for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); p = ts_node_parent(p)) {
		const char *t = ts_node_type(p);

		if (strncmp(t, "preproc_", 8))
			continue;
		if (!strcmp(t, "preproc_else")) {
			TSNode o = ts_node_parent(p);

			sb_puts(&b, "#else");
			while (!ts_node_is_null(o) && !strcmp(ts_node_type(o), "preproc_elif"))
				o = ts_node_parent(o);
			if (!ts_node_is_null(o) && !strncmp(ts_node_type(o), "preproc_if", 10)) {
				sb_puts(&b, " of ");
				branch_opener(c, o, &b);
			}
		} else if (!strcmp(t, "preproc_if") || !strcmp(t, "preproc_ifdef") ||
			   !strcmp(t, "preproc_elif") || !strcmp(t, "preproc_elifdef")) {
			branch_opener(c, p, &b);
		} else {
			continue;
		}
		break;
	}
	if (b.len)
		r = arena_strdup(c->A, b.s);
	sb_free(&b);
	return r;
}

/* cond tests id against NULL: 1 when id is NULL if cond holds ("!id",
 * "id == NULL"), -1 when it is not NULL ("id", "id != NULL"), 0 else */
static int null_test(struct ctx *c, TSNode cond, const char *id)
{
	TSNode e = strip_expr(cond);
	const char *t = ts_node_type(e);

	if (!strcmp(t, "identifier"))
		return text_eq(c, e, id) ? -1 : 0;
	if (!strcmp(t, "unary_expression") && ts_node_named_child_count(e) == 1) {
		TSNode op = ts_node_child_by_field_name(e, "operator", 8);
		TSNode a = strip_expr(ts_node_named_child(e, 0));

		if (!ts_node_is_null(op) && text_eq(c, op, "!") && is_type(a, "identifier") &&
		    text_eq(c, a, id))
			return 1;
		return 0;
	}
	if (!strcmp(t, "binary_expression")) {
		TSNode l = strip_expr(ts_node_child_by_field_name(e, "left", 4));
		TSNode r = strip_expr(ts_node_child_by_field_name(e, "right", 5));
		TSNode op = ts_node_child_by_field_name(e, "operator", 8);
		bool eq, ne;

		if (ts_node_is_null(op) || ts_node_is_null(l) || ts_node_is_null(r))
			return 0;
		eq = text_eq(c, op, "==");
		ne = text_eq(c, op, "!=");
		if ((!eq && !ne) ||
		    !((is_type(l, "identifier") && text_eq(c, l, id) &&
		       (text_eq(c, r, "NULL") || text_eq(c, r, "0"))) ||
		      (is_type(r, "identifier") && text_eq(c, r, id) &&
		       (text_eq(c, l, "NULL") || text_eq(c, l, "0")))))
			return 0;
		return eq ? 1 : -1;
	}
	return 0;
}

/* the call sits where the identifier id is NULL: in the arm of an if
 * whose condition says so ("if (!pages) gup(..., pages)", the else of
 * "if (pages != NULL)") */
static bool null_on_path(struct ctx *c, TSNode call, TSNode fn, const char *id)
{
	uint32_t at = ts_node_start_byte(call);
	TSNode cur = ts_node_parent(call);

	for (int g = 0; g < 256 && !ts_node_is_null(cur) && !node_eq(cur, fn); g++) {
		if (is_type(cur, "if_statement")) {
			TSNode cons = ts_node_child_by_field_name(cur, "consequence", 11);
			TSNode alt = ts_node_child_by_field_name(cur, "alternative", 11);
			int nt = null_test(c, ts_node_child_by_field_name(cur, "condition", 9), id);
			bool in_cons = !ts_node_is_null(cons) && at >= ts_node_start_byte(cons) &&
				       at < ts_node_end_byte(cons);
			bool in_alt = !ts_node_is_null(alt) && at >= ts_node_start_byte(alt) &&
				      at < ts_node_end_byte(alt);

			if ((nt > 0 && in_cons) || (nt < 0 && in_alt))
				return true;
		}
		cur = ts_node_parent(cur);
	}
	return false;
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
	s.branch = branch_of(c, call);
	struct ts_args ta = { c, args, na };
	int pidx, fidx;

	api_args(api, na, ts_arg, &ta, &pidx, &fidx);
	s.pages_arg = pidx;
	s.flags_arg = fidx;
	if (fidx >= 0 && na > fidx) {
		TSNode fa = args[fidx];

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
		s.flags_expr = fidx >= 0 ? "?" : "";
		if (fidx >= 0)
			list_add(&r.unres, "?", 1);
	}
	s.flags = r.flags;
	s.must = r.must;
	s.flags_extra = r.extra.len ? arena_strdup(c->A, r.extra.s) : "";
	s.unresolved = r.unres.len ? arena_strdup(c->A, r.unres.s) : "";
	s.cond = r.cond || r.flags != r.must;
	s.ephemeral = r.eph;
	s.user_served = r.served || (r.flags & SERVED_BITS);
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
	if (pidx >= 0 && na > pidx && !ts_node_is_null(fn)) {
		TSNode pa = strip_expr(args[pidx]);
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

			if (null_on_path(c, call, fn, id)) {
				s.null_pages = true;
			} else if (!is_param(c, fn, it, il)) {
				fs.local = id;
				fs.call = call;
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

/* ------------------------------------------------------------------ */
/* the text the parser needs                                           */

/*
 * Most of a file that calls the family is functions that cannot matter
 * to its sites, and tree-sitter's parse is the largest cost of a scan.
 * Those functions (name, parameters and body), the file-scope
 * declarations (prototypes, DEFINE_MUTEX(), EXPORT_SYMBOL()) and the
 * insides of the file-scope initializers and struct, union and enum
 * bodies that name no flag and nothing of the family, are left out of
 * the parse: tree-sitter's included ranges skip them without lexing a
 * byte, and offsets, lines and columns stay those of the file.
 * Preprocessor lines and comments in them are still parsed (a #define in
 * a body, a lifetime comment above a #define).  A function body is kept when it names the family or a
 * flag (FOLL_, ITER_, *_EPHEMERAL, *_USER_SERVED), or names a kept
 * function (a caller: the flags may be its argument); until nothing
 * changes.  The fields the skipped bodies assign are remembered: a flag
 * resolution that needs one (flags kept in a field) has the file parsed
 * again, whole.  Braces are counted as the preprocessor's first branch
 * sees them; a file whose braces do not pair is parsed whole.
 */
struct body {
	size_t decl;			/* where its declaration starts */
	size_t open, close;		/* the braces */
	const char *name;		/* the function's name, in buf */
	size_t nlen;
	bool fn;			/* a function body (else an initializer,
					   a struct, union or enum) */
	bool keep;
};

static bool word_at(const char *b, size_t n, size_t at, size_t l)
{
	return (at == 0 || !is_ident((unsigned char)b[at - 1])) &&
	       (at + l >= n || !is_ident((unsigned char)b[at + l]));
}

/* does [a, z) of b name w as a whole word? */
static bool names_word(const char *b, size_t a, size_t z, const char *w, size_t l)
{
	for (const char *p = b + a; l && p + l <= b + z;) {
		p = memmem(p, (size_t)(b + z - p), w, l);
		if (!p)
			return false;
		if (word_at(b, z, (size_t)(p - b), l))
			return true;
		p += l;
	}
	return false;
}

static bool relevant(const char *b, size_t a, size_t z)
{
	static const char *const pat[] = {
		"FOLL_", "ITER_", "_EPHEMERAL", "_USER_SERVED", "user_page",
		"iov_iter_extract_pages", "iov_iter_get_pages", "get_dump_page",
	};

	for (size_t i = 0; i < sizeof(pat) / sizeof(*pat); i++)
		if (memmem(b + a, z - a, pat[i], strlen(pat[i])))
			return true;
	return false;
}

/* the fields [a, z) assigns: "->f =", ".f |=", "->f++" */
static void assigned_fields(const char *b, size_t a, size_t z, struct fset *out)
{
	for (size_t i = a; i + 1 < z; i++) {
		size_t k;

		if (b[i] == '-' && b[i + 1] == '>')
			k = i + 2;
		else if (b[i] == '.' && i > a && is_ident((unsigned char)b[i - 1]))
			k = i + 1;
		else
			continue;
		size_t e = k, q;

		while (e < z && is_ident((unsigned char)b[e]))
			e++;
		for (q = e; q < z && (b[q] == ' ' || b[q] == '\t'); q++)
			;
		if (e > k && q + 1 < z &&
		    ((b[q] == '=' && b[q + 1] != '=') || (b[q] != '=' && b[q + 1] == '=' &&
		      strchr("|&+-^*/%", b[q])) || (b[q] == '<' && b[q + 1] == '<') ||
		     (b[q] == '>' && b[q + 1] == '>') || (b[q] == '+' && b[q + 1] == '+') ||
		     (b[q] == '-' && b[q + 1] == '-')))
			fset_add(out, b + k, e - k);
		i = e > k ? e - 1 : i;
	}
}

/* the name before the first '(' of the declaration [a, open) */
static void body_name(const char *b, size_t a, size_t open, struct body *bd)
{
	for (size_t i = a; i < open; i++) {
		if (b[i] != '(')
			continue;
		size_t e = i;

		while (e > a && (b[e - 1] == ' ' || b[e - 1] == '\t' || b[e - 1] == '\n'))
			e--;
		size_t s = e;

		while (s > a && is_ident((unsigned char)b[s - 1]))
			s--;
		if (e - s == 13 && !memcmp(b + s, "__attribute__", 13))
			continue;
		bd->name = b + s;
		bd->nlen = e - s;
		return;
	}
}

struct skip {
	size_t a, z;		/* [a, z) is not parsed */
};
typedef VEC(struct skip) skips_t;

/*
 * Skip [a, z) of b, but for its preprocessor lines (a #define, an #if)
 * and its comments (a lifetime comment above a #define), each with the
 * newline that ends it: a directive needs its newline.  A string or
 * character literal is crossed whole.
 */
static void skip_text(const char *b, size_t a, size_t z, skips_t *skips)
{
	size_t from = a;
	bool line0 = a == 0 || b[a - 1] == '\n';

	for (size_t i = a; i < z; i++) {
		char c = b[i];
		size_t keep_to = 0;

		if (c == '\n') {
			line0 = true;
			continue;
		}
		if (c == ' ' || c == '\t')
			continue;
		if (line0 && c == '#') {
			keep_to = i;
			while (keep_to < z && b[keep_to] != '\n') {
				if (b[keep_to] == '\\' && keep_to + 1 < z && b[keep_to + 1] == '\n')
					keep_to++;
				keep_to++;
			}
			if (keep_to < z)
				keep_to++;
		} else if (c == '/' && i + 1 < z && b[i + 1] == '*') {
			const char *e = memmem(b + i + 2, z - i - 2, "*/", 2);

			keep_to = e ? (size_t)(e - b) + 2 : z;
		} else if (c == '/' && i + 1 < z && b[i + 1] == '/') {
			const char *e = memchr(b + i, '\n', z - i);

			keep_to = e ? (size_t)(e - b) + 1 : z;
		} else if (c == '"' || c == '\'') {
			size_t k = i + 1;

			while (k < z && b[k] != c && b[k] != '\n') {
				if (b[k] == '\\')
					k++;
				k++;
			}
			i = k < z ? k : z - 1;
			line0 = false;
			continue;
		}
		line0 = false;
		if (!keep_to)
			continue;
		struct skip sk = { from, i };

		if (sk.z > sk.a)
			VEC_PUSH(*skips, sk);
		from = keep_to;
		i = keep_to - 1;
		line0 = b[keep_to - 1] == '\n';
	}
	struct skip sk = { from, z };

	if (sk.z > sk.a)
		VEC_PUSH(*skips, sk);
}

/* what the parser may skip (see above), less preprocessor lines and
 * comments; *fields: what the functions left out assign */
static void reduce(const char *b, size_t n, struct fset *fields, skips_t *skips)
{
	VEC(struct body) bodies = { 0 };
	skips_t decls = { 0 };		/* declarations that name nothing of ours */
	int depth = 0, ncond = 0, in_else = 0;	/* #if nesting, of it in #else */
	bool bol = true, bad = false, cand = false;
	/* the range since the last body or declaration holds an #else or
	 * #elif branch: whole functions may be defined in it (compat code
	 * defines one per kernel range), and the brace count does not see
	 * them, so the range is never left out */
	bool crossed = false;
	char last = ';';
	size_t decl = 0, open = 0;

	for (size_t i = 0; i < n && !bad; i++) {
		char c = b[i];

		if (c == '\n') {
			bol = true;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
			continue;
		if (c == '/' && i + 1 < n && b[i + 1] == '*') {
			const char *e = memmem(b + i + 2, n - i - 2, "*/", 2);

			if (!e)
				bad = true;
			else
				i = (size_t)(e - b) + 1;
			continue;
		}
		if (c == '/' && i + 1 < n && b[i + 1] == '/') {
			while (i + 1 < n && b[i + 1] != '\n')
				i++;
			continue;
		}
		if (bol && c == '#') {
			size_t k = i + 1;

			while (k < n && (b[k] == ' ' || b[k] == '\t'))
				k++;
			/* braces as the first branch of each #if has them */
			if (k + 2 < n && b[k] == 'i' && b[k + 1] == 'f') {
				ncond++;
			} else if (k + 3 < n && b[k] == 'e' && b[k + 1] == 'l' && ncond) {
				if (in_else < ncond)	/* #else, #elif */
					in_else = ncond;
				if (depth == 0)
					crossed = true;
			} else if (k + 4 < n && !memcmp(b + k, "endif", 5) && ncond) {
				if (in_else == ncond)
					in_else = 0;
				ncond--;
			}
			while (i < n && b[i] != '\n') {
				if (b[i] == '\\' && i + 1 < n && b[i + 1] == '\n')
					i++;
				i++;
			}
			continue;
		}
		bol = false;
		if (c == '"' || c == '\'') {
			size_t k = i + 1;

			while (k < n && b[k] != c && b[k] != '\n') {
				if (b[k] == '\\')
					k++;
				k++;
			}
			i = k;
			last = c;
			continue;
		}
		if (in_else)
			continue;
		if (c == '{') {
			if (depth == 0) {
				open = i;
				cand = last == ')';
			}
			depth++;
		} else if (c == '}') {
			if (--depth < 0) {
				bad = true;
				break;
			}
			if (depth == 0) {
				struct body bd = { .decl = decl, .open = open, .close = i, .fn = cand };

				if (cand) {
					body_name(b, decl, open, &bd);
					bd.keep = !bd.name || relevant(b, open, i);
				} else {
					/* an ops table, a struct: nothing the
					 * analysis reads, unless it names a flag */
					bd.keep = relevant(b, open, i);
				}
				if (crossed)
					bd.keep = true;
				crossed = false;
				VEC_PUSH(bodies, bd);
				decl = i + 1;
			}
		} else if (c == ';' && depth == 0) {
			/* a declaration at file scope ("int f(void);",
			 * "static DEFINE_MUTEX(m);", "EXPORT_SYMBOL(f);") */
			struct skip d = { decl, i + 1 };

			if (!crossed && !relevant(b, decl, i + 1))
				VEC_PUSH(decls, d);
			crossed = false;
			decl = i + 1;
		}
		last = c;
	}
	if (bad || depth || !bodies.n)
		goto done;
	/* the callers of kept functions */
	bool grew = true, any = false;

	while (grew) {
		grew = false;
		for (size_t k = 0; k < bodies.n; k++) {
			struct body *bd = &bodies.v[k];

			for (size_t q = 0; q < bodies.n && !bd->keep && bd->fn; q++)
				if (bodies.v[q].keep && bodies.v[q].fn && bodies.v[q].nlen &&
				    names_word(b, bd->open, bd->close, bodies.v[q].name,
					       bodies.v[q].nlen))
					bd->keep = grew = true;
		}
	}
	for (size_t k = 0; k < bodies.n && !any; k++)
		any = !bodies.v[k].keep;
	if (!any && !decls.n)
		goto done;
	/*
	 * Left out, in file order: a declaration at file scope that names
	 * nothing of ours; a function that cannot matter, with its name and
	 * parameters; the inside of an initializer or of a struct body that
	 * names no flag.  Their preprocessor lines and comments stay.
	 */
	for (size_t k = 0, d = 0; k < bodies.n || d < decls.n;) {
		if (d < decls.n && (k == bodies.n || decls.v[d].a < bodies.v[k].decl)) {
			skip_text(b, decls.v[d].a, decls.v[d].z, skips);
			d++;
			continue;
		}
		const struct body *bd = &bodies.v[k++];

		if (bd->keep)
			continue;
		if (bd->fn) {
			assigned_fields(b, bd->open, bd->close, fields);
			skip_text(b, bd->decl, bd->close + 1, skips);
		} else {
			skip_text(b, bd->open + 1, bd->close, skips);
		}
	}
done:
	free(decls.v);
	free(bodies.v);
}

static int parse_file(struct analyzer *an, const char *buf, size_t len,
		      struct file_res *fr, bool reduced);

int analyze_parse(struct analyzer *an, const char *buf, size_t len,
		  struct file_res *fr)
{
	if (len > MAX_FILE_SIZE) {
		fr->skip_reason = "file larger than 64 MiB";
		return -1;
	}
	return parse_file(an, buf, len, fr, !getenv("PINAUDIT_NO_REDUCE"));
}

static int parse_file(struct analyzer *an, const char *buf, size_t len,
		      struct file_res *fr, bool reduced)
{
	struct fset blanked = { 0 };
	skips_t skips = { 0 };
	TSRange *ranges = NULL;
	uint32_t nr = 0;

	if (reduced)
		reduce(buf, len, &blanked, &skips);
	if (skips.n && (ranges = malloc((skips.n + 1) * sizeof(*ranges)))) {
		/* the included ranges: what the skips leave, with their points */
		size_t at = 0, row = 0, col0 = 0;	/* col0: start of row */

		for (size_t k = 0; k <= skips.n; k++) {
			size_t a = k < skips.n ? skips.v[k].a : len;
			size_t z = k < skips.n ? skips.v[k].z : len;
			TSRange *r = &ranges[nr];

			if (a > at) {
				r->start_byte = (uint32_t)at;
				r->start_point = (TSPoint){ (uint32_t)row, (uint32_t)(at - col0) };
			}
			for (const char *p = buf + at; (p = memchr(p, '\n', (size_t)(buf + a - p)));
			     p++) {
				row++;
				col0 = (size_t)(p - buf) + 1;
			}
			if (a > at) {
				r->end_byte = (uint32_t)a;
				r->end_point = (TSPoint){ (uint32_t)row, (uint32_t)(a - col0) };
				nr++;
			}
			for (const char *p = buf + a; (p = memchr(p, '\n', (size_t)(buf + z - p)));
			     p++) {
				row++;
				col0 = (size_t)(p - buf) + 1;
			}
			at = z;
		}
		if (!ts_parser_set_included_ranges(an->parser, ranges, nr))
			nr = 0;
	}
	free(skips.v);
	TSTree *tree = ts_parser_parse_string(an->parser, NULL, buf, (uint32_t)len);

	if (nr)
		ts_parser_set_included_ranges(an->parser, NULL, 0);
	free(ranges);

	if (!tree) {
		free(blanked.t);
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
	c.blanked_fields = blanked.n ? &blanked : NULL;
	/* what this parse adds to fr, undone if the whole file is needed */
	size_t nsites = fr->sites.n, nrels = fr->rels.n, ncb = fr->callbacks.n;
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
	/* a macro around the family (a compat header of #defines alone):
	 * the module model learns it as a wrapper, so the file is wanted */
	for (size_t i = 0; i < c.macros.n && !fr->names_family; i++) {
		TSNode v = ts_node_child_by_field_name(c.macros.v[i], "value", 5);
		size_t vl;
		const char *vt = ts_node_is_null(v) ? NULL : ntext(&c, v, &vl);

		for (size_t k = 0; vt && k < vl && !fr->names_family; k++) {
			size_t e = k;

			if (!is_ident((unsigned char)vt[k]) ||
			    (k && is_ident((unsigned char)vt[k - 1])))
				continue;
			while (e < vl && is_ident((unsigned char)vt[e]))
				e++;
			fr->names_family = api_lookup(vt + k, e - k) != NULL;
			k = e;
		}
	}
	free(c.macros.v);
	free(c.pins.v);
	free(c.pin_fns.v);
	free(c.rel_calls.v);
	free(c.rel_fns.v);
	ts_tree_delete(tree);
	free(blanked.t);
	if (c.need_full) {
		fr->sites.n = nsites;
		fr->rels.n = nrels;
		fr->callbacks.n = ncb;
		return parse_file(an, buf, len, fr, false);
	}
	return 0;
}
