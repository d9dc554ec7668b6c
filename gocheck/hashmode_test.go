package main

import (
	"testing"
	"unsafe"
)

// The masks are program/program.c's weak_hash, collide_hash and tophash_hash.
func TestHashModeMasks(t *testing.T) {
	const x = 0x123456789abcdef7
	for _, c := range []struct {
		name string
		want uintptr
	}{
		{"go", x},
		{"weak", 0x1200000000000003},
		{"collide", 0x1200000000000005},
		{"tophash", 0x2a3456789abcdef7},
	} {
		h, err := parseHashMode(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.mask(x); got != c.want {
			t.Errorf("%s: mask(%#x) = %#x, want %#x", c.name, uintptr(x), got, c.want)
		}
	}
	if _, err := parseHashMode("strong"); err == nil {
		t.Error("hash=strong was accepted")
	}
}

// Only a masked mode gets a copy of the map type; the copy's hasher masks
// what the original returns.
func TestWithHashMode(t *testing.T) {
	orig := &maptype{hasher: func(p unsafe.Pointer, seed uintptr) uintptr { return seed }}
	if withHashMode(orig, hashGo) != orig {
		t.Error("hash=go copied the map type")
	}
	masked := withHashMode(orig, hashCollide)
	if masked == orig {
		t.Fatal("hash=collide did not copy the map type")
	}
	if got := masked.hasher(nil, 0xabcdef); got != 5 {
		t.Errorf("collide hasher gave %#x, want 5", got)
	}
}
