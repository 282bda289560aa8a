/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PINAUDIT_SCAN_H
#define PINAUDIT_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "pinaudit.h"

#define PATH_BUF 4096

struct scan_result {
	char **paths;			/* sorted; files[i] belongs to paths[i] */
	struct file_res **files;	/* NULL: nothing to audit in that file  */
	bool *has_body;			/* the file has a '{': it may hold a
					   function (a call site, a caller) */
	size_t n;
	char *root;			/* TREE as given (NULL in FILES mode)   */
	size_t root_len;
	char *tree_root;		/* absolute kernel root, if known       */
	char *rel_prefix;		/* TREE below a kernel root: its path   */
	bool files_mode;
	int jobs;			/* threads                          */
	atomic_bool incomplete;
	atomic_size_t bytes;
	struct model *model;		/* audit.c                          */
	struct facts **facts;
	size_t nfacts;
};
/* audit.c: build the module model, add wrapper sites, decide lifetimes */
void audit_model(struct scan_result *res);
void audit_free(struct scan_result *res);

int scan(char **args, int nargs, int jobs, struct scan_result *res);
void scan_parse_deferred(struct scan_result *res);
void scan_free(struct scan_result *res);

#endif
