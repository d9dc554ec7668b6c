/* Fuzz target "ops": map operations over every key/elem kind and hash mode, fast and generic entry points, bulk puts that force growth and evacuation.
 * The input format is fuzz/decode.h; `gomap explain --target ops FILE`
 * shows an input as a trace. */
#include "target_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_input(FZ_TARGET_OPS, data, size);
	return 0;
}
