/* The per-map hooks: random source, failure handler, and the hashing entry
 * points that bind a key type's callbacks to the map's seed. */
#include "map_internal.h"

#include <stdlib.h>

const char *gomap_strerror(int status)
{
	switch (status) {
	case GOMAP_OK: return "ok";
	case GOMAP_ENOMEM: return "out of memory";
	case GOMAP_EPANIC: return GM_MSG_NIL_ASSIGN;
	case GOMAP_EFATAL: return "fatal map error";
	case GOMAP_EINVAL: return "invalid argument";
	default: return "unknown status";
	}
}

/* Go: fatal / throw.  Both leave the map dead: Go's process would be gone,
 * so no later operation may touch it.  (Go's one map panic, assignment to
 * a nil map, has no map to report to: it is the GOMAP_EPANIC status.) */
void gm_fail(gomap *m, enum gomap_severity sev, const char *msg)
{
	m->dead = true;
	m->lookup_lane = GOMAP_FAST_NONE; /* a dead map's lookups take the checked path */
	if (m->hooks.fail) {
		m->hooks.fail(m->hooks.fail_ctx, sev, msg);
		return;
	}
	fprintf(stderr, "fatal error: %s\n", msg);
	abort();
}

/* Go: fastrand64.  Every random choice of the map goes through here. */
uint64_t gomap_fastrand64(gomap *m)
{
	if (m->hooks.rand64)
		return m->hooks.rand64(m->hooks.rand_ctx);
	return gomap_wyrand(&m->rand_state);
}

/* Go: fastrand: the low 32 bits of one draw. */
uint32_t gomap_fastrand(gomap *m)
{
	return (uint32_t)gomap_fastrand64(m);
}

uint64_t gomap_hashkey0(const gomap *m)
{
	return m->hooks.hashkey0;
}

void *gomap_user(const gomap *m)
{
	return m->hooks.user;
}

const gomap_type *gomap_type_of(const gomap *m)
{
	return &m->t;
}

uint64_t gm_hash(gomap *m, const void *key)
{
	return m->t.key.hash(&m->t.key, key, m->hash0, m);
}

bool gm_key_equal(gomap *m, const void *a, const void *b)
{
	return m->t.key.equal(&m->t.key, a, b, m);
}
