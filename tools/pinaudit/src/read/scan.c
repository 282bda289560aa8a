// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: find the files, read them (in parallel), prefilter, analyse.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pinaudit.h"
#include "scan.h"

struct plist {
	char **v;
	size_t n, cap;
};

static void complain(struct scan_result *res, const char *path, const char *why)
{
	fprintf(stderr, "%s: warning: skipped: %s\n", path, why);
	atomic_store(&res->incomplete, true);
}

static bool want_file(const char *name, size_t n)
{
	return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' || name[n - 1] == 'h');
}

static void plist_add(struct plist *p, const char *s, size_t n)
{
	char *c = malloc(n + 1);

	if (!c) {
		fputs("pinaudit: out of memory\n", stderr);
		exit(3);
	}
	memcpy(c, s, n);
	c[n] = 0;
	VEC_PUSH(*p, c);
}

static void walk_dir(char *path, size_t plen, struct plist *out,
		     struct scan_result *res, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > 64) {
		complain(res, path, "directory nesting too deep");
		return;
	}
	d = opendir(path);
	if (!d) {
		complain(res, path, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		size_t nl = strlen(nm);
		unsigned char t = de->d_type;

		if (nm[0] == '.')	/* ., .., .git and friends */
			continue;
		if (plen + nl + 2 >= PATH_BUF)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, nm, nl + 1);
		if (t == DT_UNKNOWN) {
			struct stat st;

			if (lstat(path, &st))
				t = DT_REG;	/* let open() report the error */
			else if (S_ISDIR(st.st_mode))
				t = DT_DIR;
			else if (S_ISREG(st.st_mode))
				t = DT_REG;
			else
				t = DT_LNK;
		}
		if (t == DT_DIR)
			walk_dir(path, plen + 1 + nl, out, res, depth + 1);
		else if (t == DT_REG && want_file(nm, nl))
			plist_add(out, path, plen + 1 + nl);
		/* symlinks are not followed, like grep -r */
		path[plen] = 0;
	}
	closedir(d);
}

/* the subdirectories of a root, walked by several threads: each into a
 * list of its own, joined (and sorted) after */
struct walkjob {
	struct scan_result *res;
	struct plist dirs;	/* the root's subdirectories, full paths  */
	struct plist *out;	/* one list per thread                    */
	atomic_size_t next;
	atomic_int nthread;
};

static void *walk_worker(void *arg)
{
	struct walkjob *wj = arg;
	struct plist *out = &wj->out[atomic_fetch_add(&wj->nthread, 1)];
	char path[PATH_BUF];
	size_t i;

	while ((i = atomic_fetch_add(&wj->next, 1)) < wj->dirs.n) {
		size_t n = strlen(wj->dirs.v[i]);

		memcpy(path, wj->dirs.v[i], n + 1);
		walk_dir(path, n, out, wj->res, 1);
	}
	return NULL;
}

/* walk_dir() of the root path[0, plen), its subdirectories in parallel */
static void walk_root(char *path, size_t plen, struct plist *out, struct scan_result *res,
		      int jobs)
{
	struct walkjob wj = { .res = res };
	DIR *d = opendir(path);
	struct dirent *de;

	if (jobs < 2 || !d) {
		if (d)
			closedir(d);
		walk_dir(path, plen, out, res, 0);
		return;
	}
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		size_t nl = strlen(nm);
		unsigned char t = de->d_type;

		if (nm[0] == '.' || plen + nl + 2 >= PATH_BUF)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, nm, nl + 1);
		if (t == DT_UNKNOWN) {
			struct stat st;

			if (lstat(path, &st))
				t = DT_REG;
			else if (S_ISDIR(st.st_mode))
				t = DT_DIR;
			else if (S_ISREG(st.st_mode))
				t = DT_REG;
			else
				t = DT_LNK;
		}
		if (t == DT_DIR)
			plist_add(&wj.dirs, path, plen + 1 + nl);
		else if (t == DT_REG && want_file(nm, nl))
			plist_add(out, path, plen + 1 + nl);
		path[plen] = 0;
	}
	closedir(d);
	if (jobs > 64)
		jobs = 64;
	wj.out = calloc((size_t)jobs, sizeof(*wj.out));
	if (!wj.out) {
		fputs("pinaudit: out of memory\n", stderr);
		exit(3);
	}
	run_parallel(walk_worker, &wj, jobs);
	for (int j = 0; j < jobs; j++) {
		for (size_t k = 0; k < wj.out[j].n; k++)
			VEC_PUSH(*out, wj.out[j].v[k]);
		free(wj.out[j].v);
	}
	for (size_t k = 0; k < wj.dirs.n; k++)
		free(wj.dirs.v[k]);
	free(wj.dirs.v);
	free(wj.out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}


struct worker {
	struct scan_result *res;
	struct plist *paths;
	atomic_size_t *next;
	atomic_int nthread;
	bool explicit_files;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct scan_result *res = w->res;
	struct analyzer *an = analyzer_new();
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	size_t bytes = 0, cands = 0;
	double t_read = 0, t_filter = 0, t_an = 0, t0;
	/* the called names' keys (callindex.c), in this thread's arena */
	struct arena *ka = &res->key_arenas[atomic_fetch_add(&w->nthread, 1)];
	uint64_t *seen = calloc(CALLKEY_SEEN_WORDS, sizeof(*seen));
	uint16_t *keys = malloc(65536 * sizeof(*keys));

	if (!buf || !an || !seen || !keys) {
		fputs("pinaudit: out of memory\n", stderr);
		exit(3);
	}
	/* the directory of the last file opened stays open: the files come
	 * in order, most share it with the one before, and openat() on it
	 * spares the kernel a walk of the whole path per file */
	int dfd = -1;
	char dpath[PATH_BUF];
	size_t dlen = 0;
	/* files are taken in runs of SCAN_RUN: fewer atomic operations, and
	 * the threads write to different lines of the result arrays */
	enum { SCAN_RUN = 32 };
	size_t i = 0, run_end = 0;

	for (;; i++) {
		if (i == run_end) {
			i = atomic_fetch_add(w->next, SCAN_RUN);
			run_end = i + SCAN_RUN;
		}
		if (i >= w->paths->n)
			break;
		const char *path = w->paths->v[i];
		const char *slash = strrchr(path, '/');

		t0 = now();
		if (slash && (dfd < 0 || dlen != (size_t)(slash - path) ||
			      memcmp(dpath, path, dlen))) {
			if (dfd >= 0)
				close(dfd);
			dlen = (size_t)(slash - path);
			memcpy(dpath, path, dlen);
			dpath[dlen] = 0;
			dfd = open(dlen ? dpath : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
		int fd = slash && dfd >= 0 ?
			 openat(dfd, slash + 1, O_RDONLY | O_CLOEXEC | O_NOCTTY) :
			 open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		struct stat st;
		size_t len = 0;

		if (fd < 0) {
			complain(res, path, strerror(errno));
			continue;
		}
		if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			complain(res, path, "not a regular file");
			close(fd);
			continue;
		}
		if ((uint64_t)st.st_size > (64u << 20)) {
			complain(res, path, "file larger than 64 MiB");
			close(fd);
			continue;
		}
		bool err = false;

		for (;;) {
			if (len + 1 >= cap) {
				cap *= 2;
				buf = realloc(buf, cap);
				if (!buf) {
					fputs("pinaudit: out of memory\n", stderr);
					exit(3);
				}
			}
			ssize_t r = read(fd, buf + len, cap - len - 1);

			if (r < 0) {
				if (errno == EINTR)
					continue;
				complain(res, path, strerror(errno));
				err = true;
				break;
			}
			if (r == 0)
				break;
			len += (size_t)r;
			if (len > (64u << 20)) {
				complain(res, path, "file larger than 64 MiB");
				err = true;
				break;
			}
		}
		close(fd);
		if (err)
			continue;
		bytes += len;
		buf[len] = 0;
		double t1 = now();

		t_read += t1 - t0;
		res->size[i] = (uint32_t)len;
		/* one pass: the prefilter, and the names called for the caller
		 * search (callindex.c) */
		unsigned bits = prefilter_scan(buf, len, seen, &res->has_body[i]);
		size_t nk = call_keys_take(seen, keys);

		/* a file without a '{' holds no caller: no keys needed */
		if (res->has_body[i] && nk) {
			uint16_t *k = arena_alloc(ka, nk * sizeof(*k));

			memcpy(k, keys, nk * sizeof(*k));
			res->ckeys[i] = k;
		}
		res->nckeys[i] = res->has_body[i] ? (uint32_t)nk : 0;
		t0 = now();
		t_filter += t0 - t1;
		if (!bits)
			continue;
		cands++;
		struct file_res *fr = calloc(1, sizeof(*fr));

		if (!fr) {
			fputs("pinaudit: out of memory\n", stderr);
			exit(3);
		}
		fr->path = path;
		fr->rel = path;
		if (res->root && !strncmp(path, res->root, res->root_len) &&
		    path[res->root_len] == '/')
			fr->rel = path + res->root_len + 1;
		else if (res->root && !strncmp(path, "./", 2))
			fr->rel = path + 2;
		if (res->rel_prefix) {
			size_t a = strlen(res->rel_prefix), b = strlen(fr->rel);
			char *rel = arena_alloc(&fr->arena, a + b + 2);

			memcpy(rel, res->rel_prefix, a);
			rel[a] = '/';
			memcpy(rel + a + 1, fr->rel, b + 1);
			fr->rel = rel;
		}
		if (bits & PF_API) {
			if (analyze_validate(buf, len, fr) ||
			    analyze_parse(an, buf, len, fr))
				complain(res, path, fr->skip_reason);
		} else {
			/* unpins only: parsed later if a pin nearby needs them */
			fr->deferred = !!(bits & PF_REL);
			if ((bits & PF_FOLL) && analyze_validate(buf, len, fr))
				complain(res, path, fr->skip_reason);
		}
		res->files[i] = fr;
		t_an += now() - t0;
	}
	atomic_fetch_add(&res->bytes, bytes);
	if (getenv("PINAUDIT_STATS"))
		fprintf(stderr, "pinaudit: thread: %zu bytes, %zu candidates; "
			"read %.3f s, prefilter and called names %.3f s, analyse %.3f s\n",
			bytes, cands, t_read, t_filter, t_an);
	if (dfd >= 0)
		close(dfd);
	free(seen);
	free(keys);
	free(buf);
	analyzer_free(an);
	return NULL;
}

/* walk up from a file (or from a directory, itself first) to a kernel root */
static char *find_root(const char *file, bool is_dir)
{
	char *p = realpath(file, NULL);

	if (!p)
		return NULL;
	for (;;) {
		char *s = strrchr(p, '/');
		char probe[PATH_BUF];
		struct stat st;

		if (is_dir) {
			is_dir = false;
		} else {
			if (!s || s == p)
				break;
			*s = 0;
		}
		snprintf(probe, sizeof(probe), "%s/include/linux/mm_types.h", p);
		if (!stat(probe, &st)) {
			snprintf(probe, sizeof(probe), "%s/mm", p);
			if (!stat(probe, &st) && S_ISDIR(st.st_mode))
				return p;
		}
	}
	free(p);
	return NULL;
}

int scan(char **args, int nargs, int jobs, struct scan_result *res)
{
	struct plist paths = { 0 };
	char path[PATH_BUF];
	int ndirs = 0;

	memset(res, 0, sizeof(*res));
	res->jobs = jobs < 1 ? 1 : jobs;
	double tw = now();

	for (int a = 0; a < nargs; a++) {
		struct stat st;
		size_t n = strlen(args[a]);

		while (n > 1 && args[a][n - 1] == '/')
			n--;
		if (n >= PATH_BUF) {
			complain(res, args[a], "path too long");
			continue;
		}
		if (stat(args[a], &st)) {
			complain(res, args[a], strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			memcpy(path, args[a], n);
			path[n] = 0;
			if (!ndirs++) {
				res->root = strdup(path);
				res->root_len = n;
			}
			walk_root(path, n, &paths, res, jobs);
		} else {
			plist_add(&paths, args[a], n);
		}
	}
	if (ndirs != 1 || nargs != 1) {
		/* FILES mode: find the tree the first file lives in */
		free(res->root);
		res->root = NULL;
		res->root_len = 0;
		res->files_mode = true;
		if (paths.n) {
			char *r = find_root(paths.v[0], false);
			char *rp = NULL;

			if (r) {
				/* express the root the way the paths are written */
				rp = realpath(paths.v[0], NULL);
				if (rp && !strncmp(rp, r, strlen(r))) {
					size_t tail = strlen(rp) - strlen(r);
					size_t pl = strlen(paths.v[0]);

					if (pl > tail) {
						res->root = strndup(paths.v[0], pl - tail);
						res->root_len = pl - tail;
					} else {
						res->root = strdup(".");
						res->root_len = 0;
					}
				}
				res->tree_root = r;
				res->kernel_tree = true;
			}
			free(rp);
		}
	} else {
		/* a subdirectory of a kernel tree: paths relative to the tree */
		char *r = find_root(res->root, true);
		char *rp = realpath(res->root, NULL);

		res->kernel_tree = r != NULL;
		if (r && rp && strlen(rp) > strlen(r) && !strncmp(rp, r, strlen(r))) {
			res->rel_prefix = strdup(rp + strlen(r) + 1);
			res->tree_root = r;
		} else {
			free(r);
			res->tree_root = rp ? strdup(rp) : NULL;
		}
		free(rp);
	}
	qsort(paths.v, paths.n, sizeof(*paths.v), cmp_str);
	if (getenv("PINAUDIT_STATS"))
		fprintf(stderr, "pinaudit: walk: %zu files in %.3f s\n", paths.n,
			now() - tw);
	/* drop duplicates (a file named twice) */
	size_t w = 0;

	for (size_t i = 0; i < paths.n; i++) {
		if (w && !strcmp(paths.v[w - 1], paths.v[i])) {
			free(paths.v[i]);
			continue;
		}
		paths.v[w++] = paths.v[i];
	}
	paths.n = w;
	res->paths = paths.v;
	res->n = paths.n;
	res->files = calloc(paths.n ? paths.n : 1, sizeof(*res->files));
	res->has_body = calloc(paths.n ? paths.n : 1, sizeof(*res->has_body));
	res->ckeys = calloc(paths.n ? paths.n : 1, sizeof(*res->ckeys));
	res->size = calloc(paths.n ? paths.n : 1, sizeof(*res->size));
	res->nckeys = malloc((paths.n ? paths.n : 1) * sizeof(*res->nckeys));
	if (!res->files || !res->has_body || !res->ckeys || !res->nckeys || !res->size)
		return -1;
	/* a file not read (skipped) is read by the caller search, as before */
	for (size_t i = 0; i < paths.n; i++)
		res->nckeys[i] = CALLKEYS_UNKNOWN;

	atomic_size_t next = 0;
	struct worker wk = { .res = res, .paths = &paths, .next = &next };

	if (jobs < 1)
		jobs = 1;
	if (jobs > 64)
		jobs = 64;
	if ((size_t)jobs > paths.n)
		jobs = paths.n ? (int)paths.n : 1;
	res->key_arenas = calloc((size_t)jobs, sizeof(*res->key_arenas));
	if (!res->key_arenas)
		return -1;
	res->nkey_arenas = jobs;
	run_parallel(work, &wk, jobs);
	return 0;
}

static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la == lb && !memcmp(a, b, la);
}

/*
 * Validate the files that only release pages, in the directories where a
 * short-term pin keeps its pages and the release is not in the pinning
 * function: the module model (facts.c) reads their releases, and a file
 * it cannot trust is reported as skipped.  (They were parsed once; the
 * syntax tree's releases have had no reader since the module model.)
 */
void scan_parse_deferred(struct scan_result *res)
{
	char *buf = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < res->n; i++) {
		struct file_res *fr = res->files[i];
		bool need = false;

		if (!fr || !fr->deferred || fr->skip_reason)
			continue;
		for (size_t j = 0; j < res->n && !need; j++) {
			const struct file_res *p = res->files[j];

			if (!p || !p->sites.n || !same_dir(p->rel, fr->rel))
				continue;
			for (size_t k = 0; k < p->sites.n && !need; k++) {
				const struct site *s = &p->sites.v[k];

				need = s->storage != ST_NONE && !s->same_func_release &&
				       (s->api->kind == K_PIN || s->api->kind == K_EXTRACT);
			}
		}
		if (!need)
			continue;
		fr->deferred = false;
		int fd = open(fr->path, O_RDONLY | O_CLOEXEC);
		struct stat st;

		if (fd < 0 || fstat(fd, &st) || (uint64_t)st.st_size > (64u << 20)) {
			complain(res, fr->path, fd < 0 ? strerror(errno) : "cannot read");
			if (fd >= 0)
				close(fd);
			continue;
		}
		if ((size_t)st.st_size + 1 > cap) {
			cap = (size_t)st.st_size + 1;
			free(buf);
			buf = malloc(cap);
			if (!buf) {
				fputs("pinaudit: out of memory\n", stderr);
				exit(3);
			}
		}
		size_t len = 0;
		ssize_t r;

		while (len < cap - 1 && (r = read(fd, buf + len, cap - 1 - len)) > 0)
			len += (size_t)r;
		close(fd);
		/* the module model (facts.c) reads the releases now: only
		 * the validation is left to do here (bad input is reported) */
		if (!fr->lexed && analyze_validate(buf, len, fr))
			complain(res, fr->path, fr->skip_reason);
	}
	free(buf);
}

void scan_free(struct scan_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		if (res->files[i]) {
			file_res_free(res->files[i]);
			free(res->files[i]);
		}
		free(res->paths[i]);
	}
	free(res->files);
	free(res->has_body);
	free(res->ckeys);
	free(res->size);
	free(res->nckeys);
	for (int j = 0; j < res->nkey_arenas; j++)
		arena_free(&res->key_arenas[j]);
	free(res->key_arenas);
	free(res->paths);
	free(res->root);
	free(res->rel_prefix);
	free(res->tree_root);
	memset(res, 0, sizeof(*res));
}
