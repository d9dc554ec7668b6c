/* What every fuzz target shares (target_common.c): decode the input for
 * the target, run it on the core and the model in lockstep, and on a
 * failure print the verdict and the program as a text trace to stderr and
 * abort(), so every fuzzer engine records the crash. */
#ifndef FZ_TARGET_COMMON_H
#define FZ_TARGET_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "exec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How the targets run a program.  Its structure-check cadence is coarser
 * than `gomap replay`'s, so the two may name different checks for one
 * bug; gomap minimize runs a binary input both ways (cli/minimize.c). */
extern const orc_exec_opts fz_target_exec_opts;

/* Decodes and runs one input; aborts on any failure or malformed program.
 * Inputs are decoded into one program kept for the process (its memory
 * reused), so calls must not overlap: one thread, as every engine runs a
 * target. */
void fz_run_input(enum fz_target t, const uint8_t *data, size_t size);

/* The same, counting the allocations of the run, then for one input in
 * `every` (chosen by the input's bytes) a bounded fault-injection sweep
 * (oracle/sweep.h): at most max_failures more runs, each with one of
 * those allocations failing, spread over them from a start the input's
 * bytes choose.  Every run keeps the program's fail-alloc records. */
void fz_run_input_swept(enum fz_target t, const uint8_t *data, size_t size,
                        size_t max_failures, unsigned every);

#endif
