/* The in-memory program: what a text trace (trace.c) or a fuzz input
 * (decode.c) turns into, and what exec runs on the core and the model.
 *
 * A program is a header (key and elem kinds with their gomap
 * descriptors, hint, seed, hashkey) and an array of operations.  Key and
 * elem values are held as the exact bytes the map stores (uint32_t,
 * double, gomap_str, [N]byte, ...) in an arena the program owns, so a
 * gomap_str key stays valid for as long as the program lives: keep the
 * program alive as long as any map built from it.
 *
 * Programs are built by appending operations; fz_program_append checks
 * each one against the header and the program so far (arity, ranges,
 * iterator ids, reenter and expect-fatal placement), so a program that
 * exists is well formed once fz_program_finish has accepted it. */
#ifndef FZ_PROGRAM_H
#define FZ_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gomap.h"
#include "literal.h"

/* ---- the operation list (ops.def) --------------------------------------- */

enum fz_opcode {
#define FZ_OP(id, name, obs, args, nmin, nmax, flags, usage) FZ_OP_##id,
#include "ops.def"
#undef FZ_OP
	FZ_OP_COUNT
};

enum fz_args {
	FZ_ARGS_NONE,    /* no argument */
	FZ_ARGS_K,       /* a key */
	FZ_ARGS_KV,      /* a key and an elem */
	FZ_ARGS_ID,      /* [I]: optional iterator id, default 0 */
	FZ_ARGS_N_ID,    /* N [I] */
	FZ_ARGS_N,       /* N */
	FZ_ARGS_REENTER, /* hash|equal and an inner operation */
	FZ_ARGS_MSG,     /* the rest of the line: a fatal message */
};

enum fz_op_flags {
	FZ_F_CORE = 1u << 0,    /* in the fixed trace contract */
	FZ_F_MAPOP = 1u << 1,   /* runs Go map code: can be a reenter outer,
	                           can be what an expect-fatal refers to */
	FZ_F_INNER = 1u << 2,   /* may run inside a hash/equal callback */
	FZ_F_GENERIC = 1u << 3, /* forces the generic entry point */
};

struct fz_opinfo {
	const char *name;  /* as written in a trace */
	const char *obs;   /* as written in observations (gget -> "get") */
	enum fz_args args;
	uint64_t nmin, nmax; /* range of N, for FZ_ARGS_N and FZ_ARGS_N_ID */
	unsigned flags;    /* enum fz_op_flags */
	const char *usage; /* "iter-next N [I]" */
};

extern const struct fz_opinfo fz_ops[FZ_OP_COUNT];

/* Finds an operation by its trace name; false if there is none. */
bool fz_op_lookup(const char *name, size_t len, enum fz_opcode *out);

#define FZ_ITERATORS 8 /* iterator ids 0..7 */

enum fz_reenter_at {
	FZ_REENTER_HASH,  /* inside the first hash callback of the outer op */
	FZ_REENTER_EQUAL, /* inside its first equal callback */
};

typedef struct fz_op fz_op;
/* A new field must be copied in copy_op (program.c), field by field. */
struct fz_op {
	uint32_t line;        /* source line; 0 when built programmatically */
	enum fz_opcode code;
	const void *key;      /* K: hdr.key.size bytes, or NULL */
	const void *elem;     /* V: hdr.elem.size bytes, or NULL */
	uint64_t n;           /* N of iter-next and fail-alloc */
	uint8_t iter;         /* I of iter-start/next/stop, 0..7 */
	enum fz_reenter_at at;    /* reenter */
	const fz_op *inner;       /* reenter: the operation run in the callback */
	const char *msg;          /* expect-fatal: the message, words joined by
	                             one space */
};

/* ---- the program -------------------------------------------------------- */

/* Hash modes (header option hash=NAME): the key type's hash callback is
 * Go's, masked so that keys crowd into few buckets.  They exist to reach
 * long overflow chains and same-size growth from short fuzz inputs.  Only
 * the reference model can judge such runs: Go has no such hash. */
enum fz_hash_mode {
	FZ_HASH_GO,      /* Go's hash, unchanged */
	FZ_HASH_WEAK,    /* h & 0xff00000000000003: top byte varies, 4 buckets */
	FZ_HASH_COLLIDE, /* top byte varies, low bits constant: one bucket */
	FZ_HASH_TOPHASH, /* top byte constant, low bits vary: every slot of a
	                    chain has the same tophash, so equal runs often */
	FZ_HASH_MODES
};

/* "go", "weak", "collide", "tophash". */
const char *fz_hash_mode_name(enum fz_hash_mode m);
bool fz_hash_mode_parse(const char *name, size_t len, enum fz_hash_mode *out);
typedef struct fz_header {
	fz_vtype key_kind, elem_kind;
	char key_name[16], elem_name[16];   /* "u64", "bytes300" */
	gomap_keytype key;                  /* gomap_key_by_name(key_name) */
	gomap_elemtype elem;                /* gomap_elem_by_name(elem_name) */
	int64_t hint;                       /* 0 when not given */
	uint64_t seed;
	bool has_seed;                      /* without it the tool picks one */
	uint64_t hashkey;                   /* GOMAP_DEFAULT_HASHKEY0 unless given */
	enum fz_hash_mode hash_mode;        /* FZ_HASH_GO unless given (hash=) */
} fz_header;

/* A failure with its place: text is "FILE:LINE: message". */
typedef struct fz_error {
	uint32_t line;
	bool environment; /* out of memory or a read error: not the input's
	                     fault (exit 3, not 2) */
	char msg[256];
	char text[512];
} fz_error;

struct fz_arena_block;

typedef struct fz_program {
	const char *file;      /* for error messages; "<program>" by default */
	bool has_header;
	uint32_t header_line;
	fz_header hdr;
	fz_op *ops;
	size_t nops, cap;
	/* private: arena and the state append checks against */
	struct fz_arena_block *arena;
	uint8_t running;       /* bit I: iterator I started and not stopped */
	uint32_t reenter_line; /* a reenter waiting for its outer, or 0 */
	bool reenter_pending;
	bool dead;             /* an expect-fatal was appended */
	uint32_t dead_line;
} fz_program;

/* An empty program with no header; `file` (borrowed, may be NULL) names it
 * in error messages. */
void fz_program_init(fz_program *p, const char *file);
void fz_program_free(fz_program *p);
/* fz_program_free then fz_program_init, keeping memory for the next
 * program: the ops array and the newest arena block stay allocated
 * (poisoned under ASan until handed out again; poison.h).  p may also be
 * all zero bytes.  The fuzz targets decode every input into one program
 * this way (target_common.c). */
void fz_program_reset(fz_program *p, const char *file);

/* Sets the header from kind names.  hdr.hint/seed/hashkey keep their
 * defaults; set them directly afterwards.  Returns 0, or -1 with *err. */
int fz_program_set_header(fz_program *p, const char *key_kind,
                          const char *elem_kind, fz_error *err);

/* Sets hdr.hash_mode and wraps hdr.key.hash accordingly; call after the
 * kinds are set.  The wrapper keeps Go's hash in hdr.key.user. */
void fz_program_set_hash_mode(fz_program *p, enum fz_hash_mode m);

/* Appends a copy of *op.  Key, elem, message and inner operation are
 * copied deeply into the program's arena (a str key gets its own copy of
 * its bytes), so the caller's buffers may be temporary.  Checks the op
 * against the header and the program so far.  Returns 0, or -1 with *err
 * (the op's line is the error's line). */
int fz_program_append(fz_program *p, const fz_op *op, fz_error *err);

/* Checks what can only be checked at the end (a reenter with no outer).
 * Returns 0, or -1 with *err. */
int fz_program_finish(fz_program *p, fz_error *err);

/* Arena memory owned by the program, aligned to 16; NULL when out of
 * memory.  Lives until fz_program_free. */
void *fz_program_alloc(fz_program *p, size_t size);

/* ---- printing ----------------------------------------------------------- */

/* A key or elem value in canonical literal form. */
void fz_format_key(const fz_program *p, const void *key, gomap_textbuf *out);
void fz_format_elem(const fz_program *p, const void *elem, gomap_textbuf *out);

/* One operation as a canonical trace line (no newline).  With `observed`
 * the operation's observation name is used (gput -> "put"), as in
 * `put 5 50 -> enomem`. */
void fz_op_format(const fz_program *p, const fz_op *op, bool observed,
                  gomap_textbuf *out);
/* The header line, e.g. "map u64 u64 seed=7" (no newline). */
void fz_header_format(const fz_program *p, gomap_textbuf *out);

/* Fills *err: msg = the formatted message, text = "FILE:LINE: msg". */
void fz_error_set(fz_error *err, const char *file, uint32_t line,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same for a failure of the machine, not of the input: msg is
 * "environment failure: WHAT" and err->environment is set. */
void fz_error_env(fz_error *err, const char *file, uint32_t line,
                  const char *what);

#endif
