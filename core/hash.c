/* The public face of Go's portable hash (runtime/hash64.go, runtime/alg.go)
 * and of its random generator (runtime/stubs.go).  The arithmetic itself is
 * in hash_inline.h, shared with the map's fast paths. */
#include <string.h>

#include "gomap.h"
#include "hash_inline.h"

/* f64hash's constants for +0/-0 and NaN (runtime/alg.go c0, c1 on 64-bit). */
#define GM_F64_C0 UINT64_C(33054211828000289)
#define GM_F64_C1 UINT64_C(23344194077549503)

/* Go: memhash (memhashFallback under GODEBUG=cpu.aes=off). */
uint64_t gomap_memhash(const void *p, size_t n, uint64_t seed, uint64_t key0)
{
	return gm_memhash(p, n, seed, key0);
}

/* Go: memhash32 */
uint64_t gomap_memhash32(uint32_t v, uint64_t seed, uint64_t key0)
{
	return gm_memhash32(v, seed, key0);
}

/* Go: memhash64 */
uint64_t gomap_memhash64(uint64_t v, uint64_t seed, uint64_t key0)
{
	return gm_memhash64(v, seed, key0);
}

/* Go: f64hash.  Both zeros must land together because they compare equal,
 * and each NaN gets a fresh random hash so that many NaN keys (which never
 * compare equal) spread out instead of piling into one chain.  Neither
 * special case mixes in the process key. */
uint64_t gomap_f64hash(double v, uint64_t seed, uint64_t key0, gomap *m)
{
	if (v == 0)
		return GM_F64_C1 * (GM_F64_C0 ^ seed);
	if (v != v)
		return GM_F64_C1 * (GM_F64_C0 ^ seed ^ (uint64_t)gomap_fastrand(m));
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	return gm_memhash64(bits, seed, key0);
}

/* Go: fastrand64 (wyrand).  Advancing by the odd constant first means the
 * state walks every 64-bit value before repeating. */
uint64_t gomap_wyrand(uint64_t *state)
{
	*state += GM_HASH_M1;
	return gm_mix(*state, *state ^ GM_HASH_M2);
}
