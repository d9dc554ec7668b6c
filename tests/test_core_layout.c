/* Section A of go-map-rules.md: bucket layout, tophash markers, the
 * tophash of a hash, bucket index, header fields, indirect keys/elems. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* rule 1: tophash[8], 8 keys, 8 elems, overflow pointer; Go's sizes. */
GM_TEST(layout__bucket_offsets_keys_then_elems_then_overflow)
{
	gomap_type t = ct_type("u64", "u64");
	GM_EXPECT_EQ_U(t.bucketsize, 144);
	GM_EXPECT_EQ_U(t.elemoff, 8 + 64);
	GM_EXPECT_EQ_U(t.ovfoff, 136);
	t = ct_type("str", "u64");
	GM_EXPECT_EQ_U(t.bucketsize, 208);
	t = ct_type("u32", "u64");
	GM_EXPECT_EQ_U(t.bucketsize, 112);
	GM_EXPECT_EQ_U(t.elemoff, 40);
	t = ct_type("u64", "u8"); /* no padding between keys and elems */
	GM_EXPECT_EQ_U(t.elemoff, 72);
	GM_EXPECT_EQ_U(t.bucketsize, 8 + 64 + 8 + 8);
	t = ct_type("bytes3", "u8");
	GM_EXPECT_EQ_U(t.bucketsize, 48);
}

/* rule 7: over 128 bytes the slot is a pointer; 128 stays inline. */
GM_TEST(layout__indirect_slot_is_a_pointer_from_129_bytes)
{
	gomap_type t = ct_type("bytes129", "bytes200");
	GM_EXPECT(t.indirectkey && t.indirectelem);
	GM_EXPECT_EQ_U(t.keysize, sizeof(void *));
	GM_EXPECT_EQ_U(t.elemsize, sizeof(void *));
	t = ct_type("bytes128", "bytes128");
	GM_EXPECT(!t.indirectkey && !t.indirectelem);
	GM_EXPECT_EQ_U(t.keysize, 128);
	GM_EXPECT_EQ_U(t.elemsize, 128);
}

/* rule 2 + 6: between operations no live chain holds 2..4, hashWriting is
 * clear, and sameSizeGrow only appears while growing. */
GM_TEST(layout__markers_stay_in_their_domains_through_a_growth)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 300; k++) {
		GM_EXPECT_EQ_U(ct_put(m, k, k), GOMAP_OK);
		gomap_header_view h = ct_hdr(m);
		GM_EXPECT(!(h.flags & GM_HASH_WRITING));
		GM_EXPECT(!(h.flags & GM_SAME_SIZE_GROW) || h.growing);
		/* current array: only empty or live tophash */
		for (uintptr_t i = 0; i < gm_bucket_shift(m->B); i++)
			for (uint8_t *b = gm_bucket_at(&m->t, m->buckets, i); b;
			     b = gm_overflow(&m->t, b))
				for (int s = 0; s < 8; s++)
					GM_EXPECT(b[s] <= GM_EMPTY_ONE ||
					          b[s] >= GM_MIN_TOPHASH);
		CT_CHECK(m);
	}
	gomap_destroy(m);
}

/* rule 3: top bytes 0..4 are stored as 5..9 and still found. */
GM_TEST(layout__low_top_bytes_are_bumped_by_five)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	int found = 0;
	for (uint64_t k = 1; found < 6; k++) {
		uint64_t h = ct_hash_u64(m, k);
		uint8_t top = (uint8_t)(h >> 56);
		if (top >= 5)
			continue;
		found++;
		GM_EXPECT_EQ_U(ct_put(m, k, k * 3), GOMAP_OK);
		uint8_t *b = gm_bucket_at(&m->t, m->buckets, h & gm_bucket_mask(m->B));
		bool seen = false;
		for (; b; b = gm_overflow(&m->t, b))
			for (int s = 0; s < 8; s++)
				if (b[s] >= 5 && memcmp(gm_key_slot(&m->t, b, s), &k, 8) == 0) {
					GM_EXPECT_EQ_U(b[s], top + 5);
					seen = true;
				}
		GM_EXPECT(seen);
	}
	gomap_iter it;
	uint64_t v;
	for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it)) {
		uint64_t k;
		memcpy(&k, it.key, 8);
		GM_EXPECT(ct_get(m, k, &v) && v == k * 3);
	}
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rules 4 + 5: the dump alone (hash0, hashkey0, B) re-derives every key's
 * bucket and tophash, for the current and the old array. */
static void verify_dump_placement(const char *dump)
{
	unsigned hash0, B;
	uint64_t key0;
	const char *h = strstr(dump, "hash0=0x");
	GM_EXPECT(h && sscanf(h, "hash0=0x%x", &hash0) == 1);
	h = strstr(dump, "hashkey0=0x");
	GM_EXPECT(h && sscanf(h, "hashkey0=0x%" SCNx64, &key0) == 1);
	h = strstr(dump, " B=");
	GM_EXPECT(h && sscanf(h, " B=%u", &B) == 1);
	bool same = strstr(dump, "sameSizeGrow") != NULL;
	size_t nkeys = 0;
	for (const char *line = strchr(dump, '\n'); line && line[1];
	     line = strchr(line + 1, '\n')) {
		const char *p = line + 1;
		if (strncmp(p, "  new[", 6) != 0 && strncmp(p, "  old[", 6) != 0)
			continue;
		bool old = p[2] == 'o';
		unsigned idx = (unsigned)strtoul(p + 6, NULL, 10);
		unsigned th[8];
		const char *t = strstr(p, "th=[");
		GM_EXPECT(t && sscanf(t, "th=[%x %x %x %x %x %x %x %x]", &th[0],
		                      &th[1], &th[2], &th[3], &th[4], &th[5],
		                      &th[6], &th[7]) == 8);
		const char *end = strchr(p, '\n');
		const char *q = strchr(t, ']') + 1;
		while (q < end && *q == ' ') {
			unsigned slot;
			unsigned long long k;
			GM_EXPECT(sscanf(q, " %u:%llu=", &slot, &k) == 2);
			uint64_t hh = gomap_memhash64(k, hash0, key0);
			unsigned bits = old && !same ? B - 1 : B;
			GM_EXPECT_EQ_U(hh & (((uint64_t)1 << bits) - 1), idx);
			uint8_t top = (uint8_t)(hh >> 56);
			GM_EXPECT_EQ_U(th[slot], top < 5 ? top + 5 : top);
			nkeys++;
			q = strchr(q + 1, ' ');
			if (!q || q > end)
				break;
		}
	}
	GM_EXPECT(nkeys > 0);
}

GM_TEST(layout__dump_rederives_bucket_index_and_tophash)
{
	ct_env e;
	ct_env_init(&e, 42, 0);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	bool saw_growing = false;
	for (uint64_t k = 0; k < 60; k++) {
		GM_EXPECT_EQ_U(ct_put(m, k * 7919, k), GOMAP_OK);
		char *d = ct_dump(m);
		verify_dump_placement(d);
		free(d);
		saw_growing |= ct_hdr(m).growing;
	}
	GM_EXPECT(saw_growing); /* old chains were checked too */
	gomap_destroy(m);
}

/* rule 5: the header line carries count, flags, B, noverflow, hash0,
 * nevacuate, growing, hashkey0 and rand in that order. */
GM_TEST(layout__dump_header_fields_in_order)
{
	ct_env e;
	ct_env_init(&e, 7, 0);
	e.hooks.hashkey0 = 0x1234567890abcdefu;
	gomap *m = ct_make(&e, "u64", "u64", 0);
	GM_EXPECT_EQ_U(ct_put(m, 1, 10), GOMAP_OK);
	char expect[256];
	snprintf(expect, sizeof expect,
	         "dump count=1 flags=0x00(-) B=0 noverflow=0 hash0=0x%08x "
	         "nevacuate=0 growing=0 hashkey0=0x1234567890abcdef "
	         "rand=0x%016llx\n  spare next=none prealloc=0\n",
	         (unsigned)(uint32_t)ct_wyrand_nth(7, 1),
	         (unsigned long long)ct_wyrand_state(7, 1));
	char *d = ct_dump(m);
	GM_EXPECT(strncmp(d, expect, strlen(expect)) == 0);
	if (strncmp(d, expect, strlen(expect)) != 0)
		fprintf(stderr, "got:\n%sexpected prefix:\n%s", d, expect);
	free(d);
	gomap_destroy(m);
}

/* rule 7: indirect keys and elems through put/get/del/grow/clear, with
 * every allocation returned at the end; dumps print the values. */
GM_TEST(layout__indirect_keys_and_elems_survive_growth_and_free_all)
{
	ct_env e;
	ct_env_init(&e, 3, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "bytes129", "bytes200", 0);
	uint8_t key[129], val[200];
	for (int i = 0; i < 100; i++) {
		memset(key, 0, sizeof key);
		key[0] = (uint8_t)i;
		key[128] = 0xab;
		void *el;
		GM_EXPECT_EQ_U(gomap_assign(m, key, &el), GOMAP_OK);
		memset(val, i, sizeof val);
		memcpy(el, val, sizeof val);
	}
	GM_EXPECT_EQ_U(gomap_len(m), 100);
	CT_CHECK(m);
	GM_EXPECT(ct_dump_has(m, "00000000000000ab="));
	for (int i = 0; i < 100; i++) {
		memset(key, 0, sizeof key);
		key[0] = (uint8_t)i;
		key[128] = 0xab;
		bool found;
		const uint8_t *el = gomap_access2(m, key, &found);
		GM_EXPECT(found && el[0] == (uint8_t)i && el[199] == (uint8_t)i);
		if (i % 3 == 0)
			GM_EXPECT_EQ_U(gomap_delete(m, key), GOMAP_OK);
	}
	GM_EXPECT_EQ_U(gomap_len(m), 66);
	gomap_memstats ms;
	gomap_memstats_get(m, &ms);
	GM_EXPECT_EQ_U(ms.indirect_objects, 2 * 66);
	CT_CHECK(m);
	GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_OK);
	gomap_memstats_get(m, &ms);
	GM_EXPECT_EQ_U(ms.indirect_objects, 0);
	CT_CHECK(m);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
	GM_EXPECT_EQ_U(e.alloc.live_bytes, 0);
}

GM_TEST_MAIN()
