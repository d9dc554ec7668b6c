/* Fuzz target "faults": its purpose and operation weights are its entry in
 * fuzz/targets.c.
 * The input format is fuzz/decode.h; `gomap explain --target faults FILE`
 * shows an input as a trace. */
#include "target_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_input_swept(FZ_TARGET_FAULTS, data, size,
	                   fz_targets[FZ_TARGET_FAULTS].sweep_failures);
	return 0;
}
