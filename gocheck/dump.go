package main

// The `dump` operation: the map's internal state in the trace format's
// address-free text (trace-format.md, "The structure dump"), read straight
// out of the runtime's hmap and buckets.

import (
	"strconv"
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

// appendDump appends the dump lines for the map's current state to b.
// It is on the fuzz loop's path (lib.go), so it appends with strconv and
// a hex table rather than fmt.
func (m *goMap) appendDump(b []byte) []byte {
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

	b = append(b, "dump count="...)
	b = strconv.AppendInt(b, int64(h.count), 10)
	b = append(b, " flags=0x"...)
	b = appendHex(b, uint64(h.flags), 2)
	b = append(b, '(')
	b = appendFlagNames(b, h.flags)
	b = append(b, ") B="...)
	b = strconv.AppendUint(b, uint64(h.B), 10)
	b = append(b, " noverflow="...)
	b = strconv.AppendUint(b, uint64(h.noverflow), 10)
	b = append(b, " hash0=0x"...)
	b = appendHex(b, uint64(h.hash0), 8)
	b = append(b, " nevacuate="...)
	b = strconv.AppendUint(b, uint64(h.nevacuate), 10)
	b = append(b, " growing="...)
	b = strconv.AppendInt(b, int64(boolInt(growing)), 10)
	b = append(b, " hashkey0=0x"...)
	b = appendHex(b, uint64(m.rt.hashkey), 16)
	b = append(b, " rand=0x"...)
	b = appendHex(b, m.rt.state, 16)

	b = append(b, "\n  spare next="...)
	if h.extra != nil && h.extra.nextOverflow != nil {
		b = strconv.AppendUint(b, uint64((uintptr(h.extra.nextOverflow)-uintptr(cur.base))/size), 10)
	} else {
		b = append(b, "none"...)
	}
	prealloc := uintptr(0)
	if cur.total > cur.main {
		prealloc = cur.total - cur.main
	}
	b = append(b, " prealloc="...)
	b = strconv.AppendUint(b, uint64(prealloc), 10)
	b = append(b, '\n')

	arrays := [...]struct {
		name string
		a    bucketArray
	}{{"new", cur}, {"old", old}}
	for _, arr := range arrays {
		if arr.a.base == nil {
			continue
		}
		for i := uintptr(0); i < arr.a.main; i++ {
			bk := unsafe.Add(arr.a.base, i*size)
			if tophashes(bk) == [bucketCnt]uint8{} && overflowOf(bk, size) == nil {
				continue
			}
			b = appendBucketName(b, arr.name, i)
			b = m.appendBucket(b, bk)
			for d, ovf := 1, overflowOf(bk, size); ovf != nil; d, ovf = d+1, overflowOf(ovf, size) {
				b = appendBucketName(b, arr.name, i)
				b = append(b, ".ovf"...)
				b = strconv.AppendInt(b, int64(d), 10)
				b = m.appendPlace(b, ovf, arr.a, cur, old)
				b = m.appendBucket(b, ovf)
			}
		}
	}
	return b
}

// appendBucketName appends `  NAME[I]`.
func appendBucketName(b []byte, name string, i uintptr) []byte {
	b = append(b, "  "...)
	b = append(b, name...)
	b = append(b, '[')
	b = strconv.AppendUint(b, uint64(i), 10)
	return append(b, ']')
}

// appendPlace says where an overflow bucket came from: `@preJ` for spare
// J of a bucket array (its own, normally), `@heap` for a separate
// allocation.
func (m *goMap) appendPlace(b []byte, ovf unsafe.Pointer, own bucketArray, arrays ...bucketArray) []byte {
	size := uintptr(m.mt.bucketsize)
	for _, a := range append([]bucketArray{own}, arrays...) {
		if j, ok := a.index(ovf, size); ok {
			b = append(b, "@pre"...)
			return strconv.AppendUint(b, uint64(j), 10)
		}
	}
	return append(b, "@heap"...)
}

// appendBucket appends ` th=[..]`, the live slots of the bucket at bk and
// the line's end.
func (m *goMap) appendBucket(b []byte, bk unsafe.Pointer) []byte {
	th := tophashes(bk)
	b = append(b, " th=["...)
	for i, t := range th {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendHex(b, uint64(t), 2)
	}
	b = append(b, ']')
	mt := m.mt
	for i, t := range th {
		if t < minTopHash {
			continue
		}
		k := unsafe.Add(bk, dataOffset+uintptr(i)*uintptr(mt.keysize))
		e := unsafe.Add(bk, dataOffset+bucketCnt*uintptr(mt.keysize)+uintptr(i)*uintptr(mt.elemsize))
		if mt.flags&mtIndirectKey != 0 {
			k = *(*unsafe.Pointer)(k)
		}
		if mt.flags&mtIndirectElem != 0 {
			e = *(*unsafe.Pointer)(e)
		}
		b = append(b, ' ', byte('0'+i), ':')
		b = appendOrNil(b, m.key, k)
		b = append(b, '=')
		b = appendOrNil(b, m.elem, e)
	}
	return append(b, '\n')
}

// appendHex appends v as `digits` lowercase hex digits.
func appendHex(b []byte, v uint64, digits int) []byte {
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b = append(b, hexDigits[v>>uint(shift)&15])
	}
	return b
}

// appendOrNil guards against a nil indirect slot, which a live slot never
// has in a healthy map.
func appendOrNil(b []byte, k kind, p unsafe.Pointer) []byte {
	if p == nil {
		return append(b, "<nil>"...)
	}
	return appendValue(b, k, p)
}

func tophashes(b unsafe.Pointer) [bucketCnt]uint8 {
	return *(*[bucketCnt]uint8)(b)
}

// overflowOf reads a bucket's overflow pointer, its last word.
func overflowOf(b unsafe.Pointer, size uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Add(b, size-unsafe.Sizeof(uintptr(0))))
}

// appendFlagNames appends the set flags' names joined by |, or -.
func appendFlagNames(b []byte, f uint8) []byte {
	n := 0
	for _, fl := range [...]struct {
		bit  uint8
		name string
	}{{flagIterator, "iterator"}, {flagOldIterator, "oldIterator"}, {flagHashWriting, "hashWriting"}, {flagSameSizeGrow, "sameSizeGrow"}} {
		if f&fl.bit != 0 {
			if n > 0 {
				b = append(b, '|')
			}
			b = append(b, fl.name...)
			n++
		}
	}
	if n == 0 {
		b = append(b, '-')
	}
	return b
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
