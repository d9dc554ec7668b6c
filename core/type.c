/* gomap_type_init: the bucket layout Go's compiler gives a map type
 * (Go: cmd/compile/internal/reflectdata/reflect.go MapBucketType), on a
 * 64-bit target:
 *
 *     0          tophash[8]
 *     8          key slots [8]      (dataOffset)
 *     elemoff    elem slots [8]     (aligned for the elem)
 *     ovfoff     overflow pointer   (aligned to 8, the last word)
 *     bucketsize = ovfoff + 8
 *
 * Keys and elems of more than 128 bytes live in their own allocation and
 * the slot holds a pointer to it (Go: maxKeySize, maxElemSize). */
#include <string.h>

#include "gomap.h"

enum {
	GM_BUCKET_SLOTS = 8,
	GM_DATA_OFFSET = 8,     /* Go: dataOffset, tophash[8] rounded to 8 */
	GM_MAX_INLINE = 128,    /* Go: maxKeySize / maxElemSize */
	GM_PTR_SIZE = 8,        /* an indirect slot or the overflow word */
	GM_MAX_VALUE_SIZE = 1 << 20,
};

static bool valid_align(size_t align)
{
	return align == 1 || align == 2 || align == 4 || align == 8;
}

/* Go itself guarantees these for every type: a power-of-two alignment up
 * to a word, and a size that is a whole number of alignments. */
static bool valid_shape(size_t size, size_t align)
{
	return valid_align(align) && size <= GM_MAX_VALUE_SIZE &&
	       size % align == 0;
}

/* The fast path a key claims must fit its shape, or the fast code would
 * read the wrong number of bytes. */
static bool valid_fast_kind(const gomap_keytype *key)
{
	switch (key->fast) {
	case GOMAP_FAST_NONE:
		return true;
	case GOMAP_FAST_32:
		return key->size == 4 && !(key->flags & GOMAP_HAS_POINTERS);
	case GOMAP_FAST_64:
		return key->size == 8;
	case GOMAP_FAST_STR:
		return key->size == sizeof(gomap_str);
	}
	return false;
}

static bool valid_key(const gomap_keytype *key)
{
	return valid_shape(key->size, key->align) && key->hash && key->equal &&
	       valid_fast_kind(key);
}

static size_t align_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

/* Go: the indirectkey / indirectelem decision of MapBucketType. */
static void slot_shape(size_t size, size_t align, bool *indirect,
                       size_t *slot_size, size_t *slot_align)
{
	*indirect = size > GM_MAX_INLINE;
	*slot_size = *indirect ? GM_PTR_SIZE : size;
	*slot_align = *indirect ? GM_PTR_SIZE : align;
}

int gomap_type_init(gomap_type *t, const gomap_keytype *key,
                    const gomap_elemtype *elem)
{
	if (!t || !key || !elem || !valid_key(key) ||
	    !valid_shape(elem->size, elem->align))
		return GOMAP_EINVAL;

	size_t keysize, keyalign, elemsize, elemalign;
	bool indirectkey, indirectelem;
	slot_shape(key->size, key->align, &indirectkey, &keysize, &keyalign);
	slot_shape(elem->size, elem->align, &indirectelem, &elemsize,
	           &elemalign);

	/* Keys need no padding after tophash: dataOffset is already a
	 * multiple of every alignment up to 8. */
	size_t elemoff = align_up(GM_DATA_OFFSET + GM_BUCKET_SLOTS * keysize,
	                          elemalign);
	size_t ovfoff = align_up(elemoff + GM_BUCKET_SLOTS * elemsize,
	                         GM_PTR_SIZE);

	memset(t, 0, sizeof *t);
	t->key = *key;
	t->elem = *elem;
	t->keysize = (uint32_t)keysize;
	t->elemsize = (uint32_t)elemsize;
	t->elemoff = (uint32_t)elemoff;
	t->ovfoff = (uint32_t)ovfoff;
	t->bucketsize = (uint32_t)(ovfoff + GM_PTR_SIZE);
	t->indirectkey = indirectkey;
	t->indirectelem = indirectelem;
	/* An indirect slot is a pointer, so such a bucket holds pointers even
	 * for plain-memory values (Go's overflow word becomes unsafe.Pointer). */
	t->bucket_has_pointers = indirectkey || indirectelem ||
	                         (key->flags & GOMAP_HAS_POINTERS) ||
	                         (elem->flags & GOMAP_HAS_POINTERS);
	/* Go: walk.go mapfast.  A big elem sends every operation down the
	 * generic path, whatever the key. */
	t->fast = elem->size > GM_MAX_INLINE ? GOMAP_FAST_NONE : key->fast;
	return GOMAP_OK;
}
