/* The program as Go's side of the fuzz loop reads it (gocheck/wire.go has
 * the grammar): the header, then operations, values as the bytes the map
 * stores.  Cheaper to write and to read than a text trace, which matters
 * when every fuzz input goes through it. */
#ifndef ORC_GO_WIRE_H
#define ORC_GO_WIRE_H

#include "gomap.h"
#include "program.h"

/* Appends p's header. */
void orc_go_wire_header(const fz_program *p, gomap_textbuf *out);
/* Appends one operation of p: put get del len clear iter dump inc check,
 * their g- forms and the iter- operations; nothing else can be sent. */
void orc_go_wire_op(const fz_program *p, const fz_op *op, gomap_textbuf *out);

#endif
