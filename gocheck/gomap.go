package main

// The map a trace drives: a real Go runtime map of the trace's Go type,
// operated through the same runtime entry points compiled code would call,
// each call inside a window (window.go).

import (
	"reflect"
	"unsafe"
)

// entryPoint is the family of runtime functions compiled code uses for a
// map type (cmd/compile/internal/walk/walk.go:mapfast).
type entryPoint int

const (
	entryGeneric entryPoint = iota
	entryFast32
	entryFast64
	entryFastStr
)

// entryPointFor applies the compiler's choice: elems over 128 bytes force
// the generic functions; otherwise 4-byte and 8-byte plain-memory keys
// ([4]byte and [8]byte included) and strings have fast variants; floats
// and other byte arrays use the generic ones.
func entryPointFor(key, elem kind) entryPoint {
	if elem.size() > 128 {
		return entryGeneric
	}
	switch {
	case key.tag == kU32 || key.tag == kBytes && key.n == 4:
		return entryFast32
	case key.tag == kU64 || key.tag == kBytes && key.n == 8:
		return entryFast64
	case key.tag == kStr:
		return entryFastStr
	}
	return entryGeneric
}

type goMap struct {
	key, elem kind
	typ       reflect.Type
	mt        *maptype
	h         *hmap
	entry     entryPoint
	rt        *pinned
	iters     [maxIterators]*hiter
	held      [maxIterators]string // each iterator's entry, copied when it got there
}

// newGoMap makes the trace's map like `make(map[K]E, hint)`: makemap
// draws hash0 (one draw), and allocates the bucket array at once when the
// hint asks for B > 0.
func newGoMap(hdr header, rt *pinned) *goMap {
	m := &goMap{key: hdr.key, elem: hdr.elem, rt: rt}
	m.typ = reflect.MapOf(hdr.key.goType(), hdr.elem.goType())
	// A reflect.Type is an interface whose data word is the *rtype, which
	// for a map type is the whole maptype.
	m.mt = withHashMode((*maptype)((*[2]unsafe.Pointer)(unsafe.Pointer(&m.typ))[1]), hdr.hash)
	m.entry = entryPointFor(hdr.key, hdr.elem)
	var v reflect.Value
	// makemap treats a negative hint (or one too large to allocate) as 0.
	hint := int(hdr.hint)
	rt.run(func() { v = reflect.MakeMapWithSize(m.typ, hint) })
	m.h = (*hmap)(v.UnsafePointer())
	return m
}

func (m *goMap) t() unsafe.Pointer  { return unsafe.Pointer(m.mt) }
func (m *goMap) hp() unsafe.Pointer { return unsafe.Pointer(m.h) }

// assign is `m[k]` on the left of an assignment: it returns the elem slot.
func (m *goMap) assign(k value, generic bool) unsafe.Pointer {
	switch {
	case generic || m.entry == entryGeneric:
		return mapassign(m.t(), m.hp(), k.ptr())
	case m.entry == entryFast32:
		return mapassign_fast32(m.t(), m.hp(), k.u32())
	case m.entry == entryFast64:
		return mapassign_fast64(m.t(), m.hp(), k.u64())
	}
	return mapassign_faststr(m.t(), m.hp(), *k.str)
}

func (m *goMap) access(k value, generic bool) (unsafe.Pointer, bool) {
	switch {
	case generic || m.entry == entryGeneric:
		return mapaccess2(m.t(), m.hp(), k.ptr())
	case m.entry == entryFast32:
		return mapaccess2_fast32(m.t(), m.hp(), k.u32())
	case m.entry == entryFast64:
		return mapaccess2_fast64(m.t(), m.hp(), k.u64())
	}
	return mapaccess2_faststr(m.t(), m.hp(), *k.str)
}

func (m *goMap) remove(k value, generic bool) {
	switch {
	case generic || m.entry == entryGeneric:
		mapdelete(m.t(), m.hp(), k.ptr())
	case m.entry == entryFast32:
		mapdelete_fast32(m.t(), m.hp(), k.u32())
	case m.entry == entryFast64:
		mapdelete_fast64(m.t(), m.hp(), k.u64())
	default:
		mapdelete_faststr(m.t(), m.hp(), *k.str)
	}
}

// storeElem writes v into an elem slot, as the compiled `*slot = v` does
// (with a write barrier for strings).
func (m *goMap) storeElem(slot unsafe.Pointer, v value) {
	if m.elem.tag == kStr {
		*(*string)(slot) = *v.str
		return
	}
	copy(unsafe.Slice((*byte)(slot), len(v.mem)), v.mem)
}

// Put is `m[k] = v`.
func (m *goMap) Put(k, v value, generic bool) {
	m.rt.run(func() { m.storeElem(m.assign(k, generic), v) })
}

// Inc is `m[k]++`: the compiler makes one mapassign call and increments
// through the returned pointer (a NaN key therefore adds one entry with 1).
func (m *goMap) Inc(k value) {
	m.rt.run(func() {
		slot := m.assign(k, false)
		switch m.elem.tag {
		case kU8:
			*(*uint8)(slot)++
		case kU32:
			*(*uint32)(slot)++
		case kU64:
			*(*uint64)(slot)++
		}
	})
}

// Get is `v, ok := m[k]`; it returns the printed elem.
func (m *goMap) Get(k value, generic bool) (string, bool) {
	var slot unsafe.Pointer
	var ok bool
	m.rt.run(func() { slot, ok = m.access(k, generic) })
	if !ok {
		return "", false
	}
	return format(m.elem, slot), true
}

// Del is `delete(m, k)`.
func (m *goMap) Del(k value, generic bool) {
	m.rt.run(func() { m.remove(k, generic) })
}

// Len is `len(m)`: the compiled code reads the count word.
func (m *goMap) Len() int { return m.h.count }

// Clear is clear(m), through runtime.mapclear.
func (m *goMap) Clear() {
	m.rt.run(func() { mapclear(m.t(), m.hp()) })
}

// Range is a whole `for k, v := range m`; it returns the `K=V` pairs in
// the order Go yields them.
func (m *goMap) Range() []string {
	// Only the runtime calls run in the window; the entries are formatted
	// afterwards (the map does not change in between, and the collector
	// is off, so the pointers stay valid).
	var keys, elems []unsafe.Pointer
	it := new(hiter)
	m.rt.run(func() {
		for mapiterinit(m.t(), m.hp(), it); it.key != nil; mapiternext(it) {
			keys, elems = append(keys, it.key), append(elems, it.elem)
		}
	})
	pairs := make([]string, len(keys))
	for i := range keys {
		pairs[i] = format(m.key, keys[i]) + "=" + format(m.elem, elems[i])
	}
	return pairs
}

// IterStart starts (or restarts) iterator i: mapiterinit positions it on
// its first entry, drawing its random start when the map is non-empty.
func (m *goMap) IterStart(i int) {
	it := new(hiter)
	m.iters[i] = it
	m.rt.run(func() { mapiterinit(m.t(), m.hp(), it) })
	m.hold(i)
}

// hold copies the entry iterator i has just moved onto, as the loop
// variables of a range statement copy it right after mapiternext.
func (m *goMap) hold(i int) {
	if it := m.iters[i]; it.key != nil {
		m.held[i] = format(m.key, it.key) + "=" + format(m.elem, it.elem)
	}
}

// IterStep returns iterator i's current pair, as copied when the iterator
// reached it, and advances it; ok is false when the iterator has ended.
func (m *goMap) IterStep(i int) (pair string, ok bool) {
	it := m.iters[i]
	if it.key == nil {
		return "", false
	}
	pair = m.held[i]
	m.rt.run(func() { mapiternext(it) })
	m.hold(i)
	return pair, true
}

func (m *goMap) IterStop(i int) { m.iters[i] = nil }
