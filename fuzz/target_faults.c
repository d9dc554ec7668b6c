/* Fuzz target "faults": its purpose and operation weights are its entry in
 * fuzz/targets.c.
 * The input format is fuzz/decode.h; `gomap explain --target faults FILE`
 * shows an input as a trace. */
#include "target_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const fz_target_def *def = &fz_targets[FZ_TARGET_FAULTS];
	fz_run_input_swept(FZ_TARGET_FAULTS, data, size, def->sweep_failures,
	                   def->sweep_every);
	return 0;
}
