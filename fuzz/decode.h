/* The binary fuzz format: bytes -> program (decode.c), program -> bytes
 * (encode.c).  Every byte string decodes to a well-formed program: the
 * decoder never rejects input, running out of bytes ends the program, and
 * every choice it makes comes from the bytes.
 *
 * Layout (version 4; all integers little-endian):
 *
 *   offset 0   version (4; other values are read as version 4)
 *          1   key kind:  code % 16 < 10 picks u32 u64 f64 str bytes3
 *                         bytes4 bytes8 bytes16 bytes129 bytes300; else
 *                         bytesN with N = 1 + u16 at 2 % 1024
 *          4   elem kind: code % 16 < 8 picks u8 u32 u64 str bytes3 bytes8
 *                         bytes129 bytes200; else bytesN, N = 1 + u16 at 5
 *          7   hash mode: % 8: 0..4 go, 5 weak, 6 collide, 7 tophash
 *          8   hint  (int64; outside -4096..4096 it becomes hint % 257,
 *                but in faults (targets.c, big_hints) a top byte of
 *                0x7f makes FZ_B16_HINT + the low 16 bits: B = 16)
 *         16   seed  (u64)
 *         24   hashkey (u64; 0 = the default)
 *         32   operation records, 8 bytes each:
 *              [0] opcode selector (each target's weights: targets.c)
 *              [1] flags: bit 0 generic entry point (gput/gget/gdel),
 *                  bits 1-3 iterator id, bits 4-5 reenter choices,
 *                  bit 6 a bulk record deletes instead of putting,
 *                  bits 6 and 7 it churns (put and delete) instead, in
 *                  a target that churns (targets.c)
 *              [2] key selector: < 0xd0 picks a recent key (pool),
 *                  0xd0..0xdf a sibling of one (its middle byte from
 *                  the argument), else a fresh key made from the
 *                  argument; bulk: count
 *              [3] elem selector (an elem derived from this byte)
 *              [4..7] argument (u32): fresh key, N, literal length
 *              Literal records (LITKEY, LITELEM) are followed by the
 *              value's bytes, padded to a multiple of 8.
 *
 * docs/fuzz-format.md explains the choices. */
#ifndef FZ_DECODE_H
#define FZ_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "targets.h"

/* The smallest hint for which make gives B = 16 (6.5 * 2^15 + 1): from
 * there on Go counts overflow buckets by chance (rule 47).  The header's
 * big-hint form reaches this hint plus up to 0xffff, all B = 16. */
#define FZ_B16_HINT 212993
#define FZ_BIG_HINT_MARK 0x7f   /* the hint field's top byte in that form */
#define FZ_BIG_HINT_SPAN 0x10000 /* its low 16 bits add 0 .. SPAN - 1 */

#define FZ_FORMAT_VERSION 4
/* Key selectors (record byte 2) from here on make a sibling of a pool key,
 * and from FZ_SEL_FRESH on a fresh key (any selector, with an empty pool). */
#define FZ_SEL_SIBLING 0xd0
#define FZ_SEL_FRESH 0xe0
/* A fresh f64 key from x is NaN when x % FZ_F64_NAN_EVERY is the largest
 * remainder (and x is not one of the specials, top byte 0xff): a bulk put
 * of that many consecutive x holds one NaN.  The NaN markers need a NaN
 * in a map whose doubling is under way; from random arguments only one in
 * 2048 made one. */
#define FZ_F64_NAN_EVERY 32
#define FZ_FLAG_BULK_DELETE 0x40 /* record byte 1 of a bulk record */
#define FZ_FLAG_BULK_CHURN 0xc0  /* both bits: it churns, where targets.c says */
#define FZ_HEADER_SIZE 32
#define FZ_RECORD_SIZE 8

/* Decodes `size` bytes for target t into *out (initialised here; free it
 * with fz_program_free).  Every byte string decodes, so it returns 0, or
 * -1 out of memory, or -2 should the decoder make a program it cannot
 * finish (a bug of the decoder's). */
int fz_decode(enum fz_target t, const uint8_t *data, size_t size,
              fz_program *out);
/* The same into a program fz_program_init or fz_program_reset just
 * emptied, so that its memory can be reused. */
int fz_decode_into(enum fz_target t, const uint8_t *data, size_t size,
                   fz_program *out);

/* Encodes p for target t into a malloc'ed buffer (*out, *size).  Returns
 * 0, or -1 with *err naming the first operation (FILE:LINE) the format
 * cannot express for that target.  A program without a seed is encoded
 * with seed 0. */
int fz_encode(enum fz_target t, const fz_program *p, uint8_t **out,
              size_t *size, fz_error *err);

#endif
