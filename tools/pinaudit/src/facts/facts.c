// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: facts of one file for the module model.  A light C lexer (no
 * syntax tree, no preprocessor: both branches of every #if are read) finds
 * the function definitions, the calls in their bodies with a summary of
 * each argument, stores of page arrays into struct fields, ".field = fn"
 * entry points, #define wrappers and EXPORT_SYMBOLs.  It is cheap enough
 * to run over every file of every module that holds a GUP call site.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

enum tk { T_ID, T_NUM, T_STR, T_P };

struct tok {
	const char *s;
	unsigned len, line, col;
	unsigned char t;	/* enum tk                                 */
	char p;			/* a one-character punctuator, else 0      */
	bool kw;		/* a name that is no call to follow        */
	unsigned char word;	/* enum word (word_class())                */
};

/* a variable of the current function declared "struct TAG *name" */
struct var {
	const struct tok *name, *tag;
};

#define MAX_VARS 128

struct lex {
	const char *b;
	size_t n;
	VEC(struct tok) v;
	struct facts *fx;
	struct var vars[MAX_VARS];	/* parameters and locals of the function */
	int nvars;
};

/* identifier characters [0-9A-Za-z_], a table rather than isalnum() and
 * its locale lookup: the lexer reads every byte of every module file */
static const unsigned char idtab[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static inline bool idc(int c)
{
	return idtab[(unsigned char)c];
}

/* (always inlined: called with literals, whose strlen() folds) */
static inline __attribute__((always_inline)) bool tis(const struct tok *t, const char *s)
{
	/* the length first: it is in the token, the text is not */
	return strlen(s) == t->len && t->s[0] == s[0] && !memcmp(t->s, s, t->len);
}

static inline __attribute__((always_inline)) bool tp(const struct tok *t, char c)
{
	return t->p == c;
}

/* the token is the word w (enum word): "return", "if" ... */
#define tw(t, w) ((t)->word == (w))

/* is the identifier [s, s + n) a GUP family or a page release call? */
static bool gup_or_release(const char *s, size_t n)
{
	static const char *const rel[] = {
		"unpin_user_page", "unpin_user_pages", "unpin_user_pages_dirty_lock",
		"put_page", "release_pages",
	};

	if (api_lookup(s, n))
		return true;
	for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++)
		if (strlen(rel[i]) == n && !memcmp(rel[i], s, n))
			return true;
	return false;
}

/*
 * Which macro parameter each argument of the body's call is: "#define
 * VX_GUP(mm, pages, a, n) get_user_pages_remote(mm, a, n, 0, pages, NULL)"
 * gives 0 2 3 -1 1 -1.  p points after the call's '('.
 */
static void macro_argmap(struct arena *A, struct fx_macro *m, const char *params, size_t plen,
			 const char *p, const char *e)
{
	int k = 0, depth = 0;
	const char *a = p;
	struct sbuf at = { 0 };

	for (int i = 0; i < MACRO_ARGS; i++)
		m->argmap[i] = -1;
	for (; p <= e && k < MACRO_ARGS; p++) {
		if (p < e && (*p == '(' || *p == '[' || *p == '{')) {
			depth++;
			continue;
		}
		if (p < e && depth > 0 && (*p == ')' || *p == ']' || *p == '}')) {
			depth--;
			continue;
		}
		if (p < e && !(depth == 0 && (*p == ',' || *p == ')')))
			continue;
		/* the argument [a, p), trimmed: one identifier? */
		const char *as = a, *ae = p;

		while (as < ae && (*as == ' ' || *as == '\t' || *as == '\\' || *as == '\n' ||
				   *as == '('))
			as++;
		while (ae > as && (ae[-1] == ' ' || ae[-1] == '\t' || ae[-1] == '\\' ||
				   ae[-1] == '\n' || ae[-1] == ')'))
			ae--;
		if (k)
			sb_puts(&at, ", ");
		sb_putn(&at, as, (size_t)(ae - as));
		/* "put_page(pfn_to_page(_pfn))": the value is made from the
		 * parameter inside the call (derive_call()) */
		const char *ds = as;

		while (ds < ae && idc((unsigned char)*ds))
			ds++;
		if (ds > as && ds < ae && *ds == '(' && derive_call(as, (size_t)(ds - as)))
			for (as = ds + 1; as < ae && (*as == ' ' || *as == '('); as++)
				;
		int idx = 0;

		for (const char *q = params; q < params + plen;) {
			while (q < params + plen && !idc((unsigned char)*q))
				q++;
			const char *qs = q;

			while (q < params + plen && idc((unsigned char)*q))
				q++;
			if (q == qs)
				break;
			if ((size_t)(q - qs) == (size_t)(ae - as) && !memcmp(qs, as, (size_t)(ae - as))) {
				m->argmap[k] = (signed char)idx;
				break;
			}
			idx++;
		}
		k++;
		a = p + 1;
		if (p == e || *p == ')')
			break;
	}
	m->mapped = true;
	m->nargs = (signed char)k;
	m->argtext = arena_strndup(A, at.s ? at.s : "", at.len);
	sb_free(&at);
}

/* a #define: record it when its body calls (or names) a function; a call
 * of the GUP family or of a release anywhere in the body wins over the
 * first call ("({ mmap_read_lock(mm); r = get_user_pages_remote(...); })") */
static void define(struct lex *L, const char *s, const char *e, unsigned line)
{
	const char *p = s;
	struct fx_macro m = { .line = line };
	const char *params = NULL;
	size_t plen = 0;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	const char *ns = p;

	while (p < e && idc((unsigned char)*p))
		p++;
	if (p == ns)
		return;
	m.name = arena_strndup(&L->fx->arena, ns, (size_t)(p - ns));
	if (p < e && *p == '(') {
		m.fnlike = true;
		params = p + 1;
		while (p < e && *p != ')')
			p++;
		plen = (size_t)(p - params);
		if (p < e)
			p++;
	}
	/* the body: the first identifier followed by '(' (function-like use),
	 * or the only identifier (object-like alias) */
	const char *first = NULL, *fcall = NULL, *gup = NULL, *gcall = NULL;
	size_t flen = 0, glen = 0;
	int nid = 0;

	while (p < e) {
		if (*p == '"') {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
			continue;
		}
		if (idc((unsigned char)*p) && !isdigit((unsigned char)*p)) {
			const char *is = p;

			while (p < e && idc((unsigned char)*p))
				p++;
			const char *q = p;

			while (q < e && (*q == ' ' || *q == '\t' || *q == '\\' || *q == '\n'))
				q++;
			nid++;
			if (q < e && *q == '(' && !gup && gup_or_release(is, (size_t)(p - is))) {
				gup = is;
				glen = (size_t)(p - is);
				gcall = q + 1;
			}
			if (q < e && *q == '(' && !first) {
				first = is;
				flen = (size_t)(p - is);
				fcall = q + 1;
			} else if (nid == 1 && !first) {
				first = is;
				flen = (size_t)(p - is);
			}
			continue;
		}
		p++;
	}
	if (gup) {
		first = gup;
		flen = glen;
		fcall = gcall;
	}
	if (!first || (!m.fnlike && nid != 1))
		return;
	if (m.fnlike && fcall)
		macro_argmap(&L->fx->arena, &m, params, plen, fcall, e);
	m.target = arena_strndup(&L->fx->arena, first, flen);
	m.tlen = (unsigned)flen;
	m.thash = name_hash(first, flen);
	m.nlen = (unsigned)strlen(m.name);
	m.nhash = name_hash(m.name, m.nlen);
	VEC_PUSH(L->fx->macros, m);
}

/* the words the lexer asks about most, decided once per identifier */
enum word {
	W_NONE, W_IF, W_ELSE, W_SWITCH, W_CASE, W_DEFAULT, W_RETURN, W_GOTO,
	W_STRUCT, W_STATIC,
};

/*
 * An identifier's word (enum word) and whether it is followed by '(' but
 * is no call to follow (a keyword, a logging or locking macro ...): the
 * low bit.  By its first letter: tokenize() asks it of every identifier.
 */
static unsigned word_class(const char *s, unsigned len)
{
#define KW(w) (len == sizeof(w) - 1 && !memcmp(s, w, sizeof(w) - 1))
#define W(w, id, kw) if (KW(w)) return (unsigned)(id) << 1 | (kw)
	switch (s[0]) {
	case 'A':
		return KW("ARRAY_SIZE");
	case 'B':
		return KW("BUILD_BUG_ON");
	case 'E':
		return KW("ERR_PTR");
	case 'I':
		return KW("IS_ERR");
	case 'P':
		return KW("PTR_ERR");
	case 'R':
		return KW("READ_ONCE");
	case 'W':
		return KW("WARN_ON") || KW("WARN_ON_ONCE");
	case '_':
		return KW("__typeof__") || KW("__attribute__") || KW("_Static_assert") ||
		       KW("__builtin_expect");
	case 'c':
		W("case", W_CASE, 1);
		return KW("container_of");
	case 'd':
		W("default", W_DEFAULT, 0);
		return KW("do") || KW("defined") || KW("dev_dbg") || KW("dev_err") ||
		       KW("dev_info") || KW("dev_warn");
	case 'e':
		W("else", W_ELSE, 1);
		return 0;
	case 'f':
		return KW("for");
	case 'g':
		W("goto", W_GOTO, 1);
		return 0;
	case 'i':
		W("if", W_IF, 1);
		return 0;
	case 'k':
		return KW("kfree") || KW("kvfree");
	case 'l':
		return KW("likely");
	case 'm':
		return KW("max") || KW("min") || KW("max_t") || KW("min_t") ||
		       KW("mutex_lock") || KW("mutex_unlock");
	case 'o':
		return KW("offsetof");
	case 'p':
		return KW("pr_err") || KW("printk") || KW("pr_info") || KW("pr_warn") ||
		       KW("pr_debug");
	case 'r':
		W("return", W_RETURN, 1);
		return 0;
	case 's':
		W("switch", W_SWITCH, 1);
		W("struct", W_STRUCT, 0);
		W("static", W_STATIC, 0);
		return KW("sizeof") || KW("spin_lock") || KW("spin_unlock") ||
		       KW("static_assert") || KW("spin_lock_irqsave") ||
		       KW("spin_unlock_irqrestore");
	case 't':
		return KW("typeof");
	case 'u':
		return KW("unlikely");
	case 'w':
		return KW("while");
	default:
		return 0;
	}
#undef W
#undef KW
}

static void tokenize(struct lex *L)
{
	const char *b = L->b;
	size_t n = L->n, i = 0, ls = 0;
	unsigned line = 1;
	bool bol = true;

	/* about one token in six bytes of C: grown once or twice, not ~16 times */
	L->v.v = vec_grow(L->v.v, &L->v.cap, n / 6 + 64, sizeof(*L->v.v));
	while (i < n) {
		char c = b[i];

		/* most bytes start a name or are blanks: those first */
		if (idc((unsigned char)c))
			goto token;
		if (c == '\n') {
			line++;
			ls = ++i;
			bol = true;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (c == '\\' && i + 1 < n && b[i + 1] == '\n') {
			i += 2;
			line++;
			ls = i;
			continue;
		}
		if (c == '/' && i + 1 < n && b[i + 1] == '*') {
			const char *e = memmem(b + i + 2, n - i - 2, "*/", 2);
			size_t z = e ? (size_t)(e - b) + 2 : n;

			for (const char *p = b + i; (p = memchr(p, '\n', (size_t)(b + z - p))); p++) {
				line++;
				ls = (size_t)(p - b) + 1;
			}
			i = z;
			continue;
		}
		if (c == '/' && i + 1 < n && b[i + 1] == '/') {
			const char *e = memchr(b + i, '\n', n - i);

			i = e ? (size_t)(e - b) : n;
			continue;
		}
		if (bol && c == '#') {
			/* a preprocessor line, continuations included */
			size_t s = i + 1, e = i + 1;
			unsigned l0 = line;

			while (e < n && b[e] != '\n') {
				if (b[e] == '\\' && e + 1 < n && b[e + 1] == '\n') {
					line++;
					e++;
				} else if (b[e] == '/' && e + 1 < n && b[e + 1] == '*') {
					const char *ce = memmem(b + e, n - e, "*/", 2);
					size_t z = ce ? (size_t)(ce - b) + 1 : n - 1;

					for (size_t k = e; k < z; k++)
						if (b[k] == '\n')
							line++;
					e = z;
				}
				e++;
			}
			while (s < e && (b[s] == ' ' || b[s] == '\t'))
				s++;
			if (e - s > 6 && !memcmp(b + s, "define", 6) &&
			    (b[s + 6] == ' ' || b[s + 6] == '\t'))
				define(L, b + s + 7, b + e, l0);
			i = e;
			continue;
		}
token:
		bol = false;
		struct tok t = { .s = b + i, .line = line, .col = (unsigned)(i - ls + 1) };

		if (c == '"' || c == '\'') {
			size_t j = i + 1;

			while (j < n && b[j] != c && b[j] != '\n') {
				if (b[j] == '\\')
					j++;
				j++;
			}
			t.t = T_STR;
			i = j < n ? j + 1 : n;
		} else if (idc((unsigned char)c)) {
			size_t j = i;

			while (j < n && idc((unsigned char)b[j]))
				j++;
			t.t = (unsigned char)(c - '0') < 10 ? T_NUM : T_ID;
			if (t.t == T_ID) {
				unsigned wc = word_class(t.s, (unsigned)(j - i));

				t.kw = wc & 1;
				t.word = (unsigned char)(wc >> 1);
			}
			i = j;
		} else if ((c == '-' && i + 1 < n && b[i + 1] == '>') ||
			   ((c == '=' || c == '!' || c == '<' || c == '>' || c == '|' ||
			     c == '&' || c == '+' || c == '-' || c == '*' || c == '/') &&
			    i + 1 < n && b[i + 1] == '=')) {
			t.t = T_P;
			i += 2;
		} else {
			t.t = T_P;
			t.p = c;
			i++;
		}
		t.len = (unsigned)(t.s ? (size_t)((b + i) - t.s) : 0);
		VEC_PUSH(L->v, t);
	}
}

/* does "return <v[0..n)>;" return success?  Error returns: nothing (a
 * void guard), a negative value, NULL or false, ERR_PTR() & co, a
 * variable named like a status (ret, rc, err ...) or an upper-case
 * constant (H_PARAMETER) */
static bool success_value(const struct tok *v, size_t n)
{
	static const char *const errs[] = {
		"NULL", "false", "ERR_PTR", "ERR_CAST", "PTR_ERR", "dev_err_probe",
	};
	static const char *const status[] = {
		"err", "ret", "rc", "res", "status", "fail",
	};

	if (!n || tp(&v[0], '-'))
		return false;
	if (v[0].t != T_ID)
		return true;
	for (size_t i = 0; i < sizeof(errs) / sizeof(*errs); i++)
		if (tis(&v[0], errs[i]))
			return false;
	if (n > 1)
		return true;
	if (v[0].len == 1 && (v[0].s[0] == 'r' || v[0].s[0] == 'e'))
		return false;
	for (size_t i = 0; i < sizeof(status) / sizeof(*status); i++)
		if (memmem(v[0].s, v[0].len, status[i], strlen(status[i])))
			return false;
	bool upper = false;

	for (size_t i = 0; i < v[0].len; i++) {
		if (v[0].s[i] >= 'a' && v[0].s[i] <= 'z')
			return true;
		upper |= v[0].s[i] >= 'A' && v[0].s[i] <= 'Z';
	}
	return !upper;
}

/*
 * Struct-typed variables: "struct TAG *a, **b" and "struct TAG c" in a
 * parameter list or a body declaration.  A field then reads "field@TAG"
 * ("->pages@vx_buf"), so two structs of a module with a field of the same
 * name are two holders (field_eq()).  Only a field right after a typed
 * variable gets a tag: "ctx->buf->pages" has none.
 */
static const char *cat2(struct arena *A, const char *x, const char *y, size_t yl);

static void declare(struct lex *L, size_t i, size_t nt, struct fx_func *body)
{
	struct tok *v = L->v.v;
	const struct tok *tag;
	size_t k = i + 2;

	if (i + 2 >= nt || v[i + 1].t != T_ID)
		return;
	tag = &v[i + 1];
	for (;;) {
		size_t k0 = k;

		while (k < nt && tp(&v[k], '*'))
			k++;
		/* "struct x_cb cb;" in a body: an object on the stack */
		if (body && k == k0 && k + 1 < nt && v[k].t == T_ID && !v[k].kw &&
		    (tp(&v[k + 1], ';') || tp(&v[k + 1], ',') || tp(&v[k + 1], '=') ||
		     tp(&v[k + 1], '['))) {
			char w[128];
			int l = snprintf(w, sizeof(w), "%s%.*s ", body->objs ? "" : " ",
					 (int)(v[k].len > 100 ? 100 : v[k].len), v[k].s);

			body->objs = cat2(&L->fx->arena, body->objs, w, (size_t)l);
		}
		if (k + 1 >= nt || v[k].t != T_ID || v[k].kw)
			return;
		if (!tp(&v[k + 1], ',') && !tp(&v[k + 1], ';') && !tp(&v[k + 1], '=') &&
		    !tp(&v[k + 1], ')') && !tp(&v[k + 1], '['))
			return;
		if (L->nvars < MAX_VARS) {
			L->vars[L->nvars].name = &v[k];
			L->vars[L->nvars].tag = tag;
			L->nvars++;
		}
		if (!tp(&v[k + 1], ','))
			return;
		k += 2;
	}
}

static const struct tok *var_tag(const struct lex *L, const struct tok *name)
{
	for (int i = L->nvars - 1; i >= 0; i--)
		if (L->vars[i].name->len == name->len &&
		    !memcmp(L->vars[i].name->s, name->s, name->len))
			return L->vars[i].tag;
	return NULL;
}

/* "field" or "field@TAG" when base (the token before "->"/".") is typed */
static void put_field(struct lex *L, const struct tok *base, const struct tok *field,
		      struct sbuf *out)
{
	const struct tok *tag = base && base->t == T_ID ? var_tag(L, base) : NULL;
	const struct tok *v0 = L->v.v;

	sb_putn(out, field->s, field->len);
	if (tag) {
		sb_putc(out, '@');
		sb_putn(out, tag->s, tag->len);
	} else if (field >= v0 + 3 && field < v0 + L->v.n &&
		   (tis(field - 1, "->") || tp(field - 1, '.')) && field[-2].t == T_ID &&
		   (tis(field - 3, "->") || tp(field - 3, '.'))) {
		/* "ch->test.dead.page": a member of a member; the member it
		 * sits in tells two such holders apart ("page@.dead") */
		sb_puts(out, "@.");
		sb_putn(out, field[-2].s, field[-2].len);
	}
}

static const char *field_str(struct lex *L, const struct tok *base, const struct tok *field,
			     struct arena *A)
{
	struct sbuf b = { 0 };
	const char *r;

	put_field(L, base, field, &b);
	r = arena_strdup(A, b.s);
	sb_free(&b);
	return r;
}

/* a function that turns a page into another handle on it, or back */
bool derive_call(const char *fn, size_t n)
{
	static const char *const d[] = {
		"page_to_pfn", "page_address", "page_to_phys", "page_to_virt",
		"lowmem_page_address", "kmap", "kmap_local_page", "kmap_atomic",
		"folio_address", "page_folio", "__pa", "virt_to_phys", "__pfn_to_phys",
		"PFN_PHYS", "pfn_to_page", "virt_to_page", "phys_to_page", "pfn_to_hpa",
		"likely", "unlikely", "PAGE_ALIGN",
	};

	for (size_t i = 0; i < sizeof(d) / sizeof(*d); i++)
		if (strlen(d[i]) == n && !memcmp(d[i], fn, n))
			return true;
	return false;
}

/* the value of an assignment or return can carry a page: no call, or
 * only the calls of derive_call() (an assignment may have one other
 * call with few identifiers: "page = lookup(pfn)", for release helpers) */
static bool may_carry(const char *ids, const char *calls, bool one_call)
{
	int nid = 0, ncall = 0, other = 0;

	for (const char *p = ids; p && *p; p++)
		nid += p[0] != ' ' && (p[1] == ' ' || !p[1]);
	for (const char *p = calls; p && *p;) {
		while (*p == ' ')
			p++;
		const char *b = p;

		while (*p && *p != ' ')
			p++;
		if (p > b) {
			ncall++;
			other += !derive_call(b, (size_t)(p - b));
		}
	}
	if (!ids || nid > 8)
		return false;
	/* only constants ("ret = -EINVAL"): no page, unless flags */
	bool lower = false;

	for (const char *p = ids; *p && !lower; p++)
		lower = *p >= 'a' && *p <= 'z';
	if (!lower && !strstr(ids, "FOLL_"))
		return false;
	return !other || (one_call && ncall == 1 && nid <= 3);
}

/* the identifiers (" a b ") and callees (" f ") of the tokens [a, z);
 * field names after "->"/"." and keywords are left out */
static bool expr_ids(const struct tok *v, size_t a, size_t z, const char **ids,
		     const char **calls, bool one_call, struct arena *A)
{
	/* most values carry no page: decide on the tokens, before any copy */
	int nid = 0, ncall = 0, other = 0;
	bool lower = false, foll = false;

	for (size_t k = a; k < z; k++) {
		if (v[k].t != T_ID || v[k].kw ||
		    (k > a && (tis(&v[k - 1], "->") || tp(&v[k - 1], '.'))))
			continue;
		if (k + 1 < z && tp(&v[k + 1], '(')) {
			ncall++;
			other += !derive_call(v[k].s, v[k].len);
			continue;
		}
		nid++;
		for (unsigned c = 0; c < v[k].len && !lower; c++)
			lower = v[k].s[c] >= 'a' && v[k].s[c] <= 'z';
		foll |= v[k].len > 5 && !memcmp(v[k].s, "FOLL_", 5);
	}
	if (!nid || nid > 8 || (!lower && !foll) ||
	    (other && !(one_call && ncall == 1 && nid <= 3))) {
		*ids = *calls = NULL;
		return false;
	}

	struct sbuf i = { 0 }, c = { 0 };

	for (size_t k = a; k < z; k++) {
		if (v[k].t != T_ID || v[k].kw ||
		    (k > a && (tis(&v[k - 1], "->") || tp(&v[k - 1], '.'))))
			continue;
		struct sbuf *o = k + 1 < z && tp(&v[k + 1], '(') ? &c : &i;

		if (!o->len)
			sb_putc(o, ' ');
		sb_putn(o, v[k].s, v[k].len);
		sb_putc(o, ' ');
	}
	/* kept only when it may carry a page (may_carry()) */
	bool keep = may_carry(i.s, c.s, one_call);

	*ids = keep && i.s ? arena_strdup(A, i.s) : NULL;
	*calls = keep && c.s ? arena_strdup(A, c.s) : NULL;
	sb_free(&i);
	sb_free(&c);
	return keep;
}

/*
 * "ptes[i].page", "ents[k]->pfn": a field of an element of an array of
 * structs.  The array is the base: its type tags the field, so the
 * entries' field is a holder like "obj->page" (field_eq()).  v[f - 1] is
 * the "." or "->" before the field token f; returns the array's token, or
 * NULL when the field does not follow a subscript of a plain name.
 */
static const struct tok *subscript_base(const struct tok *v, size_t lo, size_t f)
{
	size_t k;
	int d = 0;

	if (f < lo + 3 || !tp(&v[f - 2], ']'))
		return NULL;
	for (k = f - 2; k > lo; k--) {
		if (tp(&v[k], ']'))
			d++;
		else if (tp(&v[k], '[') && --d == 0)
			break;
	}
	if (k <= lo || d || v[k - 1].t != T_ID || v[k - 1].kw)
		return NULL;
	if (k >= lo + 2 && (tis(&v[k - 2], "->") || tp(&v[k - 2], '.')))
		return NULL;	/* "obj->ents[i].page": not a plain name */
	return &v[k - 1];
}

/* summary of the argument tokens [a, z) */
static void arg_summary(struct lex *L, size_t a, size_t z, struct sbuf *out)
{
	struct tok *v = L->v.v;

	/* strip &, *, casts and parentheses at the front */
	while (a < z) {
		if (tp(&v[a], '&') || tp(&v[a], '*') || tp(&v[a], '!')) {
			a++;
		} else if (tp(&v[a], '(') && z - a > 2) {
			/* "(struct page **)x": skip a type cast */
			size_t k = a + 1;
			bool type = false;

			while (k < z && !tp(&v[k], ')')) {
				if (tw(&v[k], W_STRUCT) || tis(&v[k], "void") ||
				    tis(&v[k], "unsigned") || tp(&v[k], '*'))
					type = true;
				k++;
			}
			if (type && k < z) {
				a = k + 1;
			} else {
				a++;
				if (tp(&v[z - 1], ')'))
					z--;
			}
		} else {
			break;
		}
	}
	if (a >= z)
		return;
	if (z - a == 1 && v[a].t == T_ID) {
		sb_putn(out, v[a].s, v[a].len);
		return;
	}
	if (v[a].t == T_ID && z - a >= 3 && tp(&v[a + 1], '(')) {
		/* f(x): a call; record "f()" */
		sb_putn(out, v[a].s, v[a].len);
		sb_puts(out, "()");
		return;
	}
	/* the last field named before any subscript or operator; an sg
	 * table's list ("buf->sgt.sgl") names the table ("sgt"), the holder
	 * its walks and sg_set_page() calls share */
	const struct tok *last = NULL, *base = NULL, *plast = NULL, *pbase = NULL;

	for (size_t k = a; k < z; k++) {
		if (tp(&v[k], '[') && k == a + 1 && v[a].t == T_ID) {
			/* "ptes[i].page": the field of an array's element */
			size_t e = k;
			int d = 0;

			for (; e < z; e++)
				if (tp(&v[e], '['))
					d++;
				else if (tp(&v[e], ']') && --d == 0)
					break;
			if (e + 2 < z &&
			    (tis(&v[e + 1], "->") || tis(&v[e + 1], ".")) &&
			    v[e + 2].t == T_ID) {
				last = &v[e + 2];
				base = &v[a];
				k = e + 2;
				continue;
			}
		}
		if (tp(&v[k], '[') || tp(&v[k], '+') || tp(&v[k], '-') ||
		    tp(&v[k], ',') || tp(&v[k], '?'))
			break;
		if (v[k].t == T_P && (tis(&v[k], "->") || tis(&v[k], ".")) &&
		    k + 1 < z && v[k + 1].t == T_ID) {
			plast = last;
			pbase = base;
			last = &v[k + 1];
			base = k == a + 1 ? &v[a] : NULL;
		}
	}
	if (last && plast && tis(last, "sgl")) {
		last = plast;
		base = pbase;
	}
	if (last) {
		sb_puts(out, "->");
		put_field(L, base, last, out);
	} else if (v[a].t == T_ID && z - a >= 2 && tp(&v[a + 1], '[')) {
		sb_putn(out, v[a].s, v[a].len);	/* pages[i] */
	}
}

static void folded_text(struct lex *L, size_t a, size_t z, struct sbuf *out)
{
	for (size_t k = a; k < z && out->len < 200; k++) {
		if (k > a && (L->v.v[k].t == T_ID || L->v.v[k].t == T_NUM) &&
		    (L->v.v[k - 1].t == T_ID || L->v.v[k - 1].t == T_NUM))
			sb_putc(out, ' ');
		else if (k > a && tp(&L->v.v[k - 1], ','))
			sb_putc(out, ' ');
		sb_putn(out, L->v.v[k].s, L->v.v[k].len);
	}
}

static bool is_role_field(const char *f)
{
	static const char *const roles[] = {
		"release", "unlocked_ioctl", "compat_ioctl", "ioctl", "write",
		"read", "write_iter", "read_iter", "flush", "mmap", "close",
		"open", "destroy", "free", "invalidate", "dealloc", "put",
		"free_object", "release_object", "remove", "poll", "splice_write",
		"sendmsg", "recvmsg", "setsockopt", "getsockopt", "show",
		"store",
	};

	for (size_t i = 0; i < sizeof(roles) / sizeof(*roles); i++)
		if (!strcmp(roles[i], f))
			return true;
	return false;
}

/* one copy of each callee name per file */
struct strent {
	const char *s;
	uint32_t h, n;
};
struct strtab {
	struct strent *v;
	size_t cap, n;
};

/* s[0, n) hashes to h (name_hash()) */
static const char *intern_h(struct strtab *t, struct arena *A, const char *s, size_t n,
			    uint32_t h)
{
	if ((t->n + 1) * 2 > t->cap) {
		struct strtab g = { calloc(t->cap ? t->cap * 2 : 256, sizeof(*t->v)),
				    t->cap ? t->cap * 2 : 256, t->n };

		if (!g.v) {
			fputs("pinaudit: out of memory\n", stderr);
			exit(3);
		}
		/* the strings stay where they are: only their slots move */
		for (size_t k = 0; k < t->cap; k++)
			if (t->v[k].s) {
				size_t j = t->v[k].h & (g.cap - 1);

				while (g.v[j].s)
					j = (j + 1) & (g.cap - 1);
				g.v[j] = t->v[k];
			}
		free(t->v);
		*t = g;
	}
	for (size_t k = h & (t->cap - 1);; k = (k + 1) & (t->cap - 1)) {
		struct strent *e = &t->v[k];

		if (!e->s) {
			e->s = arena_strndup(A, s, n);
			e->h = h;
			e->n = (uint32_t)n;
			t->n++;
			return e->s;
		}
		if (e->h == h && e->n == n && !memcmp(e->s, s, n))
			return e->s;
	}
}

static const char *intern(struct strtab *t, struct arena *A, const char *s, size_t n)
{
	return intern_h(t, A, s, n, name_hash(s, n));
}

/* an if/else arm or a switch case (arm -1: the switch block itself) */
struct arm {
	unsigned id;
	int arm;
	size_t end;
	const char *cond;			/* its condition's tokens */
	const char *path_arms, *path_conds;	/* it and the arms around it */
};

/* x then y[0, yl), in the arena; NULL when both are empty (x may be NULL) */
static const char *cat2(struct arena *A, const char *x, const char *y, size_t yl)
{
	size_t xl = x ? strlen(x) : 0;

	if (!xl && !yl)
		return NULL;
	char *r = arena_alloc_str(A, xl + yl);

	if (xl)
		memcpy(r, x, xl);
	if (yl)
		memcpy(r + xl, y, yl);
	r[xl + yl] = 0;
	return r;
}

static void push_arm(struct arena *A, struct arm *arms, int *narm, struct arm a)
{
	const struct arm *up = *narm ? &arms[*narm - 1] : NULL;
	char id[32];
	size_t il = 0;

	if (a.arm >= 0) {
		/* "id:arm " (both non-negative) */
		char tmp[32];
		size_t tl = 0;

		for (unsigned v = (unsigned)a.arm; tl == 0 || v; v /= 10)
			tmp[tl++] = (char)('0' + v % 10);
		for (unsigned v = a.id; il == 0 || v; v /= 10)
			id[il++] = (char)('0' + v % 10);
		for (size_t k = 0; k < il / 2; k++) {
			char c = id[k];

			id[k] = id[il - 1 - k];
			id[il - 1 - k] = c;
		}
		id[il++] = ':';
		while (tl)
			id[il++] = tmp[--tl];
		id[il++] = ' ';
	}
	a.path_arms = cat2(A, up ? up->path_arms : NULL, id, il);
	a.path_conds = cat2(A, up ? up->path_conds : NULL, a.cond ? a.cond : "",
			    a.cond ? strlen(a.cond) : 0);
	arms[(*narm)++] = a;
}

/* the state of facts_extract()'s walk over the tokens of one file */
struct walk {
	struct lex L;
	size_t *match;		/* match_brackets()                       */
	struct strtab names, texts;	/* one copy per file              */
	struct sbuf cargs, ctext;	/* a call's arguments             */
	long fn;		/* current function index                 */
	size_t fn_end;
	size_t err_end[64], err_start[64];	/* error branches: [start, end) */
	int nerr;
	bool err_label, after_return, jumped;
	const struct tok *goes[16];	/* labels the normal path jumps to */
	int ngoes;
	size_t jump_end;	/* ';' of the last body-level jump        */
	size_t ret_end;		/* ';' of the first body-level return     */
	size_t in_ret_end;	/* ';' of the return being read           */
	struct arm arms[32];
	int narm;
	unsigned next_id, last_id;	/* the arm that closed last       */
	int last_arm;
	size_t last_end;
	int depth;
	size_t stmt0;		/* first token of the current top-level decl */
};

/* match[i]: the index of the bracket that closes (or opens) bracket i */
static void match_brackets(struct walk *W, size_t *stack)
{
	struct lex *L = &W->L;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	size_t *match = W->match;

	size_t sp = 0;

	for (size_t i = 0; i < nt; i++) {
		match[i] = (size_t)-1;
		if (tp(&v[i], '(') || tp(&v[i], '{') || tp(&v[i], '[')) {
			stack[sp++] = i;
		} else if (tp(&v[i], ')') || tp(&v[i], '}') || tp(&v[i], ']')) {
			char o = v[i].s[0] == ')' ? '(' : v[i].s[0] == '}' ? '{' : '[';

			/* unbalanced (#if halves): unwind to the opener */
			while (sp && v[stack[sp - 1]].s[0] != o)
				sp--;
			if (sp) {
				match[stack[sp - 1]] = i;
				match[i] = stack[--sp];
			}
		}
	}
}

/* the body of the current function ends at token i: reset */
static void end_function(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct facts *fx = L->fx;

	fx->funcs.v[W->fn].ncalls = fx->calls.n - fx->funcs.v[W->fn].call0;
	W->fn = -1;
	W->nerr = 0;
	W->err_label = false;
	W->jumped = false;
	W->ngoes = 0;
	W->after_return = false;
	W->jump_end = (size_t)-1;
	W->ret_end = (size_t)-1;
	W->narm = 0;
	W->last_end = (size_t)-1;
	W->stmt0 = i;
}

/* leave the error branches and if/else arms that end before token i */
static void leave_scopes(struct walk *W, size_t i)
{
	if (W->ret_end != (size_t)-1 && i > W->ret_end)
		W->after_return = true;
	while (W->nerr && i >= W->err_end[W->nerr - 1])
		W->nerr--;
	while (W->narm && i > W->arms[W->narm - 1].end) {
		if (W->arms[W->narm - 1].arm >= 0) {
			W->last_id = W->arms[W->narm - 1].id;
			W->last_arm = W->arms[W->narm - 1].arm;
			W->last_end = W->arms[W->narm - 1].end;
		}
		W->narm--;
	}
}

/*
 * A token at file scope: initializers and struct bodies (roles), EXPORT_SYMBOL,
 * and function definitions (name, static, parameters and their struct
 * types), whose body the walk then enters.  Returns the last token read.
 */
static size_t file_scope(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct facts *fx = L->fx;
	struct arena *A = &fx->arena;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	const size_t *match = W->match;
	struct tok *t = &v[i];

	if (tp(t, ';') || tp(t, '}')) {
		W->stmt0 = i + 1;
		return i;
	}
	if (tp(t, '{') && match[i] != (size_t)-1) {
		/* an initializer or a struct body: roles only */
		for (size_t k = i; k < match[i]; k++)
			if (tp(&v[k], '.') && k + 3 < nt && v[k + 1].t == T_ID &&
			    tp(&v[k + 2], '=') && v[k + 3].t == T_ID &&
			    (tp(&v[k + 4], ',') || tp(&v[k + 4], '}'))) {
				struct fx_role r = {
					.field = arena_strndup(A, v[k + 1].s, v[k + 1].len),
					.fn = arena_strndup(A, v[k + 3].s, v[k + 3].len),
				};
				VEC_PUSH(fx->roles, r);
			}
		i = match[i];
		W->stmt0 = i + 1;
		return i;
	}
	if (t->t != T_ID || i + 1 >= nt || !tp(&v[i + 1], '(') ||
	    match[i + 1] == (size_t)-1)
		return i;
	size_t close = match[i + 1];

	if ((tis(t, "EXPORT_SYMBOL") || tis(t, "EXPORT_SYMBOL_GPL") ||
	     tis(t, "EXPORT_SYMBOL_NS_GPL") || tis(t, "EXPORT_SYMBOL_NS")) &&
	    v[i + 2].t == T_ID) {
		const char *e = arena_strndup(A, v[i + 2].s, v[i + 2].len);

		VEC_PUSH(fx->exports, e);
		i = close;
		return i;
	}
	/* after the parameter list: attributes, then '{' */
	size_t k = close + 1;

	while (k < nt && v[k].t == T_ID) {
		if (k + 1 < nt && tp(&v[k + 1], '(') && match[k + 1] != (size_t)-1)
			k = match[k + 1] + 1;
		else
			k++;
	}
	if (k >= nt || !tp(&v[k], '{') || match[k] == (size_t)-1) {
		return i;
	}
	struct fx_func f;
	struct sbuf ps = { 0 };

	memset(&f, 0, sizeof(f));
	f.line = t->line;
	if (t->len > 14 && memmem(t->s, t->len, "SYSCALL_DEFINE", 14) &&
	    v[i + 2].t == T_ID) {
		char tmp[128];

		snprintf(tmp, sizeof(tmp), "sys_%.*s", (int)(v[i + 2].len > 100 ? 100 : v[i + 2].len),
			 v[i + 2].s);
		f.name = arena_strdup(A, tmp);
	} else {
		f.name = arena_strndup(A, t->s, t->len);
	}
	for (size_t q = W->stmt0; q < i; q++)
		if (tw(&v[q], W_STATIC))
			f.is_static = true;
	/* struct-typed parameters */
	L->nvars = 0;
	for (size_t q = i + 2; q < close; q++)
		if (tw(&v[q], W_STRUCT))
			declare(L, q, close + 1, NULL);
	/* parameter names: the identifier before each ',' or ')' */
	sb_putc(&ps, ' ');
	for (size_t q = i + 2; q <= close; q++)
		if ((tp(&v[q], ',') || q == close) && v[q - 1].t == T_ID) {
			sb_putn(&ps, v[q - 1].s, v[q - 1].len);
			sb_putc(&ps, ' ');
		} else if ((tp(&v[q], ',') || q == close) && tp(&v[q - 1], ']')) {
			/* "struct page *pages[]" */
			size_t o = match[q - 1];

			if (o != (size_t)-1 && o > 0 && v[o - 1].t == T_ID) {
				sb_putn(&ps, v[o - 1].s, v[o - 1].len);
				sb_putc(&ps, ' ');
			}
		}
	f.nlen = (unsigned)strlen(f.name);
	f.nhash = name_hash(f.name, f.nlen);
	f.params = arena_strdup(A, ps.s);
	sb_free(&ps);
	f.call0 = fx->calls.n;
	VEC_PUSH(fx->funcs, f);
	W->fn = (long)fx->funcs.n - 1;
	W->fn_end = match[k];
	i = k;
	W->depth = 1;
	return i;
	return i;
}

/*
 * A return (its value) and the body-level jumps (the normal path's goto
 * targets, the end of the path).  After a return at body level the code
 * is reached only through a goto.  Only a return that is a statement of
 * its own counts: not the body of an unbraced "if (x) return y;" or
 * "else return".
 */
static void body_return(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct facts *fx = L->fx;
	struct arena *A = &fx->arena;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	struct tok *t = &v[i];

	if (tw(t, W_RETURN)) {
		size_t q = i;

		while (q < nt && !tp(&v[q], ';'))
			q++;
		W->in_ret_end = q;
		struct fx_ret r = {
			.func = (unsigned)W->fn, .line = t->line,
			.arms = W->narm ? W->arms[W->narm - 1].path_arms : NULL,
			.ok = success_value(v + i + 1, q - i - 1),
		};
		if (q - i < 40)
			expr_ids(v, i + 1, q, &r.ids, &r.calls, false, A);

		VEC_PUSH(fx->rets, r);
	}
	if ((tw(t, W_RETURN) || tw(t, W_GOTO)) && W->depth == 1 && i > 0 &&
	    (tp(&v[i - 1], ';') || tp(&v[i - 1], '{') || tp(&v[i - 1], '}') ||
	     tp(&v[i - 1], ':'))) {
		size_t q = i;

		while (q < nt && !tp(&v[q], ';'))
			q++;
		W->jump_end = q;	/* the ';' ending this jump */
		if (tw(t, W_GOTO) && i + 1 < nt && v[i + 1].t == T_ID &&
		    !W->after_return && !W->jumped && !W->err_label && W->ngoes < 16)
			W->goes[W->ngoes++] = &v[i + 1];
		if (tw(t, W_RETURN))
			W->ret_end = q;	/* its own calls run */
	}
}

/* any assignment: "x = e", "*x = e", "obj->f = e", "x |= e" */
static void body_assignment(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct facts *fx = L->fx;
	struct arena *A = &fx->arena;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	const size_t *match = W->match;
	struct tok *t = &v[i];

	if (i + 2 < nt && v[i + 1].t == T_P && v[i + 1].s[v[i + 1].len - 1] == '=' &&
	    (v[i + 1].len == 1 || !strchr("=!<>", v[i + 1].s[0])) && i > 0) {
		const struct tok *pv = &v[i - 1];
		bool field = tis(pv, "->") || tp(pv, '.');
		bool deref = tp(pv, '*') && i >= 2 &&
			     (tp(&v[i - 2], ';') || tp(&v[i - 2], '{') ||
			      tp(&v[i - 2], '}') || tp(&v[i - 2], ')') || tp(&v[i - 2], ':'));
		size_t q = i + 2;

		while (q < nt && q < i + 48 && !tp(&v[q], ';') && !tp(&v[q], ',') &&
		       !tp(&v[q], '}')) {
			if ((tp(&v[q], '(') || tp(&v[q], '[') || tp(&v[q], '{')) &&
			    match[q] != (size_t)-1 && match[q] > q)
				q = match[q];
			q++;
		}
		if (q < nt && q < i + 48 && (tp(&v[q], ';') || tp(&v[q], ','))) {
			struct fx_assign as = {
				.func = (unsigned)W->fn, .line = t->line,
				.arms = W->narm ? W->arms[W->narm - 1].path_arms : NULL,
				.err = W->err_label || W->after_return,
			};
			for (int e = 0; e < W->nerr && !as.err; e++)
				as.err = W->err_start[e] <= i;
			if (!expr_ids(v, i + 2, q, &as.ids, &as.calls, true, A))
				return;
			if (field) {
				struct sbuf b = { 0 };
				const struct tok *base = i >= 3 && tis(pv, "->") &&
					!tis(&v[i - 3], "->") && !tp(&v[i - 3], '.') ? &v[i - 2] : NULL;

				if (!base)
					base = subscript_base(v, 0, i);

				sb_puts(&b, "->");
				put_field(L, base, t, &b);
				as.lhs = arena_strdup(A, b.s);
				if (base && base->t == T_ID)
					as.base = arena_strndup(A, base->s, base->len);
				sb_free(&b);
			} else if (deref) {
				char tmp[128];

				snprintf(tmp, sizeof(tmp), "*%.*s", t->len > 100 ? 100 : (int)t->len, t->s);
				as.lhs = arena_strdup(A, tmp);
			} else {
				as.lhs = arena_strndup(A, t->s, t->len);
			}
			VEC_PUSH(fx->assigns, as);
		}
	}
}

/* "local = obj->field;" and "*local = obj->field[i];" */
static void body_alias(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct facts *fx = L->fx;
	struct arena *A = &fx->arena;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	const size_t *match = W->match;
	struct tok *t = &v[i];

	if (i + 3 < nt && tp(&v[i + 1], '=') && i > 0 && !tis(&v[i - 1], "->") &&
	    !tp(&v[i - 1], '.')) {
		size_t q = i + 2;
		const struct tok *last = NULL;

		while (q < nt && q < i + 24 && !tp(&v[q], ';') && !tp(&v[q], '(') &&
		       !tp(&v[q], ',')) {
			if ((tis(&v[q], "->") || tp(&v[q], '.')) && v[q + 1].t == T_ID)
				last = &v[q + 1];
			if (tp(&v[q], '[') && match[q] != (size_t)-1)
				q = match[q];
			q++;
		}
		if (last && q < nt && tp(&v[q], ';')) {
			const struct tok *base = NULL;

			/* "local = obj->field": obj's type tags the field */
			for (size_t b = i + 2; b + 1 < q && !base; b++)
				if (v[b].t == T_ID && &v[b + 2] == last)
					base = &v[b];
				else if (v[b].t == T_ID)
					break;
			struct fx_store s = {
				.func = (unsigned)W->fn, .line = t->line,
				.field = field_str(L, base, last, A),
				.from = arena_strndup(A, t->s, t->len), .alias = true,
			};
			VEC_PUSH(fx->stores, s);
		}
	}
}

/* if/else chains and switch cases: which arm a call is in */
static void body_arms(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct facts *fx = L->fx;
	struct arena *A = &fx->arena;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	const size_t *match = W->match;
	struct tok *t = &v[i];

	if ((tw(t, W_IF) || tw(t, W_ELSE) || tw(t, W_SWITCH)) && W->narm < 32) {
		size_t b = i + 1;
		bool is_if = !tw(t, W_ELSE);

		if (is_if && (b >= nt || !tp(&v[b], '(') || match[b] == (size_t)-1))
			return;
		const char *cond = NULL;

		if (is_if) {
			W->ctext.len = 0;	/* (free between calls) */
			for (size_t q = b + 1; q < match[b] && W->ctext.len < 200; q++) {
				sb_putc(&W->ctext, ' ');
				sb_putn(&W->ctext, v[q].s, v[q].len);
			}
			if (W->ctext.len) {
				sb_putc(&W->ctext, ' ');
				cond = arena_strdup(A, W->ctext.s);
			}
			b = match[b] + 1;
		}
		if (tw(t, W_ELSE) && b < nt && tw(&v[b], W_IF))
			return;	/* the "if" continues the chain */
		struct arm a = { 0, 0, b, cond, NULL, NULL };

		if (tw(t, W_SWITCH)) {
			if (b >= nt || !tp(&v[b], '{') || match[b] == (size_t)-1)
				return;
			a.id = W->next_id++;
			a.arm = -1;	/* the block; its cases go on top */
			a.end = match[b];
			push_arm(A, W->arms, &W->narm, a);
			return;
		}
		bool chained = i > 0 && W->last_end != (size_t)-1 &&
			       ((tw(t, W_ELSE) && W->last_end + 1 == i) ||
				(tw(t, W_IF) && tw(&v[i - 1], W_ELSE) && W->last_end + 2 == i));
		a.id = chained ? W->last_id : W->next_id++;
		a.arm = chained ? W->last_arm + 1 : 0;
		if (b < nt && tp(&v[b], '{') && match[b] != (size_t)-1) {
			a.end = match[b];
		} else {
			size_t q = b;
			int par = 0;

			while (q < nt && !(par == 0 && tp(&v[q], ';'))) {
				if (tp(&v[q], '(') || tp(&v[q], '{') || tp(&v[q], '['))
					par++;
				else if (tp(&v[q], ')') || tp(&v[q], '}') || tp(&v[q], ']'))
					par--;
				q++;
			}
			a.end = q;
		}
		push_arm(A, W->arms, &W->narm, a);
	} else if ((tw(t, W_CASE) || tw(t, W_DEFAULT)) && W->narm) {
		/* the innermost switch: a case arm on top of its block */
		int k = W->narm - 1;

		if (W->arms[k].arm >= 0 && k > 0 && W->arms[k - 1].arm == -1 &&
		    W->arms[k].end == W->arms[k - 1].end)
			k--, W->narm--;
		if (W->arms[k].arm == -1 && W->narm < 32) {
			/* distinct per case: the token index */
			struct arm a = { W->arms[k].id, (int)i, W->arms[k].end, NULL, NULL, NULL };

			push_arm(A, W->arms, &W->narm, a);
		}
	}
}

/* an if whose block (or single statement) ends in a return or a goto:
 * an error branch (the if itself is read here, and nothing else) */
static bool body_error_branch(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	const size_t *match = W->match;
	struct tok *t = &v[i];

	if (tw(t, W_IF) && i + 1 < nt && tp(&v[i + 1], '(') &&
	    match[i + 1] != (size_t)-1) {
		size_t c = match[i + 1] + 1;

		if (c < nt && tp(&v[c], '{') && match[c] != (size_t)-1 && W->nerr < 64) {
			/* an error branch ends in a jump: its last statement
			 * is a return or a goto (a big block that only
			 * contains one, in a nested if, is not) */
			size_t q = match[c] - 1;

			if (q > c && tp(&v[q], ';')) {
				size_t r = q - 1;
				int d = 0;

				while (r > c) {
					if (tp(&v[r], ')') || tp(&v[r], ']'))
						d++;
					else if (tp(&v[r], '(') || tp(&v[r], '['))
						d--;
					else if (!d && (tp(&v[r], ';') || tp(&v[r], '{') ||
							tp(&v[r], '}') || tp(&v[r], ':')))
						break;
					r--;
				}
				/* "return 0;" ends a normal early exit (an
				 * ioctl case), not an error branch; so does
				 * "return true;" (a lookup that found it) */
				bool ok0 = tw(&v[r + 1], W_RETURN) && r + 3 == q &&
					   ((v[r + 2].len == 1 && v[r + 2].s[0] == '0') ||
					    tis(&v[r + 2], "true"));

				if (!ok0 && (tw(&v[r + 1], W_RETURN) || tw(&v[r + 1], W_GOTO))) {
					W->err_start[W->nerr] = c;
					W->err_end[W->nerr++] = match[c];
				}
			}
		} else if (c < nt && W->nerr < 64 && (tw(&v[c], W_RETURN) || tw(&v[c], W_GOTO))) {
			size_t q = c;

			while (q < nt && !tp(&v[q], ';'))
				q++;
			W->err_start[W->nerr] = c;
			W->err_end[W->nerr++] = q;
		} else if (c < nt && W->nerr < 64) {
			/* if (x) call(); return ...;  (single statement) */
			size_t q = c;

			while (q < nt && !tp(&v[q], ';'))
				q++;
			if (q + 1 < nt && (tw(&v[q + 1], W_RETURN) || tw(&v[q + 1], W_GOTO))) {
				W->err_start[W->nerr] = c;
				W->err_end[W->nerr++] = q;
			}
		}
		return true;
	}
	return false;
}

/* a label: "err_unpin:".  One the statement before falls into
 * is on the normal path, whatever its name; one reached only
 * by jumps is an error path when its name says so. */
static bool body_label(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	struct tok *t = &v[i];

	if (i + 1 < nt && tp(&v[i + 1], ':') && i > 0 &&
	    (tp(&v[i - 1], ';') || tp(&v[i - 1], '}') || tp(&v[i - 1], '{'))) {
		bool falls = W->depth == 1 && tp(&v[i - 1], ';') && W->jump_end != i - 1 &&
			     !W->after_return;

		/* reached only by jumps, or by falling from code that is;
		 * not a label the normal path jumps to ("goto out;") */
		bool target = false;

		for (int g = 0; g < W->ngoes && !target; g++)
			target = W->goes[g]->len == t->len &&
				 !memcmp(W->goes[g]->s, t->s, t->len);
		W->jumped = !target && (W->jumped || !falls);
		W->err_label = !falls &&
			    (memmem(t->s, t->len, "err", 3) || memmem(t->s, t->len, "fail", 4) ||
			     memmem(t->s, t->len, "bad", 3) ||
			     (t->len >= 2 && !memcmp(t->s, "e_", 2)));
		return true;
	}
	return false;
}

/* "obj->field = ident;", "obj->field = fn;" (a role) */
static bool body_store(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct facts *fx = L->fx;
	struct arena *A = &fx->arena;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	struct tok *t = &v[i];

	if (i >= 1 && (tis(&v[i - 1], "->") || tp(&v[i - 1], '.')) && i + 3 < nt &&
	    tp(&v[i + 1], '=')) {
		size_t r = i + 2;

		while (r < nt && (tp(&v[r], '&') || tp(&v[r], '*')))
			r++;
		if (r + 1 < nt && v[r].t == T_ID && (tp(&v[r + 1], ';') || tp(&v[r + 1], ','))) {
			const struct tok *base = i >= 3 && tis(&v[i - 1], "->") &&
				!tis(&v[i - 3], "->") && !tp(&v[i - 3], '.') ? &v[i - 2] : NULL;

			if (!base)
				base = subscript_base(v, 0, i);
			struct fx_store s = {
				.func = (unsigned)W->fn, .line = t->line,
				.field = field_str(L, base, t, A),
				.from = arena_strndup(A, v[r].s, v[r].len),
				.arms = W->narm ? W->arms[W->narm - 1].path_arms : NULL,
			};
			VEC_PUSH(fx->stores, s);
			struct fx_role ro = { .field = arena_strndup(A, t->s, t->len), .fn = s.from };

			if (is_role_field(ro.field))
				VEC_PUSH(fx->roles, ro);
		}
		return true;
	}
	return false;
}

/* a call: its callee, arguments (summaries and text), arms, error path,
 * what it is assigned to; sg walks that release pages */
static void body_call(struct walk *W, size_t i)
{
	struct lex *L = &W->L;
	struct facts *fx = L->fx;
	struct arena *A = &fx->arena;
	struct tok *v = L->v.v;
	size_t nt = L->v.n;
	const size_t *match = W->match;
	struct tok *t = &v[i];

	size_t o = i + 1, c = match[o];
	struct fx_call call;

	memset(&call, 0, sizeof(call));
	call.clen = t->len;
	call.chash = name_hash(t->s, t->len);
	call.callee = intern_h(&W->names, A, t->s, t->len, call.chash);
	call.line = t->line;
	call.col = t->col;
	call.func = (unsigned)W->fn;
	/* the condition of "if (pin(...) < 0) return" is not the
	 * error branch: only the branch itself is */
	if (W->narm) {
		/* shared with every call of the arm: no copy per call */
		call.arms = W->arms[W->narm - 1].path_arms;
		call.conds = W->arms[W->narm - 1].path_conds;
	}
	call.in_return = i < W->in_ret_end;
	call.jumped = W->jumped;
	call.err = W->err_label || W->after_return;
	for (int e = 0; e < W->nerr && !call.err; e++)
		call.err = W->err_start[e] <= i;
	W->cargs.len = W->ctext.len = 0;	/* one buffer each for the whole file */
	for (size_t a = o + 1, q = o + 1; q <= c; q++) {
		if (q == c || (tp(&v[q], ',') )) {
			if (a > o + 1)
				sb_putc(&W->cargs, '\x1f');
			arg_summary(L, a, q, &W->cargs);
			if (!W->cargs.len)
				sb_putc(&W->cargs, ' ');
			a = q + 1;
		} else if ((tp(&v[q], '(') || tp(&v[q], '[') || tp(&v[q], '{')) &&
			   match[q] != (size_t)-1) {
			q = match[q] - 0;
		}
	}
	call.args = W->cargs.len ? intern(&W->texts, A, W->cargs.s, W->cargs.len) : "";
	folded_text(L, o + 1, c, &W->ctext);
	call.argtext = W->ctext.len ? intern(&W->texts, A, W->ctext.s, W->ctext.len) : "";
	/* "x->f = call(...)" or "x = call(...)" */
	if (i >= 2 && tp(&v[i - 1], '=') && v[i - 2].t == T_ID) {
		char tmp[160];
		size_t tl;

		if (i >= 3 && (tis(&v[i - 3], "->") || tp(&v[i - 3], '.'))) {
			struct sbuf b = { 0 };
			const struct tok *base = i >= 5 && tis(&v[i - 3], "->") &&
				!tis(&v[i - 5], "->") && !tp(&v[i - 5], '.') ? &v[i - 4] : NULL;

			put_field(L, base, &v[i - 2], &b);
			tl = b.len > 140 ? 140 : b.len;
			memcpy(tmp, "->", 2);
			memcpy(tmp + 2, b.s, tl);
			tl += 2;
			sb_free(&b);
		} else {
			tl = v[i - 2].len > 100 ? 100 : v[i - 2].len;
			memcpy(tmp, v[i - 2].s, tl);
			/* "*p = callee(...);" at the start of a statement */
			call.assigned_deref = i >= 4 && tp(&v[i - 3], '*') &&
				(tp(&v[i - 4], ';') || tp(&v[i - 4], '{') ||
				 tp(&v[i - 4], '}') || tp(&v[i - 4], ')') ||
				 tp(&v[i - 4], ':'));
		}
		/* (a NUL in the name ends it, as it did the string) */
		tmp[tl] = 0;
		call.assigned = intern(&W->texts, A, tmp, strlen(tmp));
	}
	VEC_PUSH(fx->calls, call);
	/* put_page(sg_page(sg)), unpin_user_page(sg_page(...)) */
	if ((tis(t, "put_page") || tis(t, "unpin_user_page")) && o + 2 < c &&
	    tis(&v[o + 1], "sg_page"))
		fx->funcs.v[W->fn].sg_release = true;
	/* sg walks that put or unpin sg_page() */
	if (tis(t, "for_each_sg_page") || tis(t, "for_each_sgtable_page") ||
	    tis(t, "for_each_sg") || tis(t, "for_each_sgtable_sg")) {
		size_t body = c + 1, end = body;

		if (body < nt && tp(&v[body], '{') && match[body] != (size_t)-1)
			end = match[body];
		else
			while (end < nt && !tp(&v[end], ';'))
				end++;
		for (size_t q = body; q < end; q++)
			if (tis(&v[q], "unpin_user_page") || tis(&v[q], "put_page") ||
			    tis(&v[q], "unpin_user_pages") || tis(&v[q], "unpin_user_pages_dirty_lock") ||
			    tis(&v[q], "unpin_user_page_range_dirty_lock") ||
			    tis(&v[q], "folio_put") || tis(&v[q], "unpin_folio")) {
				struct fx_func *wf = &fx->funcs.v[W->fn];
				const char *tbl = fx_arg(&fx->calls.v[fx->calls.n - 1], 0, A);

				/* the table it walks: its first walk's
				 * ("->sgt@vx_buf", or a variable) */
				if (!wf->sg_release)
					wf->sg_table = tbl[0] ? tbl : NULL;
				wf->sg_release = true;
				break;
			}
	}
}

/*
 * The facts of one file: a walk over its tokens, each handled by the
 * question it answers (file scope, returns, assignments, aliases, arms,
 * error branches, labels, stores, calls).
 */
void facts_extract(const char *buf, size_t len, struct facts *fx)
{
	struct walk *W = calloc(1, sizeof(*W));

	if (!W) {
		fputs("pinaudit: out of memory\n", stderr);
		exit(3);
	}
	W->L.b = buf;
	W->L.n = len;
	W->L.fx = fx;
	tokenize(&W->L);

	struct tok *v = W->L.v.v;
	size_t nt = W->L.v.n;
	size_t *stack = malloc((nt + 1) * sizeof(*stack));

	W->match = malloc((nt + 1) * sizeof(*W->match));
	if (!W->match || !stack) {
		fputs("pinaudit: out of memory\n", stderr);
		exit(3);
	}
	match_brackets(W, stack);
	W->fn = -1;
	W->jump_end = W->ret_end = W->last_end = (size_t)-1;
	W->next_id = 1;

	for (size_t i = 0; i < nt; i++) {
		struct tok *t = &v[i];

		if (W->fn >= 0 && i >= W->fn_end)
			end_function(W, i);
		leave_scopes(W, i);
		if (W->fn < 0) {
			i = file_scope(W, i);
			continue;
		}
		/* inside a function body */
		if (tp(t, '{'))
			W->depth++;
		else if (tp(t, '}'))
			W->depth--;
		if (t->t != T_ID)
			continue;
		if (t->len == 6 && tw(t, W_STRUCT)) {
			declare(&W->L, i, nt, &fx->funcs.v[W->fn]);
			continue;
		}
		body_return(W, i);
		body_assignment(W, i);
		body_alias(W, i);
		body_arms(W, i);
		if (body_error_branch(W, i) || body_label(W, i) || body_store(W, i))
			continue;
		if (i + 1 >= nt || !tp(&v[i + 1], '(') || W->match[i + 1] == (size_t)-1 || t->kw)
			continue;
		body_call(W, i);
	}
	if (W->fn >= 0)
		fx->funcs.v[W->fn].ncalls = fx->calls.n - fx->funcs.v[W->fn].call0;
	/* the lists are kept for the whole run: no slack */
#define SHRINK(vec) do { \
	if ((vec).n && (vec).n < (vec).cap) { \
		void *nv = realloc((vec).v, (vec).n * sizeof(*(vec).v)); \
		if (nv) { \
			(vec).v = nv; \
			(vec).cap = (vec).n; \
		} \
	} \
} while (0)
	SHRINK(fx->funcs);
	SHRINK(fx->calls);
	SHRINK(fx->stores);
	SHRINK(fx->rets);
	SHRINK(fx->assigns);
#undef SHRINK
	/* each function's assignments: pushed in order, one run each */
	for (size_t i = fx->assigns.n; i-- > 0;) {
		struct fx_func *af = &fx->funcs.v[fx->assigns.v[i].func];

		af->asg0 = i;
		af->nasg++;
	}
	for (size_t i = 0; i < fx->exports.n; i++)
		for (size_t k = 0; k < fx->funcs.n; k++)
			if (!strcmp(fx->funcs.v[k].name, fx->exports.v[i]))
				fx->funcs.v[k].exported = true;
	free(W->match);
	free(W->names.v);
	free(W->texts.v);
	sb_free(&W->cargs);
	sb_free(&W->ctext);
	free(stack);
	free(W->L.v.v);
	free(W);
}

void facts_free(struct facts *fx)
{
	free(fx->funcs.v);
	free(fx->calls.v);
	free(fx->stores.v);
	free(fx->rets.v);
	free(fx->assigns.v);
	free(fx->roles.v);
	free(fx->macros.v);
	free(fx->exports.v);
	arena_free(&fx->arena);
	memset(fx, 0, sizeof(*fx));
}

int fx_nargs(const struct fx_call *c)
{
	int n = c->args[0] ? 1 : 0;

	for (const char *p = c->args; *p; p++)
		n += *p == '\x1f';
	return n;
}

/* argument idx's summary, trimmed ("" when none) */
const char *fx_arg(const struct fx_call *c, int idx, struct arena *A)
{
	const char *p = c->args;

	for (int i = 0; i < idx && p; i++) {
		p = strchr(p, '\x1f');
		if (p)
			p++;
	}
	if (!p)
		return "";
	const char *e = strchr(p, '\x1f');
	size_t n = e ? (size_t)(e - p) : strlen(p);

	while (n && p[0] == ' ') {
		p++;
		n--;
	}
	return arena_strndup(A, p, n);
}

/* argument idx as written, without a copy: *len bytes at the result */
const char *fx_argspan(const struct fx_call *c, int idx, size_t *len)
{
	const char *p = c->argtext, *b = p;
	int depth = 0, k = 0;

	*len = 0;
	if (!p)
		return "";
	for (;; p++) {
		if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if (*p == ')' || *p == ']' || *p == '}')
			depth--;
		else if ((*p == ',' && depth == 0) || !*p) {
			if (k == idx) {
				while (*b == ' ')
					b++;
				*len = (size_t)(p - b);
				return b;
			}
			if (!*p)
				return "";
			k++;
			b = p + 1;
		}
	}
}

/* argument idx as written (top-level commas split; the text is folded
 * and cut at 200 bytes, so a late argument may be missing: "") */
const char *fx_argtext(const struct fx_call *c, int idx, struct arena *A)
{
	size_t len;
	const char *b = fx_argspan(c, idx, &len);

	return len ? arena_strndup(A, b, len) : "";
}

int fx_param_index(const struct fx_func *f, const char *name)
{
	const char *p = f->params;
	int k = 0;
	size_t n = strlen(name);

	if (!n || !p)
		return -1;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !memcmp(p, name, n))
			return k;
		k++;
		p += l;
	}
	return -1;
}

bool fx_has_param(const struct fx_func *f, const char *name)
{
	return fx_param_index(f, name) >= 0;
}

bool fx_exclusive(const struct fx_call *a, const struct fx_call *b)
{
	return arms_exclusive(a->arms, b->arms);
}

bool arms_exclusive(const char *a_arms, const char *b_arms)
{
	if (!a_arms || !b_arms)
		return false;
	for (const char *p = a_arms; *p;) {
		unsigned ia;
		int aa, n;

		if (sscanf(p, "%u:%d %n", &ia, &aa, &n) != 2)
			break;
		p += n;
		for (const char *r = b_arms; *r;) {
			unsigned ib;
			int ab, m;

			if (sscanf(r, "%u:%d %n", &ib, &ab, &m) != 2)
				break;
			r += m;
			if (ia == ib && aa != ab)
				return true;
		}
	}
	return false;
}

/* two fields ("pages", "pages@vx_buf") are one holder: the same name,
 * and the same struct when both know theirs */
bool field_eq(const char *a, const char *b)
{
	const char *ta = strchr(a, '@'), *tb = strchr(b, '@');
	size_t la = ta ? (size_t)(ta - a) : strlen(a);
	size_t lb = tb ? (size_t)(tb - b) : strlen(b);

	if (la != lb || memcmp(a, b, la))
		return false;
	/* a struct's tag and a member path ("@.dead") do not compare */
	return !ta || !tb || (ta[1] == '.') != (tb[1] == '.') || !strcmp(ta, tb);
}
