package main

// The replayer as a library for C: `go build -buildmode=c-archive` turns
// this package into libgocheck.a and libgocheck.h, which the fuzz harness
// links when Go's runtime is in the fuzz loop (oracle/go_oracle.c). The
// file imports "C", so the command (built with CGO_ENABLED=0) leaves it
// out.
//
// The runtime starts from a constructor, before the program's main, with
// whatever GODEBUG the process has; windows make the map deterministic
// anyway (window.go). Each call comes from a C thread, which the runtime
// locks to the calling goroutine for the duration of the call, as the
// windows need.

// #include <stdlib.h>
import "C"

import (
	"bufio"
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"unsafe"
)

// Status codes of gocheck_replay_loop.
const (
	libOK         = 0
	libMalformed  = 2 // the program does not decode
	libSetupError = 4 // the runtime is not the one this code was written for
	libPanic      = 5 // the replay panicked
)

var (
	setupErr  error
	setupDone bool

	// The output of the last call, in C memory (C may not hold Go
	// pointers once the call returns). A package variable, so a leak
	// checker scanning the program's data finds it.
	cOut    unsafe.Pointer
	cOutCap int

	program []byte // the encoded program (wire.go), copied out of C memory
	ops     []op   // its operations; the array is reused from call to call
	buf     bytes.Buffer
	writer  = bufio.NewWriter(&buf)

	collector garbageCollector
)

// gocheck_replay_loop replays the program text[0:n], encoded as wire.go
// says, on Go's runtime map and stores what it prints in loop mode
// (replay.go: the dumps the program asks for, and every iteration in Go's
// order) at *out, *outLen bytes, valid until the next call. On a status
// other than libOK, *out holds the reason instead.
//
//export gocheck_replay_loop
func gocheck_replay_loop(text *C.char, n C.size_t, out **C.char, outLen *C.size_t) (status C.int) {
	buf.Reset()
	writer.Reset(&buf)
	defer func() {
		if r := recover(); r != nil {
			writer.Reset(&buf)
			buf.Reset()
			fmt.Fprintf(&buf, "gocheck panicked: %v", r)
			status = libPanic
		}
		writer.Flush()
		*out, *outLen = toC(buf.Bytes())
	}()
	if !setupDone {
		setupErr, setupDone = setupRuntime(), true
	}
	if setupErr != nil {
		fmt.Fprintf(writer, "gocheck: %v", setupErr)
		return libSetupError
	}
	program = append(program[:0], unsafe.Slice((*byte)(unsafe.Pointer(text)), int(n))...)
	t, err := readWire(program, ops)
	if err != nil {
		fmt.Fprint(writer, err)
		return libMalformed
	}
	ops = t.ops
	// The encoding has no operation Go cannot follow: replay runs it all.
	replay(t, writer, replayOpts{loop: true})
	collector.afterTrace()
	return libOK
}

// toC copies b into the C output buffer.
func toC(b []byte) (*C.char, C.size_t) {
	if len(b)+1 > cOutCap {
		cOutCap = 2 * (len(b) + 1)
		cOut = C.realloc(cOut, C.size_t(cOutCap))
		if cOut == nil {
			panic("gocheck: out of C memory")
		}
	}
	dst := unsafe.Slice((*byte)(cOut), cOutCap)
	copy(dst, b)
	dst[len(b)] = 0
	return (*C.char)(cOut), C.size_t(len(b))
}

// garbageCollector runs the collector between traces once they have
// allocated enough, keeping a long campaign's heap flat while no window
// ever sees a collection (the collector is off, window.go).
type garbageCollector struct {
	sample [1]metrics.Sample
	last   uint64
}

// collectEvery is how many bytes the traces may allocate between two
// collections.
const collectEvery = 64 << 20

func (g *garbageCollector) afterTrace() {
	if g.sample[0].Name == "" {
		g.sample[0].Name = "/gc/heap/allocs:bytes"
	}
	metrics.Read(g.sample[:])
	if allocated := g.sample[0].Value.Uint64(); allocated-g.last >= collectEvery {
		runtime.GC()
		g.last = allocated
	}
}
