package main

import (
	"encoding/binary"
	"testing"
)

// A program as oracle/go_wire.c writes it: map[str]u32 with hash=weak,
// then gput "ab" 7, iter-next 3 on iterator 2, dump.
func TestReadWire(t *testing.T) {
	var b []byte
	le32 := func(v uint32) { b = binary.LittleEndian.AppendUint32(b, v) }
	le64 := func(v uint64) { b = binary.LittleEndian.AppendUint64(b, v) }
	b = append(b, 4)
	le32(16)
	b = append(b, 1)
	le32(4)
	le64(uint64(0xfffffffffffffffe)) // hint -2
	le64(99)
	le64(0x1234)
	b = append(b, 1)
	b = append(b, 0, 1, 0)
	le32(2)
	b = append(b, "ab"...)
	le32(7)
	b = append(b, 10, 0, 2)
	le32(3)
	b = append(b, 6, 0, 0)

	tr, err := readWire(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := tr.hdr
	if h.key.tag != kStr || h.elem.tag != kU32 || h.hint != -2 || h.seed != 99 ||
		h.hashkey != 0x1234 || h.hash != hashWeak {
		t.Errorf("header %+v", h)
	}
	if len(tr.ops) != 3 {
		t.Fatalf("%d operations, want 3", len(tr.ops))
	}
	put, next, dump := tr.ops[0], tr.ops[1], tr.ops[2]
	if put.code != opPut || !put.generic || *put.key.str != "ab" || put.elem.u32() != 7 {
		t.Errorf("put %+v", put)
	}
	if next.code != opIterNext || next.iter != 2 || next.count != 3 {
		t.Errorf("iter-next %+v", next)
	}
	if dump.code != opDump {
		t.Errorf("dump %+v", dump)
	}
	// Cut anywhere but between operations, it fails to decode.
	for cut := 1; cut < len(b); cut++ {
		if _, err := readWire(b[:cut], nil); err == nil && cut != 35 && cut != 48 && cut != 55 {
			t.Errorf("a program cut to %d bytes decoded", cut)
		}
	}
}
