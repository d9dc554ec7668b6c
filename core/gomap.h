/* gomap: Go 1.19's runtime hash map, ported to C11 bucket for bucket.
 *
 * A map is generic over a type descriptor (gomap_type) built once from a key
 * type and an elem type.  Every map carries its own hooks: an allocator, a
 * random source (Go's wyrand fastrand by default) and a failure handler that
 * is told Go's severity and Go's exact message.  There are no process-wide
 * knobs: Go's process hash key (hashkey[0]) is a per-map hook value too.
 *
 * The algorithm, the bucket layout and the numbered invariants are described
 * in docs/design.md.  Each ported routine names the Go function it mirrors.
 */
#ifndef GOMAP_H
#define GOMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gomap gomap;

/* ---- results --------------------------------------------------------- */

enum gomap_status {
	GOMAP_OK = 0,
	GOMAP_ENOMEM = 1,  /* allocation failed; the map is exactly as before */
	GOMAP_EPANIC = 2,  /* Go would panic (assignment to entry in nil map) */
	GOMAP_EFATAL = 3,  /* Go would die (concurrent writes, bad map state);
	                      the map must not be used again */
	GOMAP_EINVAL = 4,  /* misuse of the C API (wrong fast path, bad type) */
};

const char *gomap_strerror(int status);

/* Go's three failure severities. */
enum gomap_severity {
	GOMAP_PANIC = 1, /* recoverable misuse: panic(plainError(...)) */
	GOMAP_FATAL = 2, /* unrecoverable misuse: fatal(...) */
	GOMAP_THROW = 3, /* internal corruption: throw(...) */
};

/* ---- type descriptors -------------------------------------------------- */

/* A Go string header: the map stores this pair; the bytes stay owned by the
 * caller and must outlive every map entry that refers to them. */
typedef struct gomap_str {
	const uint8_t *ptr;
	size_t len;
} gomap_str;

/* Which specialised runtime path Go's compiler would pick for the key
 * (Go: cmd/compile/internal/walk/walk.go mapfast). */
enum gomap_fast_kind {
	GOMAP_FAST_NONE = 0, /* generic mapaccess/mapassign/mapdelete */
	GOMAP_FAST_32 = 1,   /* 4-byte memory key, no pointers */
	GOMAP_FAST_64 = 2,   /* 8-byte memory key */
	GOMAP_FAST_STR = 3,  /* Go string key (gomap_str) */
};

enum gomap_type_flags {
	GOMAP_REFLEXIVE = 1u << 0,        /* k == k for every k (false for floats) */
	GOMAP_NEEDKEYUPDATE = 1u << 1,    /* overwrite the stored key on update */
	GOMAP_HAS_POINTERS = 1u << 2,     /* the value holds pointers */
	GOMAP_HASH_MIGHT_PANIC = 1u << 3, /* hash is run even on empty maps */
};

/* A sink for canonical text (trace literal syntax). */
typedef struct gomap_textbuf {
	char *data;
	size_t len, cap;
	bool oom;
} gomap_textbuf;
void gomap_textbuf_putc(gomap_textbuf *tb, char c);
void gomap_textbuf_puts(gomap_textbuf *tb, const char *s);
void gomap_textbuf_putn(gomap_textbuf *tb, const char *s, size_t n);
/* Appends v in decimal (what printf's %llu gives, without a format to
 * parse: dumps write many numbers). */
void gomap_textbuf_putu(gomap_textbuf *tb, uint64_t v);
void gomap_textbuf_printf(gomap_textbuf *tb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void gomap_textbuf_free(gomap_textbuf *tb);

typedef struct gomap_keytype gomap_keytype;

/* Hash of one key with the map's seed.  `m` gives access to the per-map
 * process key (gomap_hashkey0) and random source (gomap_fastrand, used by
 * NaN hashing); it is also what a test callback may re-enter. */
typedef uint64_t (*gomap_hash_fn)(const gomap_keytype *kt, const void *key,
                                  uint64_t seed, gomap *m);
typedef bool (*gomap_equal_fn)(const gomap_keytype *kt, const void *a,
                               const void *b, gomap *m);
/* Writes the value in the canonical literal form of the trace format. */
typedef void (*gomap_format_fn)(const void *value, size_t size,
                                gomap_textbuf *out);

struct gomap_keytype {
	const char *name;  /* "u64", "bytes12", ... */
	size_t size;       /* bytes of one key value */
	size_t align;      /* its alignment: 1, 4 or 8 */
	unsigned flags;    /* enum gomap_type_flags */
	enum gomap_fast_kind fast;
	gomap_hash_fn hash;
	gomap_equal_fn equal;
	gomap_format_fn format; /* may be NULL: dump prints "?" */
	void *user;        /* free for the callbacks' use */
};

typedef struct gomap_elemtype {
	const char *name;
	size_t size, align;
	unsigned flags;     /* only GOMAP_HAS_POINTERS matters */
	gomap_format_fn format;
} gomap_elemtype;

/* The map type: key and elem plus the derived bucket layout (Go: maptype,
 * built by cmd/compile/internal/reflectdata/reflect.go MapBucketType). */
typedef struct gomap_type {
	gomap_keytype key;
	gomap_elemtype elem;
	uint32_t keysize;    /* slot size: key size, or a pointer if indirect */
	uint32_t elemsize;   /* slot size: elem size, or a pointer if indirect */
	uint32_t elemoff;    /* offset of elem slot 0 in a bucket */
	uint32_t ovfoff;     /* offset of the overflow pointer */
	uint32_t bucketsize; /* bytes of one bucket */
	bool indirectkey, indirectelem;
	bool bucket_has_pointers;
	enum gomap_fast_kind fast; /* path selection including the elem rule */
} gomap_type;

/* Derives the layout.  Returns GOMAP_EINVAL for sizes or alignments Go
 * could not have (size 0 keys are allowed, align must be 1, 2, 4 or 8). */
int gomap_type_init(gomap_type *t, const gomap_keytype *key,
                    const gomap_elemtype *elem);

/* Built-in descriptors, matching Go's uint32, uint64, float64, string,
 * [N]byte keys and uint8, uint32, uint64, string, [N]byte elems. */
extern const gomap_keytype gomap_key_u32, gomap_key_u64, gomap_key_f64,
	gomap_key_str;
extern const gomap_elemtype gomap_elem_u8, gomap_elem_u32, gomap_elem_u64,
	gomap_elem_str;
/* [n]byte, n from 1 to 1024; returns false for other n. */
bool gomap_key_bytes(size_t n, gomap_keytype *out);
bool gomap_elem_bytes(size_t n, gomap_elemtype *out);
/* Looks a built-in up by its trace name ("u32", "bytes7", ...). */
bool gomap_key_by_name(const char *name, gomap_keytype *out);
bool gomap_elem_by_name(const char *name, gomap_elemtype *out);

/* The hash functions of Go's portable (non-AES) hash, runtime/hash64.go
 * and runtime/alg.go. */
uint64_t gomap_memhash(const void *p, size_t n, uint64_t seed, uint64_t key0);
uint64_t gomap_memhash32(uint32_t v, uint64_t seed, uint64_t key0);
uint64_t gomap_memhash64(uint64_t v, uint64_t seed, uint64_t key0);
/* f64hash; draws one fastrand from `m` when v is NaN. */
uint64_t gomap_f64hash(double v, uint64_t seed, uint64_t key0, gomap *m);

/* ---- hooks ------------------------------------------------------------- */

/* Where the core allocates: every allocation names its call site, so an
 * allocator hook can count, or fail, each one (docs/design.md, "Allocation
 * sites").  The name says what is allocated and by which step. */
enum gomap_alloc_site {
	GOMAP_SITE_HEADER,           /* make: the map header */
	GOMAP_SITE_ZERO_ELEM,        /* make: the zero value of a big elem */
	GOMAP_SITE_MAKE_ARRAY,       /* make: the bucket array of a hint */
	GOMAP_SITE_FIRST_BUCKET,     /* assign: the first bucket (B = 0) */
	GOMAP_SITE_GROW_ARRAY,       /* assign: the array a growth moves to */
	GOMAP_SITE_GROW_OVERFLOW,    /* assign: reserve for a growth's start */
	GOMAP_SITE_GROW_KEY,         /* assign: indirect key, growth start */
	GOMAP_SITE_GROW_ELEM,        /* assign: indirect elem, growth start */
	GOMAP_SITE_GROWING_OVERFLOW, /* assign: reserve for growWork + insert */
	GOMAP_SITE_GROWING_KEY,      /* assign: indirect key while growing */
	GOMAP_SITE_GROWING_ELEM,     /* assign: indirect elem while growing */
	GOMAP_SITE_CHAIN_OVERFLOW,   /* assign: a full chain's next bucket */
	GOMAP_SITE_INSERT_KEY,       /* assign: indirect key, no growth */
	GOMAP_SITE_INSERT_ELEM,      /* assign: indirect elem, no growth */
	GOMAP_SITE_DELETE_OVERFLOW,  /* delete: reserve for growWork */
	GOMAP_SITE_COUNT
};

/* The site's name, e.g. "overflow bucket (delete, growing)"; "?" if
 * out of range. */
const char *gomap_alloc_site_name(enum gomap_alloc_site site);

/* The allocator a map uses without an alloc hook, for a hook that wants
 * the same memory: zeroed, and blocks of 1 MiB or more as their own
 * mapping on transparent huge pages, as Go's heap (so a big bucket array's
 * untouched pages cost nothing).  Free with the size that was allocated. */
void *gomap_default_alloc(size_t size);
void gomap_default_free(void *p, size_t size);

typedef struct gomap_hooks {
	/* Allocator.  NULL alloc means malloc/free.  Memory need not be
	 * zeroed; `free` receives the size that was allocated.  `site` says
	 * which allocation this is; a NULL return fails just that one. */
	void *(*alloc)(void *ctx, size_t size, enum gomap_alloc_site site);
	void (*free)(void *ctx, void *p, size_t size);
	void *alloc_ctx;
	/* alloc returns zeroed memory, as calloc does: the core then does not
	 * clear it again (a big bucket array's untouched pages stay unmapped,
	 * as Go's fresh spans do). */
	bool alloc_zeroed;

	/* Random source: one call is one Go fastrand64 draw (fastrand takes
	 * the low 32 bits).  NULL means Go's wyrand on a per-map state seeded
	 * with rand_seed. */
	uint64_t (*rand64)(void *ctx);
	void *rand_ctx;
	uint64_t rand_seed;

	/* Failure handler.  NULL means: print Go's message to stderr and
	 * abort() for fatal/throw; panics only return GOMAP_EPANIC.  A hook
	 * that returns makes the operation return GOMAP_EFATAL and the map
	 * dead (every later operation returns it too), except for a throw
	 * found part way through a change (an empty allocation reserve: only
	 * internal corruption), which aborts after the hook returns. */
	void (*fail)(void *ctx, enum gomap_severity sev, const char *msg);
	void *fail_ctx;

	/* Go's runtime.hashkey[0]; 0 means the default below. */
	uint64_t hashkey0;

	void *user; /* returned by gomap_user() */
} gomap_hooks;

#define GOMAP_DEFAULT_HASHKEY0 UINT64_C(0x9e3779b97f4a7c15)

/* One wyrand step on *state (Go: runtime/stubs.go fastrand64). */
uint64_t gomap_wyrand(uint64_t *state);

/* ---- maps ------------------------------------------------------------- */

/* Go: makemap / makemap_small.  A negative or absurd hint counts as 0.
 * Returns NULL with *status = GOMAP_ENOMEM if the first allocation fails. */
gomap *gomap_make(const gomap_type *t, int64_t hint, const gomap_hooks *hooks,
                  int *status);
/* Frees the map and everything it owns.  NULL is a no-op. */
void gomap_destroy(gomap *m);

/* len(m); 0 for NULL (a nil map). */
size_t gomap_len(const gomap *m);

/* Go: mapaccess1.  Returns the elem, or a zero value on a miss; never NULL.
 * A NULL map reads as an empty one. */
const void *gomap_access1(gomap *m, const void *key);
/* Go: mapaccess2: as access1, with *found set. */
const void *gomap_access2(gomap *m, const void *key, bool *found);
/* Go: mapaccessK: the stored key and elem, or false. */
bool gomap_accessK(gomap *m, const void *key, const void **key_out,
                   const void **elem_out);

/* Go: mapassign.  On GOMAP_OK *elem_out is the elem slot for `key`, zero
 * for a new key; the caller stores the value there before the next map
 * operation.  A NULL map gives GOMAP_EPANIC. */
int gomap_assign(gomap *m, const void *key, void **elem_out);
/* Go: mapdelete. */
int gomap_delete(gomap *m, const void *key);
/* Go: mapclear (Go 1.19 semantics for running iterators, rule 57). */
int gomap_clear(gomap *m);

/* Fast entry points (Go: map_fast32.go, map_fast64.go, map_faststr.go).
 * The map's type must select the matching path (gomap_type.fast), else
 * GOMAP_EINVAL / the zero value. */
const void *gomap_access1_fast32(gomap *m, uint32_t key);
const void *gomap_access2_fast32(gomap *m, uint32_t key, bool *found);
int gomap_assign_fast32(gomap *m, uint32_t key, void **elem_out);
int gomap_delete_fast32(gomap *m, uint32_t key);
const void *gomap_access1_fast64(gomap *m, uint64_t key);
const void *gomap_access2_fast64(gomap *m, uint64_t key, bool *found);
int gomap_assign_fast64(gomap *m, uint64_t key, void **elem_out);
int gomap_delete_fast64(gomap *m, uint64_t key);
const void *gomap_access1_faststr(gomap *m, gomap_str key);
const void *gomap_access2_faststr(gomap *m, gomap_str key, bool *found);
int gomap_assign_faststr(gomap *m, gomap_str key, void **elem_out);
int gomap_delete_faststr(gomap *m, gomap_str key);

/* ---- iteration --------------------------------------------------------- */

/* Go: hiter.  `key` and `elem` are public; the rest is private state.
 * Usage, as Go's range loop:
 *     gomap_iter it;
 *     for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it)) ...
 * An iteration that is left before its end must be released with
 * gomap_iter_release, so the map may free arrays the iterator could read. */
typedef struct gomap_iter {
	const void *key;  /* NULL once the iteration is over */
	const void *elem;
	/* private */
	gomap *h;
	void *buckets;
	void *bptr;
	uintptr_t start_bucket, bucket, check_bucket;
	uint8_t offset, B, i;
	bool wrapped, live;
} gomap_iter;

/* Go: mapiterinit (which runs the first mapiternext). */
void gomap_iter_init(gomap *m, gomap_iter *it);
/* Go: mapiternext. */
void gomap_iter_next(gomap_iter *it);
void gomap_iter_release(gomap_iter *it);

/* ---- hooks access for callbacks ---------------------------------------- */

uint64_t gomap_hashkey0(const gomap *m);
/* Go: fastrand() / fastrand64() on this map's random source. */
uint32_t gomap_fastrand(gomap *m);
uint64_t gomap_fastrand64(gomap *m);
void *gomap_user(const gomap *m);
const gomap_type *gomap_type_of(const gomap *m);

/* ---- introspection ----------------------------------------------------- */

/* The header, read-only (Go: hmap and mapextra). */
typedef struct gomap_header_view {
	size_t count;
	uint8_t flags, B;
	uint16_t noverflow;
	uint32_t hash0;
	uintptr_t nevacuate;
	bool growing;          /* oldbuckets != NULL */
	bool has_extra;        /* Go would have allocated hmap.extra */
	size_t nbuckets_alloc; /* 2^B plus preallocated spares */
	size_t prealloc;       /* spares preallocated after the 2^B buckets */
	ptrdiff_t next_overflow; /* index of the next unused spare, or -1 */
	uint64_t hashkey0;
	uint64_t rand_state;   /* the default generator's state (0 if hooked) */
	size_t live_iterators;
	/* Which bucket array is current: changes exactly when a growth
	 * installs a new one (NULL before the first bucket is allocated). */
	const void *array;
} gomap_header_view;

void gomap_header(const gomap *m, gomap_header_view *out);
/* The part of the header Go's growth and randomness rules read: cheap
 * enough to take before and after every operation (oracle/policy.c). */
typedef struct gomap_growth_view {
	size_t count;
	uint8_t flags, B;
	uint16_t noverflow;
	uint32_t hash0;
	bool growing;
	uintptr_t nevacuate;
	const void *array;   /* as in gomap_header_view */
	uint64_t rand_state; /* the default generator's state (0 if hooked) */
} gomap_growth_view;

void gomap_growth_state(const gomap *m, gomap_growth_view *out);

/* While m grows, whether old bucket i (below the old array's 2^B) has been
 * evacuated; false when m is not growing or i is out of range. */
bool gomap_old_bucket_evacuated(const gomap *m, uintptr_t i);

/* Memory accounting: bytes currently held from the allocator, split. */
typedef struct gomap_memstats {
	size_t bucket_arrays, bucket_array_bytes;
	size_t heap_overflow, heap_overflow_bytes;
	size_t indirect_objects, indirect_bytes;
	size_t reserve_buckets, retired_bytes;
	size_t total_bytes;
} gomap_memstats;
void gomap_memstats_get(const gomap *m, gomap_memstats *out);

/* Walks the whole structure and checks every invariant of docs/design.md.
 * Returns 0 when all hold; otherwise the invariant number (1..N) of the
 * first violation, with "I<n> violated: ..." (bucket and slot named) written
 * into `msg` when it is not NULL.  Never calls hash/equal callbacks in a way
 * that could draw random numbers (NaN keys are recognised, not rehashed). */
int gomap_check(const gomap *m, char *msg, size_t msg_size);
/* What a gomap_check of m would walk: its entries plus its buckets (both
 * arrays while growing, preallocated spares included).  Cheap, for callers
 * that pace their checks by it. */
size_t gomap_check_cost(const gomap *m);

/* Prints the `dump` block of the trace format (docs/trace-format.md,
 * "The structure dump").  Returns 0, or -1 on an output error. */
int gomap_dump(const gomap *m, FILE *out);
/* The same text into a buffer. */
void gomap_dump_text(const gomap *m, gomap_textbuf *out);

#ifdef __cplusplus
}
#endif
#endif
