/* Each binary fuzz target, defined by its operation weights (targets.h).
 * A weight is a share of the opcode byte's 256 values, so a target's
 * weights add up to 256 (tests/test_fuzz_format.c checks it). */
#include "targets.h"

#include <string.h>

const fz_target_def fz_targets[FZ_TARGETS] = {
	[FZ_TARGET_OPS] = {
		.name = "ops",
		.purpose = "map operations over every key and elem kind and hash "
		           "mode, fast and generic entry points, bulk puts that "
		           "force growth and evacuation",
		.weights = {
			[FZ_C_PUT] = 60, [FZ_C_GET] = 40, [FZ_C_DEL] = 40,
			[FZ_C_INC] = 8, [FZ_C_LEN] = 6, [FZ_C_CLEAR] = 3,
			[FZ_C_ITER] = 4, [FZ_C_CHECK] = 2, [FZ_C_DUMP] = 1,
			[FZ_C_ITER_START] = 8, [FZ_C_ITER_NEXT] = 16,
			[FZ_C_ITER_STOP] = 4, [FZ_C_BULK] = 24,
			[FZ_C_LITKEY] = 20, [FZ_C_LITELEM] = 20,
			[FZ_C_FAIL_ALLOC] = 0, [FZ_C_REENTER] = 0,
		},
	},
	[FZ_TARGET_ITER] = {
		.name = "iter",
		.purpose = "iteration interleaved with mutation, growth and clear",
		.weights = {
			[FZ_C_PUT] = 40, [FZ_C_GET] = 12, [FZ_C_DEL] = 36,
			[FZ_C_INC] = 4, [FZ_C_LEN] = 4, [FZ_C_CLEAR] = 6,
			[FZ_C_ITER] = 6, [FZ_C_CHECK] = 2, [FZ_C_DUMP] = 0,
			[FZ_C_ITER_START] = 30, [FZ_C_ITER_NEXT] = 60,
			[FZ_C_ITER_STOP] = 10, [FZ_C_BULK] = 26,
			[FZ_C_LITKEY] = 10, [FZ_C_LITELEM] = 10,
			[FZ_C_FAIL_ALLOC] = 0, [FZ_C_REENTER] = 0,
		},
	},
	[FZ_TARGET_FAULTS] = {
		.name = "faults",
		.purpose = "allocation failure at every point (fail-alloc, and "
		           "a sweep failing allocations of the input in turn) "
		           "and reenter scenarios whose fatal outcome the "
		           "decoder predicts",
		.weights = {
			[FZ_C_PUT] = 40, [FZ_C_GET] = 20, [FZ_C_DEL] = 30,
			[FZ_C_INC] = 4, [FZ_C_LEN] = 2, [FZ_C_CLEAR] = 4,
			[FZ_C_ITER] = 4, [FZ_C_CHECK] = 2, [FZ_C_DUMP] = 0,
			[FZ_C_ITER_START] = 14, [FZ_C_ITER_NEXT] = 16,
			[FZ_C_ITER_STOP] = 4, [FZ_C_BULK] = 20,
			[FZ_C_LITKEY] = 10, [FZ_C_LITELEM] = 10,
			[FZ_C_FAIL_ALLOC] = 36, [FZ_C_REENTER] = 40,
		},
		/* the most that keeps 2,000 exec/s under ASan + UBSan
		 * (bench/fuzz_throughput.sh; fuzz/README.md) */
		.sweep_failures = 1, .sweep_every = 2,
		/* a churn is up to 256 operations: in ops and iter it cut
		 * exec/s 2.5 to 4 times and left the NaN and iterator markers
		 * unreached in 60 s from empty (bench/README.md) */
		.churns = true,
		/* a B = 16 map, 10 MB that the checker walks, costs about
		 * 1.4 ms a run: in ops and iter it cut exec/s by 40% from
		 * empty; here the sweep's reruns dominate anyway */
		.big_hints = true,
	},
};

const char *fz_target_name(enum fz_target t)
{
	return (unsigned)t < FZ_TARGETS ? fz_targets[t].name : "?";
}

bool fz_target_parse(const char *name, enum fz_target *out)
{
	for (int i = 0; i < FZ_TARGETS; i++)
		if (!strcmp(name, fz_targets[i].name)) {
			*out = (enum fz_target)i;
			return true;
		}
	return false;
}
