/* A fuzz target that leaks on purpose, built only by tests/leak/leak_check.sh
 * to show that every engine that runs ASan builds reports a leak.
 *
 * Any input that starts with 'L' leaks a few small blocks; every other input
 * allocates and frees, so a seed that does not start with 'L' runs clean and
 * the fuzzer has to find the leak (one byte away).  LeakSanitizer scans
 * stacks conservatively: a dead frame's copy of a pointer can hide a leak,
 * so the blocks are made in a function of their own and the stack below the
 * caller is scrubbed afterwards. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { LEAKED_BLOCKS = 8, SCRUB_BYTES = 16384 };

static void *volatile last_block;

__attribute__((noinline)) static void leak_blocks(void)
{
	for (int i = 0; i < LEAKED_BLOCKS; i++) {
		char *p = malloc(24 + i);
		if (p != NULL)
			memset(p, 'L', 24 + i);
		last_block = p;
	}
	last_block = NULL;
}

__attribute__((noinline)) static void scrub_stack(void)
{
	volatile char buf[SCRUB_BYTES];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 'L') {
		leak_blocks();
		scrub_stack();
	} else {
		char *p = malloc(size + 1);
		last_block = p;
		last_block = NULL;
		free(p);
	}
	return 0;
}
