package main

// Access to the internals of Go 1.19's runtime map.
//
// Everything here depends on the exact runtime version: the functions are
// bound by name with //go:linkname (allowed for any package up to Go 1.22),
// and the structs below mirror runtime/map.go and runtime/type.go of Go
// 1.19 field for field. setupRuntime (in window.go) refuses to run on any
// other version, so a layout change cannot silently produce wrong dumps.

import (
	"unsafe"
)

// hmap mirrors runtime.hmap: the header a Go map value points to.
type hmap struct {
	count      int
	flags      uint8
	B          uint8
	noverflow  uint16
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr
	extra      *mapextra
}

// mapextra mirrors runtime.mapextra. Only nextOverflow is shown in dumps.
type mapextra struct {
	overflow     unsafe.Pointer
	oldoverflow  unsafe.Pointer
	nextOverflow unsafe.Pointer
}

// maptype mirrors runtime.maptype (reflect's mapType has the same layout).
// The leading runtime._type is 48 bytes on 64-bit platforms; we only need
// its first word (size) to know the real key and elem sizes, which we get
// from reflect instead, so it is kept opaque.
type maptype struct {
	typ        [48]byte
	key        unsafe.Pointer
	elem       unsafe.Pointer
	bucket     unsafe.Pointer
	hasher     func(unsafe.Pointer, uintptr) uintptr
	keysize    uint8
	elemsize   uint8
	bucketsize uint16
	flags      uint32
}

// maptype.flags bits (runtime/type.go).
const (
	mtIndirectKey  = 1
	mtIndirectElem = 2
)

// hiter mirrors runtime.hiter, the iteration state the compiler keeps on
// the stack for a range loop; mapiterinit checks that it is 12 words.
// Allocated with new() so it is zeroed, as the compiler's is.
type hiter struct {
	key         unsafe.Pointer // nil once the iteration has ended
	elem        unsafe.Pointer
	t           unsafe.Pointer
	h           unsafe.Pointer
	buckets     unsafe.Pointer
	bptr        unsafe.Pointer
	overflow    unsafe.Pointer
	oldoverflow unsafe.Pointer
	startBucket uintptr
	offset      uint8
	wrapped     bool
	B           uint8
	i           uint8
	bucket      uintptr
	checkBucket uintptr
}

// Bucket layout constants (runtime/map.go).
const (
	bucketCnt  = 8 // slots per bucket
	dataOffset = 8 // keys start right after the 8 tophash bytes
	minTopHash = 5 // tophash values below this are markers, not hashes
)

// hmap.flags bits (runtime/map.go).
const (
	flagIterator     = 1
	flagOldIterator  = 2
	flagHashWriting  = 4
	flagSameSizeGrow = 8
)

// The runtime's map entry points, exactly those compiled Go code calls.
// Pointer-typed runtime parameters (*maptype, *hmap) are declared as
// unsafe.Pointer: the register ABI passes them identically.

//go:linkname mapassign runtime.mapassign
func mapassign(t, h, key unsafe.Pointer) unsafe.Pointer

//go:linkname mapassign_fast32 runtime.mapassign_fast32
func mapassign_fast32(t, h unsafe.Pointer, key uint32) unsafe.Pointer

//go:linkname mapassign_fast64 runtime.mapassign_fast64
func mapassign_fast64(t, h unsafe.Pointer, key uint64) unsafe.Pointer

//go:linkname mapassign_faststr runtime.mapassign_faststr
func mapassign_faststr(t, h unsafe.Pointer, key string) unsafe.Pointer

//go:linkname mapaccess2 runtime.mapaccess2
func mapaccess2(t, h, key unsafe.Pointer) (unsafe.Pointer, bool)

//go:linkname mapaccess2_fast32 runtime.mapaccess2_fast32
func mapaccess2_fast32(t, h unsafe.Pointer, key uint32) (unsafe.Pointer, bool)

//go:linkname mapaccess2_fast64 runtime.mapaccess2_fast64
func mapaccess2_fast64(t, h unsafe.Pointer, key uint64) (unsafe.Pointer, bool)

//go:linkname mapaccess2_faststr runtime.mapaccess2_faststr
func mapaccess2_faststr(t, h unsafe.Pointer, key string) (unsafe.Pointer, bool)

//go:linkname mapdelete runtime.mapdelete
func mapdelete(t, h, key unsafe.Pointer)

//go:linkname mapdelete_fast32 runtime.mapdelete_fast32
func mapdelete_fast32(t, h unsafe.Pointer, key uint32)

//go:linkname mapdelete_fast64 runtime.mapdelete_fast64
func mapdelete_fast64(t, h unsafe.Pointer, key uint64)

//go:linkname mapdelete_faststr runtime.mapdelete_faststr
func mapdelete_faststr(t, h unsafe.Pointer, key string)

// mapclear is what Go 1.19 compiles `for k := range m { delete(m, k) }`
// into; Go 1.21's clear(m) calls the same function. Calling it directly
// gives clear(m) for every key type, NaN keys included.
//
//go:linkname mapclear runtime.mapclear
func mapclear(t, h unsafe.Pointer)

//go:linkname mapiterinit runtime.mapiterinit
func mapiterinit(t, h unsafe.Pointer, it *hiter)

//go:linkname mapiternext runtime.mapiternext
func mapiternext(it *hiter)

// Process-wide state behind determinism (see README.md).

// runtimeHashkey is the key of the portable hash; only [0] is used on
// 64-bit platforms.
//
//go:linkname runtimeHashkey runtime.hashkey
var runtimeHashkey [4]uintptr

// runtimeUseAeshash tells whether alginit chose the AES hash; windows
// clear it, so the map hashes with the portable functions (window.go).
//
//go:linkname runtimeUseAeshash runtime.useAeshash
var runtimeUseAeshash bool

// acquirem returns the current M (OS thread record) and disables
// preemption of the calling goroutine until releasem.
//
//go:linkname acquirem runtime.acquirem
func acquirem() unsafe.Pointer

//go:linkname releasem runtime.releasem
func releasem(mp unsafe.Pointer)

//go:linkname runtimeFastrand runtime.fastrand
func runtimeFastrand() uint32

// runtimeRoundupsize is malloc's size-class rounding; only the tests use
// it, to check our own table in sizeclass.go.
//
//go:linkname runtimeRoundupsize runtime.roundupsize
func runtimeRoundupsize(size uintptr) uintptr
