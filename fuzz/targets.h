/* The three binary fuzz targets (ops, iter, faults): what each is for and
 * how its decoder spends the 256 values of an operation record's opcode
 * byte.  They share one byte format (decode.h) and differ only here. */
#ifndef FZ_TARGETS_H
#define FZ_TARGETS_H

#include <stdbool.h>
#include <stdint.h>

/* A fuzz target: the opcode table the decoder uses. */
enum fz_target {
	FZ_TARGET_OPS,
	FZ_TARGET_ITER,
	FZ_TARGET_FAULTS,
	FZ_TARGETS
};

/* What an opcode byte selects: one kind of operation record. */
enum fz_class {
	FZ_C_PUT, FZ_C_GET, FZ_C_DEL, FZ_C_INC, FZ_C_LEN, FZ_C_CLEAR,
	FZ_C_ITER, FZ_C_CHECK, FZ_C_DUMP, FZ_C_ITER_START, FZ_C_ITER_NEXT,
	FZ_C_ITER_STOP, FZ_C_BULK, FZ_C_LITKEY, FZ_C_LITELEM, FZ_C_FAIL_ALLOC,
	FZ_C_REENTER, FZ_CLASSES
};

typedef struct fz_target_def {
	const char *name;    /* as on the command line: "ops" */
	const char *purpose; /* one line */
	/* how many of the 256 opcode byte values select each class; they add
	 * up to 256, in class order */
	uint8_t weights[FZ_CLASSES];
	/* A fault-injection sweep after the plain run (oracle/sweep.h) of
	 * one input in sweep_every (0: none), failing sweep_failures of its
	 * allocations, each in a run of its own. */
	uint8_t sweep_failures, sweep_every;
	/* Whether a bulk record with flag bits 6 and 7 churns (decode.c,
	 * churn); else bit 6 alone says it deletes. */
	bool churns;
	/* Whether the header's big-hint form makes B = 16 (decode.h); else
	 * it folds like any hint beyond 4096. */
	bool big_hints;
} fz_target_def;

extern const fz_target_def fz_targets[FZ_TARGETS];

const char *fz_target_name(enum fz_target t);
/* "ops", "iter", "faults"; false for anything else. */
bool fz_target_parse(const char *name, enum fz_target *out);

#endif
