package main

import (
	"reflect"
	"unsafe"
)

// goType mirrors the head of Go 1.19's runtime._type (runtime/type.go).
type goType struct {
	size       uintptr
	ptrdata    uintptr
	hash       uint32
	tflag      uint8
	align      uint8
	fieldAlign uint8
	kind       uint8
	equal      unsafe.Pointer
	gcdata     unsafe.Pointer
	str        int32
	ptrToThis  int32
}

// goMapType mirrors Go 1.19's runtime.maptype.
type goMapType struct {
	typ        goType
	key        *goType
	elem       *goType
	bucket     *goType
	hasher     func(unsafe.Pointer, uintptr) uintptr
	keysize    uint8
	elemsize   uint8
	bucketsize uint16
	flags      uint32
}

const goKindMap = 21 // runtime/typekind.go kindMap

type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// mapTypeOf returns the runtime descriptor of the map type in v.
func mapTypeOf(v any) *goMapType {
	mt := (*goMapType)((*eface)(unsafe.Pointer(&v)).typ)
	if mt.typ.kind&31 != goKindMap {
		fail("not a map type: %T", v)
	}
	return mt
}

// mapTypeOfReflect returns the runtime descriptor behind a reflect.Type.
func mapTypeOfReflect(t reflect.Type) *goMapType {
	mt := (*goMapType)((*[2]unsafe.Pointer)(unsafe.Pointer(&t))[1])
	if mt.typ.kind&31 != goKindMap {
		fail("not a map type: %v", t)
	}
	return mt
}

// reflectTypeOf views a runtime type (here a map's hidden bucket struct)
// through reflect, for its field offsets.
func reflectTypeOf(t *goType) reflect.Type {
	var v any
	(*eface)(unsafe.Pointer(&v)).typ = unsafe.Pointer(t)
	return reflect.TypeOf(v)
}
