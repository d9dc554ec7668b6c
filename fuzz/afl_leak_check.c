/* AFL++ fuzz targets with ASan (GOMAP_FUZZ_AFL_ASAN): LeakSanitizer after
 * every input that allocated more than it freed.
 *
 * AFL++'s libFuzzer driver runs the target in persistent mode: one process
 * runs input after input and never exits, so LeakSanitizer's check at exit
 * never comes, whatever ASAN_OPTIONS says.  libFuzzer solves this by
 * counting mallocs and frees around each input and asking LeakSanitizer
 * for a check only when an input left blocks behind; this file does the
 * same for AFL++.  It replaces the driver's main (a weak symbol there) with
 * one that hands the driver a callback wrapping LLVMFuzzerTestOneInput.
 *
 * A leak found aborts the process after LeakSanitizer's report, so AFL++
 * saves the input as a crash.  With detect_leaks=0 in ASAN_OPTIONS the
 * check reports nothing: the options still decide (ci/lib/sanitizer_options.sh
 * sets them; tests/leak/ checks that a deliberate leak is caught). */
#include <sanitizer/allocator_interface.h>
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv,
			int (*callback)(const uint8_t *data, size_t size));

/* Counted only while an input runs: the driver's own buffers and the
 * fork server's are not the target's. */
static volatile int counting;
static volatile size_t mallocs, frees;

static void on_malloc(const volatile void *ptr, size_t size)
{
	(void)ptr, (void)size;
	if (counting)
		mallocs++;
}

static void on_free(const volatile void *ptr)
{
	(void)ptr;
	if (counting)
		frees++;
}

/* A full check stops every thread and scans the heap: milliseconds.  Like
 * libFuzzer, give up after this many checks that found nothing, saying so,
 * rather than let a target that keeps memory across inputs crawl. */
enum { FZ_LEAK_CHECKS_MAX = 1000 };

static int run_input_then_check_leaks(const uint8_t *data, size_t size)
{
	static unsigned checks;
	mallocs = frees = 0;
	counting = 1;
	LLVMFuzzerTestOneInput(data, size);
	counting = 0;
	if (mallocs <= frees || checks > FZ_LEAK_CHECKS_MAX)
		return 0;
	if (__lsan_do_recoverable_leak_check()) {
		fprintf(stderr, "==== afl_leak_check: the input leaked memory "
				"(LeakSanitizer's report above)\n");
		abort();
	}
	if (++checks > FZ_LEAK_CHECKS_MAX)
		fprintf(stderr, "afl_leak_check: %d inputs allocated more than "
				"they freed without a leak; no more leak checks in "
				"this process\n", FZ_LEAK_CHECKS_MAX);
	return 0;
}

int main(int argc, char **argv)
{
	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	return LLVMFuzzerRunDriver(&argc, &argv, run_input_then_check_leaks);
}
