package main

import (
	"runtime"
	"testing"
	"unsafe"
)

// The mirrors of the runtime's structs must have Go 1.19's sizes and the
// offsets the C side relies on.
func TestRuntimeMirrorLayout(t *testing.T) {
	var mt maptype
	var it hiter
	var h hmap
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof hmap", unsafe.Sizeof(h), 48},
		{"hmap.hash0", unsafe.Offsetof(h.hash0), 12},
		{"hmap.extra", unsafe.Offsetof(h.extra), 40},
		{"sizeof maptype", unsafe.Sizeof(mt), 88},
		{"maptype.key", unsafe.Offsetof(mt.key), 48},
		{"maptype.keysize", unsafe.Offsetof(mt.keysize), 80},
		{"maptype.bucketsize", unsafe.Offsetof(mt.bucketsize), 82},
		{"maptype.flags", unsafe.Offsetof(mt.flags), 84},
		{"sizeof hiter", unsafe.Sizeof(it), 96},
		{"hiter.offset", unsafe.Offsetof(it.offset), 72},
		{"hiter.checkBucket", unsafe.Offsetof(it.checkBucket), 88},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

// m.fastrand is found, at the offset runtime2.go's m struct implies.
func TestFindRandWord(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	off, err := findRandWord()
	if err != nil {
		t.Fatal(err)
	}
	if off != 288 {
		t.Errorf("m.fastrand at offset %d, expected 288 for Go 1.19 on amd64", off)
	}
}

// The compiler's choice of map entry points (walk.go:mapfast).
func TestEntryPointFor(t *testing.T) {
	u8, b129 := kind{tag: kU8}, kind{tag: kBytes, n: 129}
	for _, c := range []struct {
		key, elem kind
		want      entryPoint
	}{
		{kind{tag: kU32}, u8, entryFast32}, {kind{tag: kBytes, n: 4}, u8, entryFast32},
		{kind{tag: kU64}, u8, entryFast64}, {kind{tag: kBytes, n: 8}, u8, entryFast64},
		{kind{tag: kStr}, u8, entryFastStr}, {kind{tag: kF64}, u8, entryGeneric},
		{kind{tag: kBytes, n: 3}, u8, entryGeneric}, {kind{tag: kU64}, b129, entryGeneric},
		{kind{tag: kU64}, kind{tag: kBytes, n: 128}, entryFast64},
	} {
		if got := entryPointFor(c.key, c.elem); got != c.want {
			t.Errorf("entryPointFor(%v, %v) = %d, want %d", c.key, c.elem, got, c.want)
		}
	}
}
