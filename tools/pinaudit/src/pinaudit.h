/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinaudit - audit get_user_pages()/pin_user_pages() call sites in a
 * Linux kernel tree.  Shared declarations.
 */
#ifndef PINAUDIT_H
#define PINAUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PINAUDIT_VERSION "1.0"

/* ---- arena: every string of one file's result lives in its arena ---- */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* room for a string of n bytes and its NUL */
char *arena_alloc_str(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);
size_t arena_bytes(const struct arena *a);

/* ---- growable string buffer ---- */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sb_putn(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_putc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_free(struct sbuf *b);

/* generic dynamic array helper */
#define VEC(type) struct { type *v; size_t n, cap; }
void *vec_grow(void *v, size_t *cap, size_t need, size_t elsz);
/* fn(arg) on jobs threads, this one included */
void run_parallel(void *(*fn)(void *), void *arg, int jobs);
#define VEC_PUSH(vec, val) do { \
	if ((vec).n + 1 > (vec).cap) \
		(vec).v = vec_grow((vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)); \
	(vec).v[(vec).n++] = (val); \
} while (0)

/* ---- the GUP family ---- */
enum api_kind {
	K_PIN,		/* pin_user_pages*()                 */
	K_GET,		/* get_user_pages*()                 */
	K_EXTRACT,	/* iov_iter_extract_pages()          */
	K_ITER_GET,	/* iov_iter_get_pages*()             */
};

struct api_info {
	const char *name;
	enum api_kind kind;
	int flags_arg;	/* index of the flags argument, -1 if none */
	int pages_arg;	/* index of the pages argument, -1 if none */
};
const struct api_info *api_lookup(const char *name, size_t len);
/* the pages and flags argument indexes of a call of api with nargs
 * arguments, older signatures included; arg(ctx, i, &len) gives argument
 * i as written */
void api_args(const struct api_info *api, int nargs,
	      const char *(*arg)(void *ctx, int idx, size_t *len), void *ctx,
	      int *pages, int *flags);
extern const struct api_info api_table[];
extern const size_t api_count;

/* known flag names, bit i of site->flags is flag_names[i] */
extern const char *const flag_names[];
extern const size_t flag_count;
int flag_index(const char *name, size_t len);
enum {
	FB_WRITE = 0, FB_GET, FB_LONGTERM, FB_PIN, FB_EPHEMERAL,
	FB_ITER_EPHEMERAL, FB_USER_SERVED, FB_ITER_USER_SERVED,
	FB_PCI_P2PDMA = 14, FB_ITER_ALLOW_P2PDMA = 24,
};
#define FLAG_BIT(i) (1u << (i))
#define EPHEMERAL_BITS (FLAG_BIT(FB_EPHEMERAL) | FLAG_BIT(FB_ITER_EPHEMERAL))
#define SERVED_BITS (FLAG_BIT(FB_USER_SERVED) | FLAG_BIT(FB_ITER_USER_SERVED))
#define P2PDMA_BITS (FLAG_BIT(FB_PCI_P2PDMA) | FLAG_BIT(FB_ITER_ALLOW_P2PDMA))

enum lclass {
	LC_LONGTERM_EXPLICIT,
	LC_LONGTERM_DEFAULT,
	LC_EPHEMERAL_COMMENTED,
	LC_EPHEMERAL_UNCOMMENTED,
	/* pinlife: held for one I/O that a userspace server completes */
	LC_USER_SERVED,
	/* ephemeral on some paths, user-served on the others */
	LC_EPH_OR_SERVED_COMMENTED,
	LC_EPH_OR_SERVED_UNCOMMENTED,
	LC_SHORTTERM_LEGACY,
	LC_REFERENCE_ONLY,
	LC__COUNT
};
extern const char *const lclass_names[];

enum storage_kind { ST_NONE, ST_FIELD, ST_GLOBAL };

struct file_res;
struct lifetime;

struct site {
	struct file_res *file;
	unsigned line, col;
	const char *func;
	const struct api_info *api;
	int pages_arg, flags_arg;	/* argument indexes in this call (the
					   signature its arity says, api_args()) */
	const char *flags_expr;		/* as written, whitespace folded    */
	const char *branch;		/* the #if/#elif/#else branch the call
					   is in ("#elif X", "#else of #if X"),
					   innermost; NULL: none            */
	uint32_t flags;			/* known FOLL_ / ITER_ names        */
	uint32_t must;			/* ... of those, set on every path  */
	const char *flags_extra;	/* other names, '|'-separated       */
	const char *unresolved;		/* parts we could not resolve       */
	bool cond;			/* conditional / partly set         */
	bool ephemeral;			/* FOLL_/ITER_EPHEMERAL on some path */
	bool user_served;		/* FOLL_/ITER_USER_SERVED on some path */
	bool lifetime_comment;
	const char *lifetime_text;	/* the comment, if any              */
	/* lifetime heuristic, phase 1 (per file) */
	enum storage_kind storage;
	const char *storage_name;	/* field name or global             */
	const char *storage_expr;	/* as written                       */
	bool same_func_release;		/* unpinned on the normal path here */
	bool returned;			/* the page array is returned       */
	bool null_pages;		/* the pages argument is NULL on the
					   call's path ("if (pages) ... else
					   gup(..., pages, ...)")           */
	const char *callees;		/* " a b c " non-error calls in fn  */
	/* phase 2 */
	enum lclass cls;
	bool looks_long;
	const char *rel_func, *rel_file;
	unsigned rel_line;
	const char *evidence;		/* why short/long, for reports      */
	/* the module model's answer (lifetime.c) */
	const char *via;		/* wrapper chain, "" for direct calls */
	struct lifetime *lt;
	bool user_ref;			/* a reference userspace keeps alive */
	int wrapper_pages;
	bool in_wrapper;		/* inside a wrapper: its callers answer */
	/* needless-longterm: one per caller that drops the pin before it
	 * returns (lifetime.c) */
	struct lifetime *needless;
	int nneedless;
};
#define MAX_NEEDLESS 4

struct release {
	const char *func;
	const char *name;		/* field or variable released       */
	bool field;
	unsigned line, col;
	bool completion;		/* enclosing function is a callback */
	bool error_only;		/* on an error path of its function */
};

struct hit {				/* FOLL_LONGTERM / FOLL_GET mention */
	unsigned line, col;
	const char *name;
};

struct file_res {
	const char *path;		/* as shown in diagnostics          */
	const char *rel;		/* relative to tree root            */
	struct arena arena;
	VEC(struct site) sites;
	VEC(struct release) rels;
	VEC(struct hit) hits;
	VEC(const char *) callbacks;	/* functions used as completions    */
	bool defines_ephemeral;
	bool mentions_ephemeral;
	bool deferred;			/* unpins only: parsed on demand    */
	bool lexed;			/* validation lexer has run         */
	bool names_family;		/* names the family outside a call site:
					   a macro body (a wrapper's header) */
	const char *skip_reason;	/* non-NULL: file skipped           */
};

/* analyze.c */
struct analyzer;
struct analyzer *analyzer_new(void);
void analyzer_free(struct analyzer *an);
/* Validate and analyse one buffer; fills fr.  Returns 0, or -1 when the
 * file was skipped (fr->skip_reason says why). */
int analyze_buffer(struct analyzer *an, const char *buf, size_t len,
		   struct file_res *fr);
/* the parse and site extraction alone, without validation (fuzzing) */
int analyze_parse(struct analyzer *an, const char *buf, size_t len,
		  struct file_res *fr);
void file_res_free(struct file_res *fr);
/* quick scan: does the buffer mention anything we audit? */
bool prefilter(const char *buf, size_t len);
enum {
	PF_API = 1,		/* calls the GUP family             */
	PF_REL = 2,		/* calls unpin_user_page*() & co    */
	PF_FOLL = 4,		/* names a FOLL_ flag               */
	PF_FOLL_UNKNOWN = 8,	/* scan stopped early               */
};
unsigned prefilter_bits(const char *buf, size_t len);
/* the validation lexer alone (FOLL_ mentions, bad input) */
int analyze_validate(const char *buf, size_t len, struct file_res *fr);
/* validate.c: NULL, or why the file must be skipped */
const char *validate_lex(const char *b, size_t n, struct file_res *fr);
/* prefilter.c: unpin_user_page*(), put_page(), release_pages() ... */
bool is_release_name(const char *s, size_t n);

/* classify.c */
enum api_gen { API_OLD, API_NEW };
void classify(struct file_res **files, size_t nfiles, enum api_gen gen);

struct finding {
	const struct file_res *file;
	unsigned line, col;
	const char *rule;
	const char *level;		/* "warning", or "note" (needless-longterm) */
	char *msg;
	/* optional note (e.g. where the pages are released) */
	const char *note_file;
	unsigned note_line;
	char *note;
	const struct lifetime *lt;	/* the reasoning: notes, codeFlows */
};
struct findings {
	struct finding *v;
	size_t n, cap;
};
void lint(struct file_res **files, size_t nfiles, enum api_gen gen,
	  struct findings *out);
void findings_free(struct findings *f);
bool path_in_mm(const char *rel);
bool is_completion_name(const char *fn);
/* FNV-1a of a name: the lexer stores it with each call and function,
 * the model's maps and the wrapper filter use it */
static inline uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}
/* monotonic seconds, for PINAUDIT_STATS */
double now(void);

#endif
