/* Fuzz target "ops": its purpose and operation weights are its entry in
 * fuzz/targets.c.
 * The input format is fuzz/decode.h; `gomap explain --target ops FILE`
 * shows an input as a trace. */
#include "target_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_input(FZ_TARGET_OPS, data, size);
	return 0;
}
