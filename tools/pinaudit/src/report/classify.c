// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: lifetime classes, the "looks long-term" heuristic across the
 * files of one directory, and the lint rules.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* does text name fn as a word? */
static bool mentions(const char *text, const char *fn)
{
	size_t n = strlen(fn);

	for (const char *p = text; n && (p = strstr(p, fn)); p += n) {
		bool l = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool r = !(isalnum((unsigned char)p[n]) || p[n] == '_');

		if (l && r)
			return true;
	}
	return false;
}

/* the model's answer (lifetime.c) turned into the lint verdicts */
static void verdict(struct site *s)
{
	const struct lifetime *lt = s->lt;

	if (!lt)
		return;
	s->evidence = lt->why;
	if (lt->v != V_USER || s->in_wrapper)
		return;
	if (s->cls == LC_REFERENCE_ONLY) {
		s->user_ref = !strstr(s->api->name, "_longterm");
	} else if (s->cls == LC_SHORTTERM_LEGACY || s->cls == LC_EPHEMERAL_COMMENTED ||
		   s->cls == LC_EPHEMERAL_UNCOMMENTED ||
		   s->cls == LC_EPH_OR_SERVED_COMMENTED ||
		   s->cls == LC_EPH_OR_SERVED_UNCOMMENTED) {
		/* (the ephemeral alternative of a user-served site is judged
		 * like any ephemeral pin; a user-served pin on every path is
		 * held for as long as its server likes, by design) */
		/* an ephemeral pin whose comment names the release: documented */
		if (s->ephemeral && s->lifetime_text && lt->release &&
		    mentions(s->lifetime_text, lt->release))
			return;
		s->looks_long = true;
	} else {
		return;
	}
	s->rel_func = lt->release ? lt->release : "?";
	for (int i = 0; i < lt->nsteps; i++)
		if (!strncmp(lt->steps[i].msg, "released in", 11)) {
			s->rel_file = lt->steps[i].path;
			s->rel_line = lt->steps[i].line;
		}
	if (!s->rel_file) {
		s->rel_file = s->file->path;
		s->rel_line = s->line;
	}
}

void classify(struct file_res **files, size_t nfiles, enum api_gen gen)
{
	for (size_t i = 0; i < nfiles; i++) {
		struct file_res *f = files[i];

		if (!f)
			continue;
		for (size_t k = 0; k < f->sites.n; k++) {
			struct site *s = &f->sites.v[k];
			enum api_kind kind = s->api->kind;

			if (kind == K_GET || kind == K_ITER_GET)
				s->cls = LC_REFERENCE_ONLY;
			else if (s->ephemeral && s->user_served)
				s->cls = s->lifetime_comment ? LC_EPH_OR_SERVED_COMMENTED
							     : LC_EPH_OR_SERVED_UNCOMMENTED;
			else if (s->ephemeral)
				s->cls = s->lifetime_comment ? LC_EPHEMERAL_COMMENTED
							     : LC_EPHEMERAL_UNCOMMENTED;
			else if (s->user_served)
				s->cls = LC_USER_SERVED;
			else if (s->flags & FLAG_BIT(FB_LONGTERM))
				s->cls = LC_LONGTERM_EXPLICIT;
			else
				s->cls = gen == API_NEW ? LC_LONGTERM_DEFAULT
							: LC_SHORTTERM_LEGACY;
			verdict(s);
		}
	}
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		fputs("pinaudit: out of memory\n", stderr);
		exit(3);
	}
	return p;
}

static void add(struct findings *out, const struct file_res *f, unsigned line,
		unsigned col, const char *rule, const char *msg)
{
	struct finding fd;

	memset(&fd, 0, sizeof(fd));
	fd.file = f;
	fd.line = line;
	fd.col = col;
	fd.rule = rule;
	fd.level = "warning";
	fd.msg = xstrdup(msg);
	VEC_PUSH(*out, fd);
}

/* a long-term pin or a migrated reference: what needless-longterm judges */
static bool needless_class(const struct site *s)
{
	switch (s->cls) {
	case LC_LONGTERM_DEFAULT:
		return true;
	case LC_LONGTERM_EXPLICIT:
		return s->must & FLAG_BIT(FB_LONGTERM);
	case LC_REFERENCE_ONLY:
		return strstr(s->api->name, "_longterm") != NULL;
	default:
		return false;
	}
}

/* "... (in #elif X)": which preprocessor branch the site is in */
/* "in f()", or, when no function of the module is the release (the
 * rules then describe it: "callers outside the module"), "by ..." */
static const char *released_where(char *buf, size_t n, const char *rel)
{
	if (rel && strchr(rel, ' '))
		snprintf(buf, n, "by %s", rel);
	else
		snprintf(buf, n, "in %s()", rel ? rel : "?");
	return buf;
}

static void branch_suffix(char *tmp, size_t n, const struct site *s)
{
	size_t l = strlen(tmp);

	if (s->branch && l + 8 < n)
		snprintf(tmp + l, n - l, " (in %s)", s->branch);
}

void lint(struct file_res **files, size_t nfiles, enum api_gen gen,
	  struct findings *out)
{
	char tmp[1024], rw[200];

	for (size_t i = 0; i < nfiles; i++) {
		const struct file_res *f = files[i];

		if (!f)
			continue;
		for (size_t k = 0; k < f->sites.n; k++) {
			const struct site *s = &f->sites.v[k];
			enum api_kind kind = s->api->kind;

			if (s->ephemeral && (kind == K_GET || kind == K_ITER_GET)) {
				snprintf(tmp, sizeof(tmp),
					 "FOLL_EPHEMERAL passed to %s(), which does not pin",
					 s->api->name);
				add(out, f, s->line, s->col, "ephemeral-without-pin", tmp);
			} else if (s->ephemeral && !s->lifetime_comment) {
				/* user-served alternatives need no comment of
				 * their own; the ephemeral one still does */
				snprintf(tmp, sizeof(tmp),
					 "ephemeral pin in %s()%s without a lifetime comment "
					 "directly above the call or the FOLL_EPHEMERAL "
					 "assignment (say where and when it is unpinned)",
					 s->func, s->user_served ?
					 " (user-served on other paths)" : "");
				add(out, f, s->line, s->col, "ephemeral-no-comment", tmp);
			} else if ((s->must & EPHEMERAL_BITS) && (s->must & SERVED_BITS) &&
				   kind != K_GET && kind != K_ITER_GET) {
				snprintf(tmp, sizeof(tmp),
					 "%s() in %s() asks for an ephemeral and a "
					 "user-served pin on every path: the pin is "
					 "refused (-EINVAL); choose one",
					 s->api->name, s->func);
				add(out, f, s->line, s->col, "user-served-conflict", tmp);
			} else if ((s->must & P2PDMA_BITS) && (s->must & SERVED_BITS) &&
				   kind != K_GET && kind != K_ITER_GET) {
				snprintf(tmp, sizeof(tmp),
					 "%s() in %s() asks for a user-served pin of "
					 "P2PDMA memory on every path: the pin is "
					 "refused (-EINVAL)", s->api->name, s->func);
				add(out, f, s->line, s->col, "user-served-conflict", tmp);
			}
			if (s->looks_long) {
				snprintf(tmp, sizeof(tmp),
					 "%s pin by %s() looks long-term: pages are kept in "
					 "%s and released %s%s%s",
					 s->ephemeral ? "ephemeral" : "short-term",
					 s->func, s->lt->holder ? s->lt->holder : "?",
					 released_where(rw, sizeof(rw), s->rel_func),
					 s->via && *s->via ? ", called through " : "",
					 s->via ? s->via : "");
				branch_suffix(tmp, sizeof(tmp), s);
				add(out, f, s->line, s->col, "looks-long-term", tmp);
				struct finding *fd = &out->v[out->n - 1];

				fd->note_file = s->rel_file;
				fd->note_line = s->rel_line;
				snprintf(tmp, sizeof(tmp), "pages released here, %s",
					 released_where(rw, sizeof(rw), s->rel_func));
				fd->note = xstrdup(tmp);
				fd->lt = s->lt;
			}
			if (s->nneedless && needless_class(s)) {
				for (int n = 0; n < s->nneedless; n++) {
					const struct lifetime *lt = &s->needless[n];

					/* another path keeps the pages: FOLL_EPHEMERAL
					 * on every path would be looks-long-term, so
					 * the advice is a flag this path's caller
					 * chooses (as the rule accepts) */
					const struct lifetime *kl = s->lt;
					bool kept = kl && kl->v == V_USER && kl->trigger &&
						    kl->holder && kl->release;
					char alt[400] = "";

					if (kept)
						snprintf(alt, sizeof(alt), "; another path keeps "
							 "the pages (in %s, released %s only "
							 "later), so only this path's caller may "
							 "ask for it (the flags as a parameter)",
							 kl->holder,
							 released_where(rw, sizeof(rw), kl->release));
					snprintf(tmp, sizeof(tmp),
						 "%s by %s() is dropped before %s() returns "
						 "(released by %s()): the migration out of "
						 "ZONE_MOVABLE/CMA buys nothing; on this path "
						 "pass %s with a lifetime comment%s",
						 s->api->kind == K_GET || s->api->kind == K_ITER_GET ?
						 "long-term reference" : "long-term pin",
						 s->func, lt->holder, lt->release,
						 s->api->kind == K_EXTRACT ? "ITER_EPHEMERAL" :
						 s->api->kind == K_PIN ? "FOLL_EPHEMERAL" :
						 "FOLL_EPHEMERAL to pin_user_pages*() (a short-term pin)",
						 alt);
					add(out, f, s->line, s->col, "needless-longterm", tmp);
					out->v[out->n - 1].level = "note";
					out->v[out->n - 1].lt = lt;
				}
			}
			if (s->user_ref) {
				snprintf(tmp, sizeof(tmp),
					 "%s() by %s() is a reference userspace keeps alive: "
					 "pages kept in %s, released %s; pin it (long-term by "
					 "default now), or migrate first, as the series' _longterm "
					 "helpers do", s->api->name, s->func,
					 s->lt->holder ? s->lt->holder : "?",
					 released_where(rw, sizeof(rw), s->rel_func));
				branch_suffix(tmp, sizeof(tmp), s);
				add(out, f, s->line, s->col, "user-held-reference", tmp);
				struct finding *fd = &out->v[out->n - 1];

				fd->note_file = s->rel_file;
				fd->note_line = s->rel_line;
				snprintf(tmp, sizeof(tmp), "references dropped here, %s",
					 released_where(rw, sizeof(rw), s->rel_func));
				fd->note = xstrdup(tmp);
				fd->lt = s->lt;
			}
		}
		if (gen == API_NEW && !path_in_mm(f->rel)) {
			for (size_t k = 0; k < f->hits.n; k++) {
				const struct hit *h = &f->hits.v[k];

				snprintf(tmp, sizeof(tmp),
					 "%s is internal to mm/ (mm/internal.h) under the "
					 "new GUP API; pins are long-term by default",
					 h->name);
				add(out, f, h->line, h->col, "internal-flag", tmp);
			}
		}
	}
}

void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].msg);
		free(f->v[i].note);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}
