// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit - audit get_user_pages()/pin_user_pages() call sites in any
 * Linux kernel tree: inventory, lint, risk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pinaudit.h"
#include "scan.h"
#include "model.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INCOMPLETE = 3 };

static const char usage_text[] =
"Usage: pinaudit COMMAND [OPTIONS] TREE | FILE...\n"
"\n"
"Audit the get_user_pages()/pin_user_pages() call sites of a Linux kernel\n"
"tree (or of the given .c/.h files).\n"
"\n"
"Commands:\n"
"  inventory   every call of the GUP family with its flags and lifetime class\n"
"  lint        gcc-style warnings; exit 1 when there are any\n"
"  risk        Markdown: what flipping pins to long-term by default changes\n"
"\n"
"Options:\n"
"  -f, --format FMT  inventory: table (default), json, csv, tsv, sarif\n"
"                    lint: gcc (default), json, sarif\n"
"                    risk: md (default), json\n"
"      --api GEN     old | new | auto (default): the GUP API generation.\n"
"                    auto: new if include/linux/mm_types.h or mm.h defines\n"
"                    FOLL_EPHEMERAL (FILES mode: if any file mentions it)\n"
"  -j, --jobs N      worker threads (default: number of CPUs, at most 8)\n"
"  -q, --quiet       no summary line on stderr; lint (gcc format): warnings\n"
"                    only, no notes\n"
"  -h, --help        this text\n"
"  -V, --version     print the version\n"
"\n"
"Exit status: 0 clean, 1 lint warnings (notes do not count), 2 usage error,\n"
"3 incomplete scan (a file was unreadable or skipped; each is reported once\n"
"on stderr).\n";

static void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "pinaudit: error: %s%s%s\n", msg, arg ? ": " : "",
		arg ? arg : "");
	fputs("Try 'pinaudit --help' for more information.\n", stderr);
	exit(EXIT_USAGE);
}

/* ------------------------------------------------------------------ */
/* output helpers                                                      */

static void json_str(struct sbuf *b, const char *s)
{
	sb_putc(b, '"');
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			sb_putc(b, '\\');
			sb_putc(b, c);
		} else if (c == '\n') {
			sb_puts(b, "\\n");
		} else if (c == '\t') {
			sb_puts(b, "\\t");
		} else if (c < 0x20) {
			sb_printf(b, "\\u%04x", c);
		} else {
			sb_putc(b, c);
		}
	}
	sb_putc(b, '"');
}

static void csv_str(struct sbuf *b, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\n\r")) {
		sb_puts(b, s);
		return;
	}
	sb_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_putc(b, '"');
		sb_putc(b, *s);
	}
	sb_putc(b, '"');
}

static void tsv_str(struct sbuf *b, const char *s)
{
	for (; s && *s; s++)
		sb_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void md_cell(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			sb_puts(b, "\\|");
		else if (*s == '\n')
			sb_putc(b, ' ');
		else
			sb_putc(b, *s);
	}
}

/* FOLL_WRITE|FOLL_LONGTERM (known first, then others) */
static void flag_list_x(struct sbuf *b, const struct site *s, const char *sep,
			int which)
{
	bool first = true;
	/* which: 0 all, 1 all with '?' after the conditional ones, 2 only those */

	for (size_t i = 0; i < flag_count; i++) {
		bool maybe = !(s->must & FLAG_BIT(i));

		if (!(s->flags & FLAG_BIT(i)) || (which == 2 && !maybe))
			continue;
		if (!first)
			sb_puts(b, sep);
		sb_puts(b, flag_names[i]);
		if (which == 1 && maybe)
			sb_putc(b, '?');
		first = false;
	}
	if (which == 2)
		return;
	if (s->flags_extra && *s->flags_extra) {
		const char *p = s->flags_extra;

		while (*p) {
			const char *e = strchr(p, '|');
			size_t l = e ? (size_t)(e - p) : strlen(p);

			if (!first)
				sb_puts(b, sep);
			sb_putn(b, p, l);
			first = false;
			p += l + (e ? 1 : 0);
		}
	}
}

static void flag_list(struct sbuf *b, const struct site *s, const char *sep)
{
	flag_list_x(b, s, sep, 0);
}

static char *flags_str(const struct site *s)
{
	struct sbuf b = { 0 };

	flag_list_x(&b, s, "|", 1);
	if (!b.len)
		sb_puts(&b, s->api->flags_arg < 0 ? "-" : "0");
	if (s->unresolved && *s->unresolved)
		sb_printf(&b, " +?%s", s->unresolved);
	return b.s;
}

static const char *kind_name(enum api_kind k)
{
	switch (k) {
	case K_PIN: return "pin";
	case K_GET: return "get";
	case K_EXTRACT: return "extract";
	case K_ITER_GET: return "iter-get";
	}
	return "?";
}

static const char *class_key(enum lclass c)
{
	static const char *const keys[] = {
		[LC_LONGTERM_EXPLICIT] = "long-term-explicit",
		[LC_LONGTERM_DEFAULT] = "long-term-default",
		[LC_EPHEMERAL_COMMENTED] = "ephemeral-commented",
		[LC_EPHEMERAL_UNCOMMENTED] = "ephemeral-uncommented",
		[LC_USER_SERVED] = "user-served",
		[LC_EPH_OR_SERVED_COMMENTED] = "ephemeral-or-user-served-commented",
		[LC_EPH_OR_SERVED_UNCOMMENTED] = "ephemeral-or-user-served-uncommented",
		[LC_SHORTTERM_LEGACY] = "short-term-legacy",
		[LC_REFERENCE_ONLY] = "reference-only",
	};
	return keys[c];
}

/* ------------------------------------------------------------------ */

struct run {
	struct scan_result sr;
	enum api_gen gen;
	size_t nsites, nfiles_with_sites;
	size_t per_class[LC__COUNT];
};

static void count(struct run *r)
{
	for (size_t i = 0; i < r->sr.n; i++) {
		const struct file_res *f = r->sr.files[i];

		if (!f || !f->sites.n)
			continue;
		r->nfiles_with_sites++;
		for (size_t k = 0; k < f->sites.n; k++) {
			r->nsites++;
			r->per_class[f->sites.v[k].cls]++;
		}
	}
}

static void put_out(struct sbuf *b)
{
	if (b->len && fwrite(b->s, 1, b->len, stdout) != b->len) {
		fprintf(stderr, "pinaudit: error writing output: %s\n", strerror(errno));
		exit(EXIT_INCOMPLETE);
	}
	sb_free(b);
}

static void json_skipped(struct sbuf *b, struct run *r)
{
	bool first = true;

	sb_puts(b, "  \"skipped\": [");
	for (size_t i = 0; i < r->sr.n; i++) {
		const struct file_res *f = r->sr.files[i];

		if (!f || !f->skip_reason)
			continue;
		sb_puts(b, first ? "\n    {\"file\": " : ",\n    {\"file\": ");
		json_str(b, f->path);
		sb_puts(b, ", \"reason\": ");
		json_str(b, f->skip_reason);
		sb_puts(b, "}");
		first = false;
	}
	sb_puts(b, first ? "],\n" : "\n  ],\n");
}

static void json_site(struct sbuf *b, const struct site *s)
{
	sb_puts(b, "{\"file\": ");
	json_str(b, s->file->path);
	sb_printf(b, ", \"line\": %u, \"col\": %u, \"function\": ", s->line, s->col);
	json_str(b, s->func);
	sb_puts(b, ", \"api\": ");
	json_str(b, s->api->name);
	sb_printf(b, ", \"kind\": \"%s\", \"flags_expr\": ", kind_name(s->api->kind));
	json_str(b, s->flags_expr);
	sb_puts(b, ", \"flags\": [");
	{
		struct sbuf t = { 0 };

		flag_list(&t, s, "\",\"");
		if (t.len) {
			sb_putc(b, '"');
			sb_puts(b, t.s);
			sb_putc(b, '"');
		}
		sb_free(&t);
	}
	sb_puts(b, "], \"conditional_flags\": [");
	{
		struct sbuf t = { 0 };

		flag_list_x(&t, s, "\",\"", 2);
		if (t.len) {
			sb_putc(b, '"');
			sb_puts(b, t.s);
			sb_putc(b, '"');
		}
		sb_free(&t);
	}
	sb_puts(b, "], \"unresolved\": ");
	json_str(b, s->unresolved);
	sb_printf(b, ", \"conditional\": %s, \"class\": \"%s\", \"ephemeral\": %s, "
		  "\"user_served\": %s, \"lifetime_comment\": %s, \"storage\": ",
		  s->cond ? "true" : "false", class_key(s->cls),
		  s->ephemeral ? "true" : "false",
		  s->user_served ? "true" : "false",
		  s->lifetime_comment ? "true" : "false");
	if (s->storage == ST_NONE) {
		sb_puts(b, "null");
	} else {
		sb_printf(b, "{\"kind\": \"%s\", \"name\": ",
			  s->storage == ST_FIELD ? "field" : "global");
		json_str(b, s->storage_name);
		sb_puts(b, ", \"expr\": ");
		json_str(b, s->storage_expr);
		sb_puts(b, "}");
	}
	sb_printf(b, ", \"looks_long_term\": %s", s->looks_long ? "true" : "false");
	if (s->looks_long) {
		sb_puts(b, ", \"released_in\": {\"function\": ");
		json_str(b, s->rel_func);
		sb_puts(b, ", \"file\": ");
		json_str(b, s->rel_file);
		sb_printf(b, ", \"line\": %u}", s->rel_line);
	}
	if (s->evidence) {
		sb_puts(b, ", \"evidence\": ");
		json_str(b, s->evidence);
	}
	if (s->branch) {
		sb_puts(b, ", \"branch\": ");
		json_str(b, s->branch);
	}
	sb_puts(b, "}");
}

static void sarif_begin(struct sbuf *b, bool lint_rules)
{
	sb_puts(b, "{\n  \"version\": \"2.1.0\",\n"
		"  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
		"  \"runs\": [{\n    \"tool\": {\"driver\": {\"name\": \"pinaudit\", "
		"\"version\": \"" PINAUDIT_VERSION "\", \"informationUri\": "
		"\"https://docs.kernel.org/core-api/pin_user_pages.html\", \"rules\": [");
	if (lint_rules)
		sb_puts(b,
			"\n      {\"id\": \"ephemeral-no-comment\", \"shortDescription\": {\"text\": \"Ephemeral pin without a lifetime comment\"}, \"defaultConfiguration\": {\"level\": \"warning\"}},"
			"\n      {\"id\": \"internal-flag\", \"shortDescription\": {\"text\": \"FOLL_LONGTERM/FOLL_GET named outside mm/\"}, \"defaultConfiguration\": {\"level\": \"warning\"}},"
			"\n      {\"id\": \"looks-long-term\", \"shortDescription\": {\"text\": \"Short-term pin whose pages outlive the function\"}, \"defaultConfiguration\": {\"level\": \"warning\"}},"
			"\n      {\"id\": \"ephemeral-without-pin\", \"shortDescription\": {\"text\": \"FOLL_EPHEMERAL on a call that does not pin\"}, \"defaultConfiguration\": {\"level\": \"warning\"}},"
			"\n      {\"id\": \"user-held-reference\", \"shortDescription\": {\"text\": \"get_user_pages references that userspace keeps alive\"}, \"defaultConfiguration\": {\"level\": \"warning\"}},"
			"\n      {\"id\": \"user-served-conflict\", \"shortDescription\": {\"text\": \"FOLL_USER_SERVED with FOLL_EPHEMERAL or P2PDMA on every path\"}, \"defaultConfiguration\": {\"level\": \"warning\"}},"
			"\n      {\"id\": \"needless-longterm\", \"shortDescription\": {\"text\": \"Long-term pin always dropped before the call returns\"}, \"defaultConfiguration\": {\"level\": \"note\"}}]}},\n");
	else
		sb_puts(b,
			"\n      {\"id\": \"gup-site\", \"shortDescription\": {\"text\": \"A call of the get_user_pages/pin_user_pages family\"}, \"defaultConfiguration\": {\"level\": \"note\"}}]}},\n");
	sb_puts(b, "    \"originalUriBaseIds\": {\"SRCROOT\": {\"uri\": ");
}

static void sarif_uri(struct sbuf *b, const char *rel)
{
	sb_putc(b, '"');
	for (const char *p = rel; *p; p++) {
		unsigned char c = *p;

		if (c == '"' || c == '\\' || c == ' ' || c == '%' || c == '#' ||
		    c == '?' || c < 0x20 || c >= 0x7f)
			sb_printf(b, "%%%02X", c);
		else
			sb_putc(b, c);
	}
	sb_putc(b, '"');
}

static void sarif_root(struct sbuf *b, struct run *r)
{
	struct sbuf u = { 0 };

	sb_puts(&u, "file://");
	if (r->sr.tree_root)
		sb_puts(&u, r->sr.tree_root);
	else {
		char cwd[PATH_BUF];

		if (getcwd(cwd, sizeof(cwd)))
			sb_puts(&u, cwd);
	}
	sb_puts(&u, "/");
	json_str(b, u.s);
	sb_free(&u);
	sb_puts(b, "}},\n    \"results\": [");
}

static void sarif_loc(struct sbuf *b, const char *rel, unsigned line, unsigned col)
{
	sb_puts(b, "{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
	sarif_uri(b, rel);
	sb_printf(b, ", \"uriBaseId\": \"SRCROOT\"}, \"region\": {\"startLine\": %u",
		  line);
	if (col)
		sb_printf(b, ", \"startColumn\": %u", col);
	sb_puts(b, "}}}");
}

static void sarif_end(struct sbuf *b, struct run *r)
{
	bool first = true;

	sb_printf(b, "\n    ],\n    \"invocations\": [{\"executionSuccessful\": %s, "
		  "\"toolExecutionNotifications\": [",
		  r->sr.incomplete ? "false" : "true");
	for (size_t i = 0; i < r->sr.n; i++) {
		const struct file_res *f = r->sr.files[i];

		if (!f || !f->skip_reason)
			continue;
		sb_puts(b, first ? "\n      " : ",\n      ");
		sb_puts(b, "{\"level\": \"warning\", \"message\": {\"text\": ");
		struct sbuf m = { 0 };

		sb_printf(&m, "skipped: %s", f->skip_reason);
		json_str(b, m.s);
		sb_free(&m);
		sb_puts(b, "}, \"locations\": [");
		sarif_loc(b, f->rel, 1, 0);
		sb_puts(b, "]}");
		first = false;
	}
	sb_puts(b, "]}]\n  }]\n}\n");
}

/* rel path of a file_res by path (for notes pointing at other files) */
static const char *rel_of(struct run *r, const char *path)
{
	for (size_t i = 0; i < r->sr.n; i++)
		if (r->sr.files[i] && r->sr.files[i]->path == path)
			return r->sr.files[i]->rel;
	return path;
}

/* ------------------------------------------------------------------ */
/* inventory                                                           */

#define NCOL 7
static void table_row(struct sbuf *b, const char *cells[NCOL], const size_t w[NCOL])
{
	for (int c = 0; c < NCOL; c++) {
		size_t l = strlen(cells[c]);

		sb_puts(b, cells[c]);
		if (c < NCOL - 1)
			for (size_t k = l; k < w[c] + 2; k++)
				sb_putc(b, ' ');
	}
	/* no trailing blanks */
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = 0;
	sb_putc(b, '\n');
}

static char *site_note(const struct site *s)
{
	struct sbuf b = { 0 };

	if (s->branch)
		sb_printf(&b, "[%s] ", s->branch);
	if (s->looks_long)
		sb_printf(&b, "LOOKS LONG-TERM: %s", s->evidence);
	else if (s->evidence)
		sb_puts(&b, s->evidence);
	else
		sb_puts(&b, "");
	return b.s;
}

static int do_inventory(struct run *r, const char *fmt)
{
	struct sbuf b = { 0 };
	size_t nsite = 0;

	if (!strcmp(fmt, "table")) {
		const char *hdr[NCOL] = { "LOCATION", "FUNCTION", "API", "CLASS",
					  "FLAGS", "AS WRITTEN", "NOTE" };
		size_t w[NCOL];
		char ***rows;

		for (int c = 0; c < NCOL; c++)
			w[c] = strlen(hdr[c]);
		rows = calloc(r->nsites + 1, sizeof(*rows));
		for (size_t i = 0; i < r->sr.n; i++) {
			const struct file_res *f = r->sr.files[i];

			for (size_t k = 0; f && k < f->sites.n; k++) {
				const struct site *s = &f->sites.v[k];
				char **row = calloc(NCOL, sizeof(char *));
				struct sbuf loc = { 0 };

				sb_printf(&loc, "%s:%u:%u", f->path, s->line, s->col);
				row[0] = loc.s;
				row[1] = strdup(s->func);
				row[2] = strdup(s->api->name);
				row[3] = strdup(lclass_names[s->cls]);
				row[4] = flags_str(s);
				row[5] = strdup(s->flags_expr && *s->flags_expr ? s->flags_expr : "-");
				row[6] = site_note(s);
				for (int c = 0; c < NCOL - 1; c++) {
					size_t l = strlen(row[c]);

					if (l > w[c] && l <= 56)
						w[c] = l;
				}
				rows[nsite++] = row;
			}
		}
		table_row(&b, hdr, w);
		for (size_t i = 0; i < nsite; i++) {
			table_row(&b, (const char **)rows[i], w);
			for (int c = 0; c < NCOL; c++)
				free(rows[i][c]);
			free(rows[i]);
		}
		free(rows);
		sb_printf(&b, "\n%zu sites in %zu files (%s API):", r->nsites,
			  r->nfiles_with_sites, r->gen == API_NEW ? "new" : "old");
		for (int c = 0; c < LC__COUNT; c++)
			if (r->per_class[c])
				sb_printf(&b, " %s %zu;", lclass_names[c], r->per_class[c]);
		size_t ll = 0;

		for (size_t i = 0; i < r->sr.n; i++)
			for (size_t k = 0; r->sr.files[i] && k < r->sr.files[i]->sites.n; k++)
				ll += r->sr.files[i]->sites.v[k].looks_long;
		sb_printf(&b, " looks long-term %zu\n", ll);
	} else if (!strcmp(fmt, "csv") || !strcmp(fmt, "tsv")) {
		bool tsv = fmt[0] == 't';
		void (*cell)(struct sbuf *, const char *) = tsv ? tsv_str : csv_str;
		char sep = tsv ? '\t' : ',';

		for (const char *h = "file,line,col,function,api,kind,flags_expr,flags,"
		     "unresolved,conditional,class,storage,looks_long_term,"
		     "released_in,evidence,conditional_flags,lifetime,via,holder,"
		     "trigger,branch\n"; *h; h++)
			sb_putc(&b, *h == ',' ? sep : *h);
		for (size_t i = 0; i < r->sr.n; i++) {
			const struct file_res *f = r->sr.files[i];

			for (size_t k = 0; f && k < f->sites.n; k++) {
				const struct site *s = &f->sites.v[k];
				struct sbuf t = { 0 };

				cell(&b, f->path);
				sb_printf(&b, "%c%u%c%u%c", sep, s->line, sep, s->col, sep);
				cell(&b, s->func);
				sb_printf(&b, "%c%s%c%s%c", sep, s->api->name, sep, kind_name(s->api->kind), sep);
				cell(&b, s->flags_expr);
				sb_putc(&b, sep);
				flag_list(&t, s, "|");
				cell(&b, t.s);
				sb_free(&t);
				sb_putc(&b, sep);
				cell(&b, s->unresolved);
				sb_printf(&b, "%c%s%c%s%c", sep, s->cond ? "yes" : "no",
					  sep, class_key(s->cls), sep);
				cell(&b, s->storage == ST_NONE ? "" : s->storage_expr);
				sb_printf(&b, "%c%s%c", sep, s->looks_long ? "yes" : "no", sep);
				if (s->looks_long) {
					sb_printf(&t, "%s() %s:%u", s->rel_func,
						  s->rel_file, s->rel_line);
					cell(&b, t.s);
					sb_free(&t);
				}
				sb_putc(&b, sep);
				cell(&b, s->evidence);
				sb_putc(&b, sep);
				flag_list_x(&t, s, "|", 2);
				cell(&b, t.s);
				sb_free(&t);
				sb_putc(&b, sep);
				cell(&b, s->lt ? verdict_names[s->lt->v] : "none");
				sb_putc(&b, sep);
				cell(&b, s->via ? s->via : "");
				sb_putc(&b, sep);
				cell(&b, s->lt && s->lt->holder ? s->lt->holder : "");
				sb_putc(&b, sep);
				cell(&b, s->lt && s->lt->v == V_USER && s->lt->trigger ? s->lt->trigger : "");
				sb_putc(&b, sep);
				cell(&b, s->branch ? s->branch : "");
				sb_putc(&b, '\n');
			}
		}
	} else if (!strcmp(fmt, "json")) {
		bool first = true;

		sb_printf(&b, "{\n  \"tool\": \"pinaudit\",\n  \"version\": \"%s\",\n"
			  "  \"api\": \"%s\",\n  \"root\": ", PINAUDIT_VERSION,
			  r->gen == API_NEW ? "new" : "old");
		if (r->sr.root)
			json_str(&b, r->sr.root);
		else
			sb_puts(&b, "null");
		sb_printf(&b, ",\n  \"complete\": %s,\n  \"files_scanned\": %zu,\n",
			  r->sr.incomplete ? "false" : "true", r->sr.n);
		json_skipped(&b, r);
		sb_printf(&b, "  \"summary\": {\"sites\": %zu", r->nsites);
		for (int c = 0; c < LC__COUNT; c++)
			sb_printf(&b, ", \"%s\": %zu", class_key(c), r->per_class[c]);
		sb_puts(&b, ", \"per_api\": {");
		for (size_t a = 0; a < api_count; a++) {
			size_t n = 0;

			for (size_t i = 0; i < r->sr.n; i++)
				for (size_t k = 0; r->sr.files[i] && k < r->sr.files[i]->sites.n; k++)
					n += r->sr.files[i]->sites.v[k].api == &api_table[a];
			sb_printf(&b, "%s\"%s\": %zu", a ? ", " : "", api_table[a].name, n);
		}
		sb_puts(&b, "}},\n  \"sites\": [");
		for (size_t i = 0; i < r->sr.n; i++) {
			const struct file_res *f = r->sr.files[i];

			for (size_t k = 0; f && k < f->sites.n; k++) {
				sb_puts(&b, first ? "\n    " : ",\n    ");
				json_site(&b, &f->sites.v[k]);
				first = false;
			}
		}
		sb_puts(&b, first ? "]\n}\n" : "\n  ]\n}\n");
	} else if (!strcmp(fmt, "sarif")) {
		bool first = true;

		sarif_begin(&b, false);
		sarif_root(&b, r);
		for (size_t i = 0; i < r->sr.n; i++) {
			const struct file_res *f = r->sr.files[i];

			for (size_t k = 0; f && k < f->sites.n; k++) {
				const struct site *s = &f->sites.v[k];
				struct sbuf m = { 0 };
				char *fl = flags_str(s);

				sb_printf(&m, "%s() in %s(): %s; flags %s", s->api->name,
					  s->func, lclass_names[s->cls], fl);
				if (s->looks_long)
					sb_printf(&m, "; looks long-term: %s", s->evidence);
				free(fl);
				sb_puts(&b, first ? "\n      " : ",\n      ");
				sb_puts(&b, "{\"ruleId\": \"gup-site\", \"ruleIndex\": 0, "
					"\"level\": \"note\", \"message\": {\"text\": ");
				json_str(&b, m.s);
				sb_free(&m);
				sb_puts(&b, "}, \"locations\": [");
				sarif_loc(&b, f->rel, s->line, s->col);
				sb_printf(&b, "], \"properties\": {\"class\": \"%s\"}}",
					  class_key(s->cls));
				first = false;
			}
		}
		sarif_end(&b, r);
	} else {
		usage_error("unknown format for inventory (table, json, csv, tsv, sarif)", fmt);
	}
	put_out(&b);
	return r->sr.incomplete ? EXIT_INCOMPLETE : EXIT_CLEAN;
}

/* ------------------------------------------------------------------ */
/* lint                                                                */

static int rule_index(const char *rule)
{
	static const char *const rules[] = {
		"ephemeral-no-comment", "internal-flag", "looks-long-term",
		"ephemeral-without-pin", "user-held-reference",
		"user-served-conflict", "needless-longterm",
	};
	for (int i = 0; i < (int)(sizeof(rules) / sizeof(*rules)); i++)
		if (!strcmp(rules[i], rule))
			return i;
	return 0;
}

static int do_lint(struct run *r, const char *fmt, bool quiet)
{
	struct findings fs = { 0 };
	struct sbuf b = { 0 };

	lint(r->sr.files, r->sr.n, r->gen, &fs);
	size_t nwarn = 0;

	for (size_t i = 0; i < fs.n; i++)
		nwarn += !strcmp(fs.v[i].level, "warning");
	if (!strcmp(fmt, "gcc")) {
		for (size_t i = 0; i < fs.n; i++) {
			const struct finding *f = &fs.v[i];

			/* -q: warnings only; notes (needless-longterm) need no fix */
			if (quiet && strcmp(f->level, "warning"))
				continue;
			sb_printf(&b, "%s:%u:%u: %s: %s [pinaudit-%s]\n",
				  f->file->path, f->line, f->col, f->level, f->msg, f->rule);
			if (f->lt) {
				/* the reasoning, pin to release to trigger */
				for (int k = 0; k < f->lt->nsteps; k++)
					sb_printf(&b, "%s:%u: note: %s\n", f->lt->steps[k].path,
						  f->lt->steps[k].line, f->lt->steps[k].msg);
			} else if (f->note) {
				sb_printf(&b, "%s:%u: note: %s\n", f->note_file,
					  f->note_line, f->note);
			}
		}
	} else if (!strcmp(fmt, "json")) {
		sb_printf(&b, "{\n  \"tool\": \"pinaudit\",\n  \"api\": \"%s\",\n"
			  "  \"complete\": %s,\n",
			  r->gen == API_NEW ? "new" : "old",
			  r->sr.incomplete ? "false" : "true");
		json_skipped(&b, r);
		sb_puts(&b, "  \"findings\": [");
		for (size_t i = 0; i < fs.n; i++) {
			const struct finding *f = &fs.v[i];

			sb_puts(&b, i ? ",\n    {\"file\": " : "\n    {\"file\": ");
			json_str(&b, f->file->path);
			sb_printf(&b, ", \"line\": %u, \"col\": %u, \"rule\": \"%s\", "
				  "\"level\": \"%s\", \"message\": ", f->line, f->col, f->rule,
				  f->level);
			json_str(&b, f->msg);
			if (f->note) {
				sb_puts(&b, ", \"note\": {\"file\": ");
				json_str(&b, f->note_file);
				sb_printf(&b, ", \"line\": %u, \"message\": ", f->note_line);
				json_str(&b, f->note);
				sb_puts(&b, "}");
			}
			sb_puts(&b, "}");
		}
		sb_puts(&b, fs.n ? "\n  ]\n}\n" : "]\n}\n");
	} else if (!strcmp(fmt, "sarif")) {
		sarif_begin(&b, true);
		sarif_root(&b, r);
		for (size_t i = 0; i < fs.n; i++) {
			const struct finding *f = &fs.v[i];

			sb_puts(&b, i ? ",\n      " : "\n      ");
			sb_printf(&b, "{\"ruleId\": \"%s\", \"ruleIndex\": %d, "
				  "\"level\": \"%s\", \"message\": {\"text\": ",
				  f->rule, rule_index(f->rule), f->level);
			json_str(&b, f->msg);
			sb_puts(&b, "}, \"locations\": [");
			sarif_loc(&b, f->file->rel, f->line, f->col);
			sb_puts(&b, "]");
			if (f->note) {
				sb_puts(&b, ", \"relatedLocations\": [{\"id\": 1, \"message\": {\"text\": ");
				json_str(&b, f->note);
				sb_puts(&b, "}, \"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
				sarif_uri(&b, rel_of(r, f->note_file));
				sb_printf(&b, ", \"uriBaseId\": \"SRCROOT\"}, \"region\": "
					  "{\"startLine\": %u}}}]", f->note_line);
			}
			if (f->lt && f->lt->nsteps) {
				/* the reasoning as one thread flow: pin -> release -> trigger */
				sb_puts(&b, ", \"codeFlows\": [{\"threadFlows\": [{\"locations\": [");
				for (int k = 0; k < f->lt->nsteps; k++) {
					sb_puts(&b, k ? ", " : "");
					sb_puts(&b, "{\"location\": {\"message\": {\"text\": ");
					json_str(&b, f->lt->steps[k].msg);
					sb_puts(&b, "}, \"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
					sarif_uri(&b, rel_of(r, f->lt->steps[k].path));
					sb_printf(&b, ", \"uriBaseId\": \"SRCROOT\"}, \"region\": "
						  "{\"startLine\": %u}}}}", f->lt->steps[k].line);
				}
				sb_puts(&b, "]}]}]");
			}
			sb_puts(&b, "}");
		}
		sarif_end(&b, r);
	} else {
		findings_free(&fs);
		usage_error("unknown format for lint (gcc, json, sarif)", fmt);
	}
	put_out(&b);
	if (!quiet)
		fprintf(stderr, "pinaudit: %zu warning%s, %zu note%s in %zu files scanned (%s API)%s\n",
			nwarn, nwarn == 1 ? "" : "s", fs.n - nwarn, fs.n - nwarn == 1 ? "" : "s",
			r->sr.n, r->gen == API_NEW ? "new" : "old",
			r->sr.incomplete ? "; scan incomplete" : "");
	findings_free(&fs);
	if (r->sr.incomplete)
		return EXIT_INCOMPLETE;
	return nwarn ? EXIT_FINDINGS : EXIT_CLEAN;
}

/* ------------------------------------------------------------------ */
/* risk                                                                */

enum risk_cat {
	RC_BECOMES_FIXED,	/* looks long-term: the flip fixes it          */
	RC_NEEDS_EPHEMERAL,	/* short-term in fact: must opt out            */
	RC_REVIEW,		/* no evidence either way                      */
	RC_COND_LONG,		/* FOLL_LONGTERM on some paths only            */
	RC_ALREADY,		/* FOLL_LONGTERM: drop the redundant flag      */
	RC_EPHEMERAL,		/* already opted out (new API)                 */
	RC_EPH_OR_SERVED,	/* ephemeral or user-served, chosen at run time */
	RC_USER_SERVED,		/* FOLL_USER_SERVED: a server completes the I/O */
	RC_DEFAULT,		/* new API: long-term by default               */
	RC_REFONLY,		/* get_user_pages*, iov_iter_get_pages*        */
	RC__COUNT
};

static enum risk_cat risk_of(const struct site *s)
{
	switch (s->cls) {
	case LC_REFERENCE_ONLY:
		return RC_REFONLY;
	case LC_LONGTERM_EXPLICIT:
		return (s->must & FLAG_BIT(FB_LONGTERM)) ? RC_ALREADY : RC_COND_LONG;
	case LC_LONGTERM_DEFAULT:
		return RC_DEFAULT;
	case LC_EPHEMERAL_COMMENTED:
	case LC_EPHEMERAL_UNCOMMENTED:
		return s->looks_long ? RC_BECOMES_FIXED : RC_EPHEMERAL;
	case LC_EPH_OR_SERVED_COMMENTED:
	case LC_EPH_OR_SERVED_UNCOMMENTED:
		return s->looks_long ? RC_BECOMES_FIXED : RC_EPH_OR_SERVED;
	case LC_USER_SERVED:
		return RC_USER_SERVED;
	case LC_SHORTTERM_LEGACY:
	default:
		if (s->looks_long)
			return RC_BECOMES_FIXED;
		if ((s->storage == ST_NONE && !s->returned) || s->same_func_release ||
		    (s->evidence && (strstr(s->evidence, "completion") ||
				     strstr(s->evidence, "called from"))))
			return RC_NEEDS_EPHEMERAL;
		return RC_REVIEW;
	}
}

static const char *const risk_title[RC__COUNT] = {
	"Becomes long-term, and should: pages outlive the call",
	"Needs FOLL_EPHEMERAL: short-term in fact",
	"Becomes long-term: review (no evidence either way)",
	"Conditionally long-term: the other paths become long-term",
	"Already long-term: FOLL_LONGTERM becomes redundant",
	"Ephemeral (already opted out)",
	"Ephemeral or user-served, chosen at run time",
	"User-served: held until a userspace server completes the I/O",
	"Long-term by default (new API)",
	"Reference-only: unchanged",
};

static const char *const risk_text[RC__COUNT] = {
	"These pins are short-term today but their pages are kept after the "
	"call returns and released elsewhere, under userspace control. After "
	"the flip they are long-term: the pages are migrated out of "
	"ZONE_MOVABLE/CMA before the pin, and the pin now fails (-EFAULT) on "
	"mappings that cannot be pinned long-term (file-backed, dirty-tracked, "
	"writable). That is the intended fix; check the failure mode.",
	"Pinned and released within one operation (same function, or an I/O "
	"completion). After the flip they would migrate pages and refuse "
	"file-backed mappings for no benefit: add FOLL_EPHEMERAL (or the "
	"iov_iter extraction flag) with a comment saying where the pin is "
	"dropped.",
	"Short-term today; the audit found no release that proves either "
	"lifetime (pages handed to the caller or stored without a matching "
	"unpin nearby). They become long-term after the flip unless marked.",
	"FOLL_LONGTERM is set on some paths only. The other paths become "
	"long-term after the flip; mark the short-term ones FOLL_EPHEMERAL.",
	"No behaviour change. The explicit FOLL_LONGTERM is dropped (it moves "
	"to mm/internal.h).",
	"Explicitly short-term.",
	"Ephemeral on some paths, user-served (FOLL_USER_SERVED or "
	"ITER_USER_SERVED) on the others, as block and FUSE direct I/O choose "
	"by whether a userspace server completes the request. The ephemeral "
	"alternative carries the lifetime comment.",
	"Held for one I/O whose completion a userspace process (a FUSE, ublk "
	"or NBD server) controls: the pages are migrated out of "
	"ZONE_MOVABLE/CMA first, as for a long-term pin, but no mapping is "
	"refused.",
	"Long-term by default.",
	"get_user_pages*() and iov_iter_get_pages*() take references, not "
	"pins; their semantics do not change.",
};

static int do_risk(struct run *r, const char *fmt)
{
	struct sbuf b = { 0 };
	size_t per[RC__COUNT] = { 0 };

	for (size_t i = 0; i < r->sr.n; i++)
		for (size_t k = 0; r->sr.files[i] && k < r->sr.files[i]->sites.n; k++)
			per[risk_of(&r->sr.files[i]->sites.v[k])]++;
	if (!strcmp(fmt, "json")) {
		bool first = true;

		sb_printf(&b, "{\n  \"api\": \"%s\",\n  \"complete\": %s,\n  \"sites\": [",
			  r->gen == API_NEW ? "new" : "old",
			  r->sr.incomplete ? "false" : "true");
		for (size_t i = 0; i < r->sr.n; i++)
			for (size_t k = 0; r->sr.files[i] && k < r->sr.files[i]->sites.n; k++) {
				const struct site *s = &r->sr.files[i]->sites.v[k];
				static const char *const keys[RC__COUNT] = {
					"becomes-long-term", "needs-ephemeral",
					"review", "conditionally-long-term",
					"already-long-term", "ephemeral",
					"ephemeral-or-user-served", "user-served",
					"long-term-default", "reference-only",
				};

				sb_puts(&b, first ? "\n    {\"risk\": \"" : ",\n    {\"risk\": \"");
				sb_puts(&b, keys[risk_of(s)]);
				sb_puts(&b, "\", \"site\": ");
				json_site(&b, s);
				sb_puts(&b, "}");
				first = false;
			}
		sb_puts(&b, first ? "]\n}\n" : "\n  ]\n}\n");
		put_out(&b);
		return r->sr.incomplete ? EXIT_INCOMPLETE : EXIT_CLEAN;
	}
	if (strcmp(fmt, "md") && strcmp(fmt, "markdown"))
		usage_error("unknown format for risk (md, json)", fmt);

	sb_puts(&b, "## GUP call sites: what making pins long-term by default changes\n\n");
	if (r->gen == API_NEW)
		sb_puts(&b, "This tree is already on the new API (FOLL_EPHEMERAL is "
			"defined): the table below is the state after the flip.\n\n");
	sb_printf(&b, "Audited with pinaudit %s: %zu call sites of the GUP family "
		  "in %zu files%s.\n\n", PINAUDIT_VERSION, r->nsites,
		  r->nfiles_with_sites,
		  r->sr.incomplete ? " (scan incomplete: some files were skipped)" : "");
	sb_puts(&b, "| Effect of the flip | Sites |\n|---|---:|\n");
	for (int c = 0; c < RC__COUNT; c++)
		if (per[c])
			sb_printf(&b, "| %s | %zu |\n", risk_title[c], per[c]);
	for (int c = 0; c < RC__COUNT; c++) {
		if (!per[c])
			continue;
		sb_printf(&b, "\n### %s (%zu)\n\n%s\n\n", risk_title[c], per[c],
			  risk_text[c]);
		if (c == RC_REFONLY) {
			/* one line per file is enough here */
			sb_puts(&b, "| Site | Function | API |\n|---|---|---|\n");
		} else {
			sb_puts(&b, "| Site | Function | API | Flags | Notes |\n"
				"|---|---|---|---|---|\n");
		}
		for (size_t i = 0; i < r->sr.n; i++)
			for (size_t k = 0; r->sr.files[i] && k < r->sr.files[i]->sites.n; k++) {
				const struct site *s = &r->sr.files[i]->sites.v[k];

				if ((int)risk_of(s) != c)
					continue;
				sb_printf(&b, "| `%s:%u` | `%s()` | `%s` |",
					  s->file->rel, s->line, s->func, s->api->name);
				if (c == RC_REFONLY) {
					sb_putc(&b, '\n');
					continue;
				}
				char *fl = flags_str(s);

				sb_puts(&b, " ");
				md_cell(&b, fl);
				free(fl);
				sb_puts(&b, " | ");
				if (s->evidence)
					md_cell(&b, s->evidence);
				if ((c == RC_BECOMES_FIXED || c == RC_REVIEW ||
				     c == RC_COND_LONG) &&
				    (s->flags & FLAG_BIT(FB_WRITE)))
					sb_puts(&b, "; FOLL_WRITE: refused on writable "
						"file-backed mappings once long-term");
				sb_puts(&b, " |\n");
			}
	}
	put_out(&b);
	return r->sr.incomplete ? EXIT_INCOMPLETE : EXIT_CLEAN;
}

/* ------------------------------------------------------------------ */

static bool header_defines_ephemeral(const char *root, const char *rel)
{
	char p[PATH_BUF];
	int fd;
	struct stat st;
	bool ret = false;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (!fstat(fd, &st) && st.st_size > 0 && st.st_size < (64 << 20)) {
		char *buf = malloc(st.st_size + 1);
		ssize_t n = buf ? read(fd, buf, st.st_size) : -1;

		if (n > 0) {
			struct file_res fr;

			/* the validation lexer sees the definition: no parse */
			memset(&fr, 0, sizeof(fr));
			fr.path = fr.rel = rel;
			analyze_validate(buf, (size_t)n, &fr);
			ret = fr.defines_ephemeral;
			file_res_free(&fr);
		}
		free(buf);
	}
	close(fd);
	return ret;
}

static enum api_gen detect_gen(struct run *r)
{
	if (r->sr.tree_root)
		return header_defines_ephemeral(r->sr.tree_root, "include/linux/mm_types.h") ||
		       header_defines_ephemeral(r->sr.tree_root, "include/linux/mm.h")
		       ? API_NEW : API_OLD;
	for (size_t i = 0; i < r->sr.n; i++)
		if (r->sr.files[i] && r->sr.files[i]->mentions_ephemeral)
			return API_NEW;
	return API_OLD;
}

static char **g_args;

static void free_args(void)
{
	free(g_args);
}

int main(int argc, char **argv)
{
	const char *cmd = NULL, *fmt = NULL, *api = "auto";
	char **args;
	int nargs = 0, jobs = 0;
	bool quiet = false, opts_done = false;
	struct run r;
	int rc;

	args = calloc(argc + 1, sizeof(*args));
	if (!args)
		return EXIT_INCOMPLETE;
	g_args = args;
	atexit(free_args);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		if (!opts_done && a[0] == '-' && a[1]) {
			if (!strcmp(a, "--")) {
				opts_done = true;
				continue;
			}
			if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
				fputs(usage_text, stdout);
				return EXIT_CLEAN;
			}
			if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
				puts("pinaudit " PINAUDIT_VERSION);
				return EXIT_CLEAN;
			}
			if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
				quiet = true;
				continue;
			}
			const char *eq = strchr(a, '=');
			size_t kl = eq ? (size_t)(eq - a) : strlen(a);
#define OPT(s) (kl == strlen(s) && !strncmp(a, s, kl))
			if ((a[1] == 'j' || a[1] == 'f') && a[2] && !eq) {
				/* -j2, -fjson */
				eq = a + 1;
				kl = 2;
			}
			if (OPT("-f") || OPT("--format") || OPT("--api") ||
			    OPT("-j") || OPT("--jobs")) {
				if (eq)
					val = eq + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else
					usage_error("option needs a value", a);
				if (OPT("-f") || OPT("--format"))
					fmt = val;
				else if (OPT("--api"))
					api = val;
				else {
					char *end;
					long j = strtol(val, &end, 10);

					if (*end || j < 1 || j > 64)
						usage_error("--jobs wants 1..64", val);
					jobs = (int)j;
				}
				continue;
			}
#undef OPT
			usage_error("unknown option", a);
		}
		if (!cmd)
			cmd = a;
		else
			args[nargs++] = argv[i];
	}
	if (!cmd)
		usage_error("missing command (inventory, lint, risk)", NULL);
	if (!strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(cmd, "version")) {
		puts("pinaudit " PINAUDIT_VERSION);
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "inventory") && strcmp(cmd, "lint") && strcmp(cmd, "risk"))
		usage_error("unknown command", cmd);
	if (!nargs)
		usage_error("missing TREE or FILE arguments", NULL);
	if (strcmp(api, "auto") && strcmp(api, "old") && strcmp(api, "new"))
		usage_error("--api wants old, new or auto", api);
	if (!fmt)
		fmt = !strcmp(cmd, "inventory") ? "table" :
		      !strcmp(cmd, "lint") ? "gcc" : "md";
	/* validate the format before the scan */
	if ((!strcmp(cmd, "inventory") && strcmp(fmt, "table") && strcmp(fmt, "json") &&
	     strcmp(fmt, "csv") && strcmp(fmt, "tsv") && strcmp(fmt, "sarif")) ||
	    (!strcmp(cmd, "lint") && strcmp(fmt, "gcc") && strcmp(fmt, "json") &&
	     strcmp(fmt, "sarif")) ||
	    (!strcmp(cmd, "risk") && strcmp(fmt, "md") && strcmp(fmt, "markdown") &&
	     strcmp(fmt, "json")))
		usage_error("unknown output format for this command", fmt);
	if (!jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n < 1 ? 1 : n > 8 ? 8 : (int)n;
	}

	memset(&r, 0, sizeof(r));
	if (scan(args, nargs, jobs, &r.sr)) {
		fputs("pinaudit: out of memory\n", stderr);
		return EXIT_INCOMPLETE;
	}
	scan_parse_deferred(&r.sr);
	audit_model(&r.sr);
	r.gen = !strcmp(api, "new") ? API_NEW : !strcmp(api, "old") ? API_OLD
								    : detect_gen(&r);
	classify(r.sr.files, r.sr.n, r.gen);
	count(&r);
	if (!strcmp(cmd, "inventory"))
		rc = do_inventory(&r, fmt);
	else if (!strcmp(cmd, "lint"))
		rc = do_lint(&r, fmt, quiet);
	else
		rc = do_risk(&r, fmt);
	if (fflush(stdout)) {
		fprintf(stderr, "pinaudit: error writing output: %s\n", strerror(errno));
		rc = EXIT_INCOMPLETE;
	}
	audit_free(&r.sr);
	scan_free(&r.sr);
	return rc;
}
