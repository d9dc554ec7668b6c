/* Fuzz target "faults": allocation failure at every point (fail-alloc) and reenter scenarios whose fatal outcome the decoder predicts.
 * The input format is fuzz/decode.h; `gomap explain --target faults FILE`
 * shows an input as a trace. */
#include "target_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_input(FZ_TARGET_FAULTS, data, size);
	return 0;
}
