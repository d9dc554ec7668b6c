/* Go's portable map hash (runtime/hash64.go), as static inline functions.
 *
 * The 4- and 8-byte hashes sit on the fast paths of every u32/u64 lookup,
 * so they live in a header the map code can inline; hash.c wraps them as
 * the public gomap_memhash* functions.  Everything is 64-bit wrapping
 * arithmetic, and every multi-byte read is little-endian and may be
 * unaligned, whatever the host, so that the C port puts each key in the
 * same bucket as Go on amd64.
 *
 * Internal to core/: not part of the public API.
 */
#ifndef GM_HASH_INLINE_H
#define GM_HASH_INLINE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The wyhash-derived multipliers of runtime/hash64.go. */
#define GM_HASH_M1 UINT64_C(0xa0761d6478bd642f)
#define GM_HASH_M2 UINT64_C(0xe7037ed1a0b428db)
#define GM_HASH_M3 UINT64_C(0x8ebc6af09c88c6e3)
#define GM_HASH_M4 UINT64_C(0x589965cc75374cc3)
#define GM_HASH_M5 UINT64_C(0x1d8e4e27c47d124f)

/* GCC and clang's 128-bit integer; __extension__ keeps -Wpedantic quiet. */
__extension__ typedef unsigned __int128 gm_u128;

/* Go: mix.  The full 128-bit product folded onto itself. */
static inline uint64_t gm_mix(uint64_t a, uint64_t b)
{
	gm_u128 product = (gm_u128)a * b;
	return (uint64_t)(product >> 64) ^ (uint64_t)product;
}

/* Go: readUnaligned32 / readUnaligned64, pinned to little-endian.  One
 * unaligned load each (memcpy), not four or eight byte loads: the same
 * machine code without sanitizers, and one ASan check instead of eight
 * with them. */
static inline uint64_t gm_load32le(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline uint64_t gm_load64le(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Where every one of Go's memory hashes starts: the map's seed folded
 * with the process key (Go: seed ^ hashkey[0] ^ m1).  A map keeps it
 * (gm_set_hash0) so that a lookup need not fold it each time. */
static inline uint64_t gm_hash_start(uint64_t seed, uint64_t key0)
{
	return seed ^ key0 ^ GM_HASH_M1;
}

/* Go: memhash32Fallback, taking the key as a number rather than memory
 * (the same thing on a little-endian machine), from gm_hash_start. */
static inline uint64_t gm_memhash32_from(uint32_t v, uint64_t start)
{
	uint64_t k = v;
	return gm_mix(GM_HASH_M5 ^ 4, gm_mix(k ^ GM_HASH_M2, k ^ start));
}

/* Go: memhash64Fallback, likewise on the value. */
static inline uint64_t gm_memhash64_from(uint64_t k, uint64_t start)
{
	return gm_mix(GM_HASH_M5 ^ 8, gm_mix(k ^ GM_HASH_M2, k ^ start));
}

static inline uint64_t gm_memhash32(uint32_t v, uint64_t seed, uint64_t key0)
{
	return gm_memhash32_from(v, gm_hash_start(seed, key0));
}

static inline uint64_t gm_memhash64(uint64_t k, uint64_t seed, uint64_t key0)
{
	return gm_memhash64_from(k, gm_hash_start(seed, key0));
}

/* The body of keys longer than 16 bytes: 48-byte strides on three lanes,
 * then 16-byte strides, leaving the final (possibly overlapping) 16 bytes
 * to the caller.  Returns the folded seed. */
static inline uint64_t gm_memhash_long(const uint8_t *p, size_t n,
                                       uint64_t seed)
{
	size_t left = n;
	if (left > 48) {
		uint64_t seed1 = seed, seed2 = seed;
		for (; left > 48; left -= 48, p += 48) {
			seed = gm_mix(gm_load64le(p) ^ GM_HASH_M2,
			              gm_load64le(p + 8) ^ seed);
			seed1 = gm_mix(gm_load64le(p + 16) ^ GM_HASH_M3,
			               gm_load64le(p + 24) ^ seed1);
			seed2 = gm_mix(gm_load64le(p + 32) ^ GM_HASH_M4,
			               gm_load64le(p + 40) ^ seed2);
		}
		seed ^= seed1 ^ seed2;
	}
	for (; left > 16; left -= 16, p += 16)
		seed = gm_mix(gm_load64le(p) ^ GM_HASH_M2,
		              gm_load64le(p + 8) ^ seed);
	return seed;
}

/* Go: memhashFallback, from gm_hash_start.  Any run of n bytes; strings
 * hash their bytes. */
static inline uint64_t gm_memhash_from(const void *data, size_t n,
                                       uint64_t start)
{
	const uint8_t *p = data;
	uint64_t a, b, seed = start;

	if (n == 0)
		return seed;
	if (n < 4) {
		/* First, middle and last byte: covers 1..3 without branching
		 * on the exact length. */
		a = (uint64_t)p[0] | (uint64_t)p[n >> 1] << 8 |
		    (uint64_t)p[n - 1] << 16;
		b = 0;
	} else if (n == 4) {
		a = b = gm_load32le(p);
	} else if (n < 8) {
		a = gm_load32le(p);
		b = gm_load32le(p + n - 4);
	} else if (n == 8) {
		a = b = gm_load64le(p);
	} else if (n <= 16) {
		a = gm_load64le(p);
		b = gm_load64le(p + n - 8);
	} else {
		seed = gm_memhash_long(p, n, seed);
		/* The tail is always the key's last 16 bytes, even when that
		 * re-reads bytes a stride already consumed. */
		a = gm_load64le(p + n - 16);
		b = gm_load64le(p + n - 8);
	}
	return gm_mix(GM_HASH_M5 ^ (uint64_t)n,
	              gm_mix(a ^ GM_HASH_M2, b ^ seed));
}

static inline uint64_t gm_memhash(const void *data, size_t n, uint64_t seed,
                                  uint64_t key0)
{
	return gm_memhash_from(data, n, gm_hash_start(seed, key0));
}

#endif
