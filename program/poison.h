/* Memory a pool keeps for later but nobody may touch meanwhile.
 *
 * The harness reuses some of its memory across fuzz inputs instead of
 * freeing it (a malloc under ASan costs about as much as a small map
 * operation).  Kept memory is poisoned, so ASan still reports a read or
 * write of it exactly as it would report a use after free; without ASan
 * these do nothing. */
#ifndef FZ_POISON_H
#define FZ_POISON_H

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_POISON_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FZ_POISON_ASAN 1
#endif

#ifdef FZ_POISON_ASAN
#include <sanitizer/asan_interface.h>
#endif

static inline void fz_poison(const void *p, size_t n)
{
#ifdef FZ_POISON_ASAN
	ASAN_POISON_MEMORY_REGION(p, n);
#else
	(void)p, (void)n;
#endif
}

static inline void fz_unpoison(const void *p, size_t n)
{
#ifdef FZ_POISON_ASAN
	ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
	(void)p, (void)n;
#endif
}

#endif
