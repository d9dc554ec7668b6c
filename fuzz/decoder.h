/* The decoder's state, shared by decode.c and encode.c only: the encoder
 * runs the same decoder record by record, so that what it writes is by
 * construction what the decoder reads back. */
#ifndef FZ_DECODER_H
#define FZ_DECODER_H

#include "decode.h"
#include "key_pool.h"
#include "targets.h"

#define FZ_BULK_MAX 32   /* keys of one bulk put */
#define FZ_CHURN_KEYS 128 /* fresh keys of one churn */
#define FZ_CHURN_WINDOW 64 /* the most keys a churn keeps in the map */

/* Room for a value the decoder makes from a record until the program
 * copies it: a string (its gomap_str and bytes), which the program always
 * copies; other values are made in the program's arena, and here only
 * when that is out of memory (make_value, decode.c).  It lives in the
 * decoder rather than on each record's stack frame: under ASan every call
 * poisons and unpoisons the redzones of a frame's arrays, and four such
 * rooms made that the decoder's largest cost per record. */
typedef struct fz_value_room {
	uint8_t buf[FZ_BYTES_MAX] __attribute__((aligned(16)));
	uint8_t str[512];
} fz_value_room;

enum fz_room {
	FZ_ROOM_KEY, FZ_ROOM_ELEM,             /* an operation's own values */
	FZ_ROOM_INNER_KEY, FZ_ROOM_INNER_ELEM, /* a reenter's inner operation */
	FZ_ROOMS
};

typedef struct fz_decoder {
	enum fz_target target;
	fz_program *p;
	fz_key_pool pool;          /* recent keys; presence is valid while
	                              presence_known */
	bool presence_known;       /* false once a fail-alloc was emitted */
	const void *pending_elem;  /* from LITELEM, for the next K V op */
	uint8_t running;           /* iterators started and not stopped */
	uint8_t fresh_iter;        /* started on a non-empty map, no next yet */
	size_t budget;             /* map operations left */
	bool done;                 /* dead (expect-fatal) or budget spent */
	bool oom;
	fz_value_room room[FZ_ROOMS];
} fz_decoder;

/* Sets up p from the header bytes (missing bytes are 0). */
void fz_decoder_init(fz_decoder *d, enum fz_target t, const uint8_t *hdr,
                     size_t n, fz_program *p);
/* Decodes one record at data[0..] (fewer than 8 bytes end the program);
 * returns the bytes consumed (0 at the end). */
size_t fz_decoder_step(fz_decoder *d, const uint8_t *data, size_t n);

/* The first opcode byte of class c for target t, or -1 if t has none. */
int fz_class_byte(enum fz_target t, enum fz_class c);

/* A reenter record's inner-operation selector (byte 3) for code, or -1
 * if the decoder never runs code inside a callback. */
int fz_inner_selector(enum fz_opcode code);

/* Values made from bytes, as the decoder makes them.  For str, the
 * string's bytes go to strbuf (at least 512 bytes). */
void fz_fresh_key(const fz_header *h, uint32_t arg, void *out, uint8_t *strbuf);
void fz_derived_elem(const fz_header *h, uint32_t x, void *out, uint8_t *strbuf);
/* Go's key equality on two key values of the header's kind. */
bool fz_key_equal(const fz_header *h, const void *a, const void *b);
/* Byte identity of two values of kind t (str: same length and bytes). */
bool fz_value_same(fz_vtype t, const void *a, const void *b);

/* The N of iter-next and fail-alloc from an argument. */
uint64_t fz_iter_n(uint32_t arg);
uint64_t fz_fail_n(uint32_t arg);

#endif
