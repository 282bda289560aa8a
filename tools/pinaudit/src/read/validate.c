// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: validation.  A cheap lexer checks that a file can be read as
 * C source (valid UTF-8, no NUL byte, terminated comments and strings,
 * lines under 1 MiB) and records the FOLL_LONGTERM/FOLL_GET mentions
 * outside comments and strings, macro bodies included.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinaudit.h"

#define MAX_FILE_SIZE	(64u << 20)
#define MAX_LINE_LEN	(1u << 20)

static size_t utf8_invalid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		/* fast path over ASCII, 8 bytes at a time */
		while (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		size_t need;
		unsigned cp;

		if (c >= 0xc2 && c <= 0xdf) {
			need = 1; cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2; cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3; cp = c & 0x07;
		} else {
			return i;
		}
		if (i + need >= n)
			return i;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return i;
		i += need + 1;
	}
	return (size_t)-1;
}

static bool is_ident_start(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/*
 * Validate the file and record FOLL_LONGTERM / FOLL_GET mentions outside
 * comments and strings.  Returns NULL, or why the file must be skipped.
 */
const char *validate_lex(const char *b, size_t n, struct file_res *fr)
{
	size_t i = 0, line_start = 0;
	unsigned line = 1;
	bool pp_line = false, bol = true, prev_define = false;
	size_t bad;

	if (memchr(b, 0, n))
		return "contains NUL bytes (binary file?)";
	bad = utf8_invalid((const unsigned char *)b, n);
	if (bad != (size_t)-1) {
		char tmp[96];

		snprintf(tmp, sizeof(tmp), "not valid UTF-8 (byte offset %zu)", bad);
		return arena_strdup(&fr->arena, tmp);
	}

	while (i < n) {
		char c = b[i];

		if (c == '\n') {
			if (i - line_start > MAX_LINE_LEN)
				goto longline;
			line++;
			line_start = ++i;
			pp_line = false;
			bol = true;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (bol && c == '#')
			pp_line = true;
		bol = false;
		if (c == '\\' && i + 1 < n && b[i + 1] == '\n') {
			/* line continuation keeps a preprocessor line going */
			line++;
			i += 2;
			line_start = i;
			continue;
		}
		if (c == '/' && i + 1 < n && b[i + 1] == '*') {
			const char *e = memmem(b + i + 2, n - i - 2, "*/", 2);

			if (!e) {
				static char msg[] = "unterminated comment";
				char tmp[96];

				snprintf(tmp, sizeof(tmp), "%s starting at line %u",
					 msg, line);
				return arena_strdup(&fr->arena, tmp);
			}
			for (const char *p = b + i; p < e; p++)
				if (*p == '\n') {
					if ((size_t)(p - b) - line_start > MAX_LINE_LEN)
						goto longline;
					line++;
					line_start = p - b + 1;
				}
			i = e - b + 2;
			continue;
		}
		if (c == '/' && i + 1 < n && b[i + 1] == '/') {
			while (i < n && b[i] != '\n')
				i++;
			continue;
		}
		if (c == '"' || c == '\'') {
			size_t j = i + 1;
			unsigned sline = line;

			while (j < n && b[j] != c) {
				if (b[j] == '\\' && j + 1 < n) {
					if (b[j + 1] == '\n') {
						line++;
						line_start = j + 2;
					}
					j += 2;
					continue;
				}
				if (b[j] == '\n')
					break;
				j++;
			}
			if (j >= n || b[j] == '\n') {
				/* an apostrophe in #error text or prose is fine */
				if (c == '"' && !pp_line) {
					char tmp[96];

					snprintf(tmp, sizeof(tmp),
						 "unterminated string at line %u", sline);
					return arena_strdup(&fr->arena, tmp);
				}
				i = j;
				continue;
			}
			i = j + 1;
			continue;
		}
		if (is_ident_start((unsigned char)c)) {
			size_t j = i + 1;

			while (j < n && is_ident((unsigned char)b[j]))
				j++;
			size_t len = j - i;
			const char *id = b + i;

			if (len >= 8 && id[0] == 'F' && !memcmp(id, "FOLL_", 5)) {
				if ((len == 13 && !memcmp(id, "FOLL_LONGTERM", 13)) ||
				    (len == 8 && !memcmp(id, "FOLL_GET", 8))) {
					struct hit h = {
						.line = line,
						.col = (unsigned)(i - line_start + 1),
						.name = len == 8 ? "FOLL_GET" : "FOLL_LONGTERM",
					};
					VEC_PUSH(fr->hits, h);
				} else if (len == 14 && !memcmp(id, "FOLL_EPHEMERAL", 14)) {
					size_t k = j;

					fr->mentions_ephemeral = true;

					while (k < n && (b[k] == ' ' || b[k] == '\t'))
						k++;
					if (prev_define ||
					    (k + 1 < n && b[k] == '=' && b[k + 1] != '='))
						fr->defines_ephemeral = true;
				}
			}
			prev_define = pp_line && len == 6 && !memcmp(id, "define", 6);
			i = j;
			continue;
		}
		i++;
	}
	if (n - line_start > MAX_LINE_LEN)
		goto longline;
	return NULL;
longline:
	{
		char tmp[96];

		snprintf(tmp, sizeof(tmp), "line %u longer than %u bytes", line,
			 MAX_LINE_LEN);
		return arena_strdup(&fr->arena, tmp);
	}
}

int analyze_validate(const char *buf, size_t len, struct file_res *fr)
{
	const char *why;

	if (len > MAX_FILE_SIZE) {
		fr->skip_reason = "file larger than 64 MiB";
		return -1;
	}
	fr->lexed = true;
	why = validate_lex(buf, len, fr);
	if (why) {
		fr->skip_reason = why;
		return -1;
	}
	return 0;
}
