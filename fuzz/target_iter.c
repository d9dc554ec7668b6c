/* Fuzz target "iter": iteration interleaved with mutation, clear and growth: the decoder's iter table favours iter-start/iter-next.
 * The input format is fuzz/decode.h; `gomap explain --target iter FILE`
 * shows an input as a trace. */
#include "target_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_input(FZ_TARGET_ITER, data, size);
	return 0;
}
