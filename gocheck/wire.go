package main

// The fuzz loop's program encoding: how oracle/go_wire.c hands gocheck
// (lib.go) a program to replay, thousands of times a second. It says what
// a text trace says, without literals to print and parse: values travel
// as the bytes the map stores. All numbers are little-endian.
//
//	program = header op*
//	header  = key:kind elem:kind hint:i64 seed:u64 hashkey:u64 hash:u8
//	kind    = tag:u8 size:u32          (wireKinds; size is N of bytesN)
//	op      = code:u8 generic:u8 iter:u8 [count:u32] [key:value] [elem:value]
//	value   = size bytes, or len:u32 and len bytes for a str
//
// code is an opCode (wireOps); count comes with iter-next, a key with put,
// get, del and inc, an elem with put; generic marks gput, gget and gdel.
// The hash mode is a hashMode.

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// wireKinds are the kind tags, in order.
var wireKinds = [...]kindTag{kU8, kU32, kU64, kF64, kStr, kBytes}

// wireOps are the operation codes, in order.
var wireOps = [...]opCode{opPut, opGet, opDel, opLen, opClear, opIter, opDump, opInc,
	opCheck, opIterStart, opIterNext, opIterStop}

var errShortWire = errors.New("the program ends in the middle of a field")

// wireReader reads the fields of an encoded program.
type wireReader struct {
	b   []byte
	err error
}

func (r *wireReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errShortWire
		return make([]byte, n&0xffff)
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *wireReader) u8() uint8   { return r.take(1)[0] }
func (r *wireReader) u32() uint32 { return binary.LittleEndian.Uint32(r.take(4)) }
func (r *wireReader) u64() uint64 { return binary.LittleEndian.Uint64(r.take(8)) }

func (r *wireReader) kind(key bool) kind {
	tag, size := r.u8(), r.u32()
	if int(tag) >= len(wireKinds) {
		r.err = fmt.Errorf("kind tag %d", tag)
		return kind{}
	}
	k := kind{tag: wireKinds[tag], n: int(size)}
	if key && k.tag == kU8 || k.tag == kF64 && !key || k.tag == kBytes && (k.n < 1 || k.n > 1024) {
		r.err = fmt.Errorf("kind tag %d size %d", tag, size)
	}
	return k
}

func (r *wireReader) value(k kind) value {
	if k.tag == kStr {
		s := string(r.take(int(r.u32())))
		return value{str: &s}
	}
	return value{mem: r.take(k.size())}
}

// readWire decodes an encoded program, appending its operations to ops[:0]
// (a caller decoding program after program reuses one array). The trace
// refers to b (its values' bytes), which must outlive it.
func readWire(b []byte, ops []op) (*trace, error) {
	r := &wireReader{b: b}
	t := &trace{name: "<go>", ops: ops[:0]}
	h := &t.hdr
	h.key, h.elem = r.kind(true), r.kind(false)
	h.hint, h.seed, h.hashkey = int64(r.u64()), r.u64(), r.u64()
	h.hasSeed = true
	if h.hash = hashMode(r.u8()); h.hash > hashTophash {
		return nil, fmt.Errorf("hash mode %d", h.hash)
	}
	for n := 1; r.err == nil && len(r.b) > 0; n++ {
		o := op{line: n}
		code, generic, iter := r.u8(), r.u8(), r.u8()
		if int(code) >= len(wireOps) || iter >= maxIterators {
			return nil, fmt.Errorf("operation %d: code %d, iterator %d", n, code, iter)
		}
		o.code, o.generic, o.iter = wireOps[code], generic != 0, int(iter)
		switch o.code {
		case opIterNext:
			o.count = uint64(r.u32())
		case opPut, opGet, opDel, opInc:
			o.key = r.value(h.key)
			if o.code == opPut {
				o.elem = r.value(h.elem)
			}
		}
		t.ops = append(t.ops, o)
	}
	if r.err != nil {
		return nil, r.err
	}
	return t, nil
}
