package main

// The trace format's hash= header option (trace-format.md, "Extensions"):
// the key type's hash is Go's, masked so that keys crowd into a few
// buckets, which reaches long overflow chains and same-size growth from
// short traces. Go's map code takes its hash function from the map type
// (maptype.hasher, called by every entry point, fast or generic), so a
// copy of the type whose hasher applies the same mask as the C harness
// (program/program.c) runs Go's own map code over the crowded hash.

import (
	"fmt"
	"unsafe"
)

type hashMode int

const (
	hashGo hashMode = iota
	hashWeak
	hashCollide
	hashTophash
)

var hashModeNames = [...]string{"go", "weak", "collide", "tophash"}

func parseHashMode(s string) (hashMode, error) {
	for i, name := range hashModeNames {
		if s == name {
			return hashMode(i), nil
		}
	}
	return hashGo, fmt.Errorf("bad hash mode %q (want go, weak, collide or tophash)", s)
}

// mask turns Go's hash of a key into the mode's.
func (h hashMode) mask(x uintptr) uintptr {
	switch h {
	case hashWeak: // top byte varies, four buckets
		return x & 0xff00000000000003
	case hashCollide: // top byte varies, one bucket
		return x&0xff00000000000000 | 5
	case hashTophash: // one top byte, buckets vary
		return x&0x00ffffffffffffff | 0x2a00000000000000
	}
	return x
}

// withHashMode returns mt itself for Go's hash, else a copy of it whose
// hasher is masked.
func withHashMode(mt *maptype, h hashMode) *maptype {
	if h == hashGo {
		return mt
	}
	masked := *mt
	hash := mt.hasher
	masked.hasher = func(p unsafe.Pointer, seed uintptr) uintptr { return h.mask(hash(p, seed)) }
	return &masked
}
