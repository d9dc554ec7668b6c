/* Large allocations as Go's heap gets them.
 *
 * Go's runtime maps its heap in big arenas and asks the kernel for
 * transparent huge pages on them (sysHugePage), so a large bucket array
 * is reached through few TLB entries, and fresh pages arrive zeroed.  The
 * default allocator (memory.c) does the same for blocks of GM_PAGES_MIN
 * bytes or more: an anonymous mapping aligned to 2 MiB with
 * MADV_HUGEPAGE.  Without mmap/madvise (not Linux), it is calloc/free.
 * Only the default allocator comes here; a hooks.alloc is used as given. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include "map_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)

static size_t mapping_len(size_t size)
{
	return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

/* size is far below SIZE_MAX: gm_alloc's callers size bucket arrays with
 * overflow guards (map.c), so the rounding below cannot wrap. */
void *gm_pages_alloc(size_t size)
{
	size_t len = mapping_len(size);
	/* map one huge page more, then cut the mapping to a 2 MiB boundary */
	uint8_t *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
	                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	uintptr_t start = ((uintptr_t)raw + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uint8_t *p = (uint8_t *)start;
	size_t head = (size_t)(p - raw);
	if (head) /* recent kernels align big anonymous mappings already */
		munmap(raw, head); /* coverage-unreachable: aligned by the kernel */
	munmap(p + len, HUGE_PAGE - head);
	madvise(p, len, MADV_HUGEPAGE); /* a hint: failure changes nothing */
	return p;
}

void gm_pages_free(void *p, size_t size)
{
	munmap(p, mapping_len(size));
}

#else

void *gm_pages_alloc(size_t size)
{
	return calloc(1, size);
}

void gm_pages_free(void *p, size_t size)
{
	(void)size;
	free(p);
}

#endif
