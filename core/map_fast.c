/* The fast entry points (Go: map_fast32.go, map_fast64.go,
 * map_faststr.go).  Each is the shared body of map_body.h with a constant
 * kind; only a type whose key selects that path may use it (rule 65). */
#include "map_body.h"

static bool path_ok(const gomap *m, enum gomap_fast_kind kind)
{
	return m == NULL || m->t.fast == kind;
}

const void *gomap_access1_fast32(gomap *m, uint32_t key)
{
	if (!path_ok(m, GOMAP_FAST_32))
		return gm_zero_elem(m);
	return gm_access_body(m, &key, GOMAP_FAST_32, NULL);
}

const void *gomap_access2_fast32(gomap *m, uint32_t key, bool *found)
{
	if (!path_ok(m, GOMAP_FAST_32)) {
		*found = false;
		return gm_zero_elem(m);
	}
	return gm_access_body(m, &key, GOMAP_FAST_32, found);
}

int gomap_assign_fast32(gomap *m, uint32_t key, void **elem_out)
{
	if (!path_ok(m, GOMAP_FAST_32))
		return GOMAP_EINVAL;
	return gm_assign_body(m, &key, GOMAP_FAST_32, elem_out);
}

int gomap_delete_fast32(gomap *m, uint32_t key)
{
	if (!path_ok(m, GOMAP_FAST_32))
		return GOMAP_EINVAL;
	return gm_delete_body(m, &key, GOMAP_FAST_32);
}

const void *gomap_access1_fast64(gomap *m, uint64_t key)
{
	if (!path_ok(m, GOMAP_FAST_64))
		return gm_zero_elem(m);
	return gm_access_body(m, &key, GOMAP_FAST_64, NULL);
}

const void *gomap_access2_fast64(gomap *m, uint64_t key, bool *found)
{
	if (!path_ok(m, GOMAP_FAST_64)) {
		*found = false;
		return gm_zero_elem(m);
	}
	return gm_access_body(m, &key, GOMAP_FAST_64, found);
}

int gomap_assign_fast64(gomap *m, uint64_t key, void **elem_out)
{
	if (!path_ok(m, GOMAP_FAST_64))
		return GOMAP_EINVAL;
	return gm_assign_body(m, &key, GOMAP_FAST_64, elem_out);
}

int gomap_delete_fast64(gomap *m, uint64_t key)
{
	if (!path_ok(m, GOMAP_FAST_64))
		return GOMAP_EINVAL;
	return gm_delete_body(m, &key, GOMAP_FAST_64);
}

const void *gomap_access1_faststr(gomap *m, gomap_str key)
{
	if (!path_ok(m, GOMAP_FAST_STR))
		return gm_zero_elem(m);
	return gm_access_body(m, &key, GOMAP_FAST_STR, NULL);
}

const void *gomap_access2_faststr(gomap *m, gomap_str key, bool *found)
{
	if (!path_ok(m, GOMAP_FAST_STR)) {
		*found = false;
		return gm_zero_elem(m);
	}
	return gm_access_body(m, &key, GOMAP_FAST_STR, found);
}

int gomap_assign_faststr(gomap *m, gomap_str key, void **elem_out)
{
	if (!path_ok(m, GOMAP_FAST_STR))
		return GOMAP_EINVAL;
	return gm_assign_body(m, &key, GOMAP_FAST_STR, elem_out);
}

int gomap_delete_faststr(gomap *m, gomap_str key)
{
	if (!path_ok(m, GOMAP_FAST_STR))
		return GOMAP_EINVAL;
	return gm_delete_body(m, &key, GOMAP_FAST_STR);
}
