/* SPDX-License-Identifier: GPL-2.0 */
/*
 * insnprof's core, apart from QEMU: a kernel's text symbols (System.map),
 * translated blocks counted between the guest's marks, and the report
 * they add up to, by symbol.
 */
#ifndef INSNPROF_PROFILE_H
#define INSNPROF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The guest opens a window by running code at MARK, closes it at +16. */
#define PROFILE_MARK_DEFAULT 0x100000000000ULL
#define PROFILE_MARK_OFF 0x10

struct symmap {
	uint64_t *addr;		/* sorted */
	char **name;
	size_t n;
};

/* Text symbols of a System.map; 0, or -1 with a message in err. */
int symmap_load(struct symmap *m, const char *path, char *err, size_t len);
/* Index of the symbol holding addr, or m->n ("[user]") below the first. */
size_t symmap_find(const struct symmap *m, uint64_t addr);
void symmap_free(struct symmap *m);

/* One translated block. */
struct tb_count {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t execs;		/* inside a window */
	struct tb_count *next;
};

struct profile {
	uint64_t mark;
	bool open;
	uint64_t windows;
	struct tb_count *tbs;
};

void profile_init(struct profile *p, uint64_t mark);
/* A block was translated: its counter, NULL without memory. */
struct tb_count *profile_add_tb(struct profile *p, uint64_t vaddr,
				uint64_t insns);
/* A block ran: a mark opens or closes the window, others count in it. */
void profile_exec(struct profile *p, struct tb_count *tb);
/*
 * The report: "# insnprof" header, "windows N", "total N", then one
 * "COUNT SYMBOL" line per symbol that ran, most first. 0, or -1 (errno).
 */
int profile_report(const struct profile *p, const struct symmap *m, FILE *f);
void profile_free(struct profile *p);

#endif
