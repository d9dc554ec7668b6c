/* The names of the core's allocation sites (gomap.h, enum
 * gomap_alloc_site; docs/design.md, "Allocation sites"). */
#include "gomap.h"

static const char *const site_names[GOMAP_SITE_COUNT] = {
	[GOMAP_SITE_HEADER] = "map header (make)",
	[GOMAP_SITE_ZERO_ELEM] = "zero elem (make)",
	[GOMAP_SITE_MAKE_ARRAY] = "bucket array (make)",
	[GOMAP_SITE_FIRST_BUCKET] = "first bucket (assign)",
	[GOMAP_SITE_GROW_ARRAY] = "bucket array (assign, growth start)",
	[GOMAP_SITE_GROW_OVERFLOW] = "overflow bucket (assign, growth start)",
	[GOMAP_SITE_GROW_KEY] = "indirect key (assign, growth start)",
	[GOMAP_SITE_GROW_ELEM] = "indirect elem (assign, growth start)",
	[GOMAP_SITE_GROWING_OVERFLOW] = "overflow bucket (assign, growing)",
	[GOMAP_SITE_GROWING_KEY] = "indirect key (assign, growing)",
	[GOMAP_SITE_GROWING_ELEM] = "indirect elem (assign, growing)",
	[GOMAP_SITE_CHAIN_OVERFLOW] = "overflow bucket (assign, full chain)",
	[GOMAP_SITE_INSERT_KEY] = "indirect key (assign)",
	[GOMAP_SITE_INSERT_ELEM] = "indirect elem (assign)",
	[GOMAP_SITE_DELETE_OVERFLOW] = "overflow bucket (delete, growing)",
};

const char *gomap_alloc_site_name(enum gomap_alloc_site site)
{
	if ((unsigned)site >= GOMAP_SITE_COUNT)
		return "?";
	return site_names[site];
}
