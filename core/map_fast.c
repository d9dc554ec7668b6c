/* The fast entry points (Go: map_fast32.go, map_fast64.go,
 * map_faststr.go).  Each is the shared body of map_body.h with a constant
 * kind; only a type whose key selects that path may use it (rule 65). */
#include "map_body.h"

static bool path_ok(const gomap *m, enum gomap_fast_kind kind)
{
	return m == NULL || m->t.fast == kind;
}

/* A lookup off the lane: a nil, empty, dead or mid-write map, a key type
 * with its own hash, or the wrong entry point. */
GM_INLINE const void *access_checked(gomap *m, const void *key,
                                     enum gomap_fast_kind kind, bool *found)
{
	if (!path_ok(m, kind)) {
		if (found)
			*found = false;
		return gm_zero_elem(m);
	}
	return gm_access_body(m, key, kind, found);
}

/* Out of line and taking the key by value, so that the lane's code needs
 * no stack frame: its one call is then a tail call. */
#define GM_COLD static __attribute__((noinline, cold))

GM_COLD const void *access32_checked(gomap *m, uint32_t key, bool *found)
{
	return access_checked(m, &key, GOMAP_FAST_32, found);
}
GM_COLD const void *access64_checked(gomap *m, uint64_t key, bool *found)
{
	return access_checked(m, &key, GOMAP_FAST_64, found);
}
GM_COLD const void *accessstr_checked(gomap *m, gomap_str key, bool *found)
{
	return access_checked(m, &key, GOMAP_FAST_STR, found);
}

/* A delete off the lane (gm_on_delete_lane): a nil, empty, dead,
 * mid-write or growing map, a key type with its own hash, or the wrong
 * entry point. */
GM_INLINE int delete_checked(gomap *m, const void *key,
                             enum gomap_fast_kind kind)
{
	if (!path_ok(m, kind))
		return GOMAP_EINVAL;
	return gm_delete_body(m, key, kind);
}

GM_COLD int delete32_checked(gomap *m, uint32_t key)
{
	return delete_checked(m, &key, GOMAP_FAST_32);
}
GM_COLD int delete64_checked(gomap *m, uint64_t key)
{
	return delete_checked(m, &key, GOMAP_FAST_64);
}
GM_COLD int deletestr_checked(gomap *m, gomap_str key)
{
	return delete_checked(m, &key, GOMAP_FAST_STR);
}

/* An insert off the lane (gm_on_assign_lane) or one the lane declined. */
GM_INLINE int assign_checked(gomap *m, const void *key,
                             enum gomap_fast_kind kind, void **elem_out)
{
	if (!path_ok(m, kind)) {
		*elem_out = NULL;
		return GOMAP_EINVAL;
	}
	return gm_assign_body(m, key, kind, elem_out);
}

GM_COLD int assign32_checked(gomap *m, uint32_t key, void **elem_out)
{
	return assign_checked(m, &key, GOMAP_FAST_32, elem_out);
}
GM_COLD int assign64_checked(gomap *m, uint64_t key, void **elem_out)
{
	return assign_checked(m, &key, GOMAP_FAST_64, elem_out);
}
GM_COLD int assignstr_checked(gomap *m, gomap_str key, void **elem_out)
{
	return assign_checked(m, &key, GOMAP_FAST_STR, elem_out);
}

const void *gomap_access1_fast32(gomap *m, uint32_t key)
{
	if (gm_on_lookup_lane(m, GOMAP_FAST_32))
		return gm_lane_access(m, &key, GOMAP_FAST_32, NULL);
	return access32_checked(m, key, NULL);
}

const void *gomap_access2_fast32(gomap *m, uint32_t key, bool *found)
{
	if (gm_on_lookup_lane(m, GOMAP_FAST_32))
		return gm_lane_access(m, &key, GOMAP_FAST_32, found);
	return access32_checked(m, key, found);
}

int gomap_assign_fast32(gomap *m, uint32_t key, void **elem_out)
{
	int st;
	if (gm_on_assign_lane(m, GOMAP_FAST_32) &&
	    gm_lane_assign(m, &key, GOMAP_FAST_32, elem_out, &st))
		return st;
	return assign32_checked(m, key, elem_out);
}

int gomap_delete_fast32(gomap *m, uint32_t key)
{
	if (gm_on_delete_lane(m, GOMAP_FAST_32))
		return gm_lane_delete(m, &key, GOMAP_FAST_32);
	return delete32_checked(m, key);
}

const void *gomap_access1_fast64(gomap *m, uint64_t key)
{
	if (gm_on_lookup_lane(m, GOMAP_FAST_64))
		return gm_lane_access(m, &key, GOMAP_FAST_64, NULL);
	return access64_checked(m, key, NULL);
}

const void *gomap_access2_fast64(gomap *m, uint64_t key, bool *found)
{
	if (gm_on_lookup_lane(m, GOMAP_FAST_64))
		return gm_lane_access(m, &key, GOMAP_FAST_64, found);
	return access64_checked(m, key, found);
}

int gomap_assign_fast64(gomap *m, uint64_t key, void **elem_out)
{
	int st;
	if (gm_on_assign_lane(m, GOMAP_FAST_64) &&
	    gm_lane_assign(m, &key, GOMAP_FAST_64, elem_out, &st))
		return st;
	return assign64_checked(m, key, elem_out);
}

int gomap_delete_fast64(gomap *m, uint64_t key)
{
	if (gm_on_delete_lane(m, GOMAP_FAST_64))
		return gm_lane_delete(m, &key, GOMAP_FAST_64);
	return delete64_checked(m, key);
}

const void *gomap_access1_faststr(gomap *m, gomap_str key)
{
	if (gm_on_lookup_lane(m, GOMAP_FAST_STR))
		return gm_lane_access(m, &key, GOMAP_FAST_STR, NULL);
	return accessstr_checked(m, key, NULL);
}

const void *gomap_access2_faststr(gomap *m, gomap_str key, bool *found)
{
	if (gm_on_lookup_lane(m, GOMAP_FAST_STR))
		return gm_lane_access(m, &key, GOMAP_FAST_STR, found);
	return accessstr_checked(m, key, found);
}

int gomap_assign_faststr(gomap *m, gomap_str key, void **elem_out)
{
	int st;
	if (gm_on_assign_lane(m, GOMAP_FAST_STR) &&
	    gm_lane_assign(m, &key, GOMAP_FAST_STR, elem_out, &st))
		return st;
	return assignstr_checked(m, key, elem_out);
}

int gomap_delete_faststr(gomap *m, gomap_str key)
{
	if (gm_on_delete_lane(m, GOMAP_FAST_STR))
		return gm_lane_delete(m, &key, GOMAP_FAST_STR);
	return deletestr_checked(m, key);
}
