package main

// The `dump` operation: the map's internal state in the trace format's
// address-free text (trace-format.md, "The structure dump"), read straight
// out of the runtime's hmap and buckets.

import (
	"fmt"
	"strings"
	"unsafe"
)

// bucketArray is one bucket array (current or old) with its geometry.
type bucketArray struct {
	base  unsafe.Pointer
	main  uintptr // 2^B buckets that keys hash to
	total uintptr // main plus preallocated spares
}

// index returns J when b is bucket J of the array's allocation.
func (a bucketArray) index(b unsafe.Pointer, size uintptr) (uintptr, bool) {
	off := uintptr(b) - uintptr(a.base)
	if a.base == nil || uintptr(b) < uintptr(a.base) || off >= a.total*size {
		return 0, false
	}
	return off / size, true
}

// Dump returns the dump lines for the map's current state.
func (m *goMap) Dump() []string {
	h, mt := m.h, m.mt
	size := uintptr(mt.bucketsize)
	cur := bucketArray{base: h.buckets, main: 1 << h.B}
	cur.total = bucketArrayLen(h.B, size)
	if h.buckets == nil {
		cur.total = 0
	}
	growing := h.oldbuckets != nil
	var old bucketArray
	if growing {
		oldB := h.B
		if h.flags&flagSameSizeGrow == 0 {
			oldB--
		}
		old = bucketArray{base: h.oldbuckets, main: 1 << oldB, total: bucketArrayLen(oldB, size)}
	}

	lines := []string{fmt.Sprintf(
		"dump count=%d flags=0x%02x(%s) B=%d noverflow=%d hash0=0x%08x nevacuate=%d growing=%d hashkey0=0x%016x rand=0x%016x",
		h.count, h.flags, flagNames(h.flags), h.B, h.noverflow, h.hash0, h.nevacuate,
		boolInt(growing), m.rt.hashkey, m.rt.state)}

	next := "none"
	if h.extra != nil && h.extra.nextOverflow != nil {
		next = fmt.Sprint((uintptr(h.extra.nextOverflow) - uintptr(cur.base)) / size)
	}
	prealloc := uintptr(0)
	if cur.total > cur.main {
		prealloc = cur.total - cur.main
	}
	lines = append(lines, fmt.Sprintf("  spare next=%s prealloc=%d", next, prealloc))

	arrays := []struct {
		name string
		a    bucketArray
	}{{"new", cur}, {"old", old}}
	for _, arr := range arrays {
		if arr.a.base == nil {
			continue
		}
		for i := uintptr(0); i < arr.a.main; i++ {
			b := unsafe.Add(arr.a.base, i*size)
			if tophashes(b) == [bucketCnt]uint8{} && overflowOf(b, size) == nil {
				continue
			}
			name := fmt.Sprintf("%s[%d]", arr.name, i)
			lines = append(lines, "  "+name+m.bucketText(b))
			for d, ovf := 1, overflowOf(b, size); ovf != nil; d, ovf = d+1, overflowOf(ovf, size) {
				lines = append(lines, fmt.Sprintf("  %s.ovf%d%s%s", name, d,
					m.placeOf(ovf, arr.a, cur, old), m.bucketText(ovf)))
			}
		}
	}
	return lines
}

// placeOf says where an overflow bucket came from: `@preJ` for spare J of
// a bucket array (its own, normally), `@heap` for a separate allocation.
func (m *goMap) placeOf(b unsafe.Pointer, own bucketArray, arrays ...bucketArray) string {
	size := uintptr(m.mt.bucketsize)
	for _, a := range append([]bucketArray{own}, arrays...) {
		if j, ok := a.index(b, size); ok {
			return fmt.Sprintf("@pre%d", j)
		}
	}
	return "@heap"
}

// bucketText prints ` th=[..]` and the live slots of the bucket at b.
func (m *goMap) bucketText(b unsafe.Pointer) string {
	th := tophashes(b)
	var sb strings.Builder
	sb.WriteString(" th=[")
	for i, t := range th {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%02x", t)
	}
	sb.WriteByte(']')
	mt := m.mt
	for i, t := range th {
		if t < minTopHash {
			continue
		}
		k := unsafe.Add(b, dataOffset+uintptr(i)*uintptr(mt.keysize))
		e := unsafe.Add(b, dataOffset+bucketCnt*uintptr(mt.keysize)+uintptr(i)*uintptr(mt.elemsize))
		if mt.flags&mtIndirectKey != 0 {
			k = *(*unsafe.Pointer)(k)
		}
		if mt.flags&mtIndirectElem != 0 {
			e = *(*unsafe.Pointer)(e)
		}
		fmt.Fprintf(&sb, " %d:%s=%s", i, formatOrNil(m.key, k), formatOrNil(m.elem, e))
	}
	return sb.String()
}

// formatOrNil guards against a nil indirect slot, which a live slot never
// has in a healthy map.
func formatOrNil(k kind, p unsafe.Pointer) string {
	if p == nil {
		return "<nil>"
	}
	return format(k, p)
}

func tophashes(b unsafe.Pointer) [bucketCnt]uint8 {
	return *(*[bucketCnt]uint8)(b)
}

// overflowOf reads a bucket's overflow pointer, its last word.
func overflowOf(b unsafe.Pointer, size uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Add(b, size-unsafe.Sizeof(uintptr(0))))
}

func flagNames(f uint8) string {
	var names []string
	for _, fl := range []struct {
		bit  uint8
		name string
	}{{flagIterator, "iterator"}, {flagOldIterator, "oldIterator"}, {flagHashWriting, "hashWriting"}, {flagSameSizeGrow, "sameSizeGrow"}} {
		if f&fl.bit != 0 {
			names = append(names, fl.name)
		}
	}
	if len(names) == 0 {
		return "-"
	}
	return strings.Join(names, "|")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
