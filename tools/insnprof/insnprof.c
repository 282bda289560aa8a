// SPDX-License-Identifier: GPL-2.0
/*
 * insnprof: a QEMU TCG plugin that counts the guest instructions run
 * between two marks the guest sets, by kernel symbol. The guest opens the
 * window by running code at a fixed user address (mark=, default
 * 0x100000000000) and closes it by running code 16 bytes further; every
 * translated block that runs meanwhile adds its instructions to the symbol
 * that holds its first one (System.map; user code is "[user]").
 *
 *   qemu-system-x86_64 -icount shift=0,sleep=off -smp 1 \
 *     -plugin insnprof.so,map=System.map,out=profile.txt[,mark=HEX] ...
 *
 * Run it with one TCG thread (-icount, or -smp 1 -accel tcg,thread=single):
 * the counters are not atomic. A block that an interrupt or fault leaves
 * early still counts whole; at one instruction per thousand blocks that is
 * noise, and the same for both kernels compared.
 */
#include "profile.h"
#include "qemu_plugin_api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = INSNPROF_PLUGIN_VERSION;

static struct profile prof;
static struct symmap map;
static const char *out_path;

static void tb_exec(unsigned int vcpu, void *userdata)
{
	(void)vcpu;
	profile_exec(&prof, userdata);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct tb_count *c;

	(void)id;
	c = profile_add_tb(&prof, qemu_plugin_tb_vaddr(tb),
			   qemu_plugin_tb_n_insns(tb));
	if (!c) {
		fprintf(stderr, "insnprof: error: out of memory\n");
		exit(1);
	}
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec,
					     QEMU_PLUGIN_CB_NO_REGS, c);
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
	FILE *f = fopen(out_path, "w");

	(void)id;
	(void)userdata;
	if (!f || profile_report(&prof, &map, f) || fclose(f))
		fprintf(stderr, "insnprof: error: %s: %s\n", out_path,
			strerror(errno));
	profile_free(&prof);
	symmap_free(&map);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	const char *map_path = NULL;
	uint64_t mark = PROFILE_MARK_DEFAULT;
	char err[512];

	(void)info;
	for (int i = 0; i < argc; i++) {
		char *end;

		if (!strncmp(argv[i], "map=", 4)) {
			map_path = argv[i] + 4;
		} else if (!strncmp(argv[i], "out=", 4)) {
			out_path = argv[i] + 4;
		} else if (!strncmp(argv[i], "mark=", 5)) {
			errno = 0;
			mark = strtoull(argv[i] + 5, &end, 16);
			if (errno || *end || end == argv[i] + 5) {
				fprintf(stderr, "insnprof: error: mark=%s: not a hex address\n",
					argv[i] + 5);
				return -1;
			}
		} else {
			fprintf(stderr,
				"insnprof: error: unknown argument '%s'\n"
				"usage: -plugin insnprof.so,map=SYSTEM_MAP,out=FILE[,mark=HEX]\n",
				argv[i]);
			return -1;
		}
	}
	if (!map_path || !out_path) {
		fprintf(stderr, "insnprof: error: map= and out= are required\n"
			"usage: -plugin insnprof.so,map=SYSTEM_MAP,out=FILE[,mark=HEX]\n");
		return -1;
	}
	if (symmap_load(&map, map_path, err, sizeof(err))) {
		fprintf(stderr, "insnprof: error: %s\n", err);
		return -1;
	}
	profile_init(&prof, mark);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
