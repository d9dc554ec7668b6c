/* The model's entry arena: zeroed, aligned, non-overlapping blocks;
 * recycling by size class; large blocks; and, under ASan, released blocks
 * poisoned so a use after delete in the model is still reported. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "entry_arena.h"
#include "harness.h"
#include "poison.h" /* FZ_POISON_ASAN: built with ASan */

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

GM_TEST(arena__blocks_are_zeroed_aligned_and_disjoint)
{
	orc_arena a = {0};
	enum { N = 5000 };  /* several 64 KiB chunks' worth */
	static unsigned char *blk[N];
	for (int i = 0; i < N; i++) {
		size_t size = 24 + (size_t)(i % 7) * 40;
		blk[i] = orc_arena_alloc(&a, size);
		GM_EXPECT(blk[i] != NULL);
		GM_EXPECT(((uintptr_t)blk[i] & 15) == 0);
		GM_EXPECT(all_zero(blk[i], size));
		memset(blk[i], i & 0xff, size);
	}
	int intact = 0;
	for (int i = 0; i < N; i++) {
		size_t size = 24 + (size_t)(i % 7) * 40;
		unsigned char want = (unsigned char)(i & 0xff);
		intact += blk[i][0] == want && blk[i][size - 1] == want;
	}
	GM_EXPECT_EQ_U(intact, N);
	orc_arena_free_all(&a);
	GM_EXPECT(a.chunks == NULL);
}

GM_TEST(arena__a_released_block_is_reused_for_its_size_class_zeroed)
{
	orc_arena a = {0};
	unsigned char *p = orc_arena_alloc(&a, 40);
	unsigned char *q = orc_arena_alloc(&a, 40);
	GM_EXPECT(p != NULL && q != NULL && p != q);
	memset(p, 0xab, 40);
	orc_arena_release(&a, p, 40);
	unsigned char *other = orc_arena_alloc(&a, 200); /* another class */
	GM_EXPECT(other != p);
	unsigned char *again = orc_arena_alloc(&a, 33); /* same class as 40 */
	GM_EXPECT(again == p);
	GM_EXPECT(all_zero(again, 33));
	orc_arena_free_all(&a);
}

GM_TEST(arena__large_blocks_bypass_the_classes)
{
	orc_arena a = {0};
	size_t big = ORC_ARENA_CLASSES * 16 + 1;
	unsigned char *p = orc_arena_alloc(&a, big);
	GM_EXPECT(p != NULL);
	GM_EXPECT(all_zero(p, big));
	memset(p, 1, big);
	GM_EXPECT(a.chunks == NULL); /* no chunk was carved for it */
	orc_arena_release(&a, p, big); /* freed: LSan would report a leak */
	orc_arena_free_all(&a);
}

/* free_all frees big blocks nobody released (a model is freed without
 * walking its entries): the list survives releases from its middle and
 * its head, and ends empty.  Under ASan a wrong unlink is a double free or
 * a leak report. */
GM_TEST(arena__free_all_frees_big_blocks_never_released)
{
	orc_arena a = {0};
	size_t big = ORC_ARENA_CLASSES * 16 + 100;
	unsigned char *p[4];
	for (int i = 0; i < 4; i++) {
		p[i] = orc_arena_alloc(&a, big);
		GM_EXPECT(p[i] != NULL && all_zero(p[i], big));
		memset(p[i], i + 1, big);
	}
	GM_EXPECT(a.big != NULL);
	orc_arena_release(&a, p[1], big); /* middle of the list */
	orc_arena_release(&a, p[3], big); /* its head, the newest */
	GM_EXPECT(p[0][big - 1] == 1 && p[2][0] == 3); /* the others intact */
	orc_arena_free_all(&a);
	GM_EXPECT(a.big == NULL && a.chunks == NULL);
}

GM_TEST(arena__released_blocks_are_poisoned_under_asan)
{
	orc_arena a = {0};
	unsigned char *p = orc_arena_alloc(&a, 64);
	GM_EXPECT(p != NULL);
#ifdef FZ_POISON_ASAN
	GM_EXPECT(!__asan_address_is_poisoned(p + 32));
	orc_arena_release(&a, p, 64);
	GM_EXPECT(__asan_address_is_poisoned(p + 32));
	GM_EXPECT(__asan_address_is_poisoned(p + 63));
	p = orc_arena_alloc(&a, 64);
	GM_EXPECT(!__asan_address_is_poisoned(p + 63));
	/* the unused rest of a chunk is poisoned too */
	GM_EXPECT(__asan_address_is_poisoned(p + 64));
#else
	orc_arena_release(&a, p, 64);
	GM_EXPECT(orc_arena_alloc(&a, 64) == p);
#endif
	orc_arena_free_all(&a);
}

GM_TEST_MAIN()
