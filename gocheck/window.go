package main

// The "window" pins Go's randomness and hash key for the duration of one
// map operation.
//
// Go 1.19 keeps fastrand's wyrand state in a per-thread word,
// runtime.m.fastrand. With the goroutine locked to its thread, we store
// the trace's generator state in that word before each map operation and
// read it back afterwards, so every draw the map code makes comes from the
// trace's seed= and nothing else draws from it. acquirem keeps the
// goroutine from being preempted (and the scheduler from drawing on this
// thread) inside the window.
//
// The process-wide hash key, runtime.hashkey[0], is swapped the same way:
// inside a window it is the trace's hashkey=, outside it is the value the
// runtime chose at start-up. So is the choice of hash function: the
// runtime picks the AES hash at start-up when the CPU has it, and
// memhash, memhash32, memhash64 and strhash test runtime.useAeshash on
// every call (asm_amd64.s), falling back to the portable wyhash-based
// functions (hash64.go) that read hashkey[0] and that the C core ports.
// Inside a window the flag is false. Both swaps keep every other map in
// the process (the standard library's, reflect's type cache, the
// runtime's own) valid, since they were filled, and are only used, outside
// windows under the start-up hash. This works the same in a program that
// cannot choose its GODEBUG before the runtime starts, such as a fuzz
// target with the runtime linked in (lib.go).

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"unsafe"
)

// wyrandIncrement is what one fastrand call adds to the state.
const wyrandIncrement = 0xa0761d6478bd642f

// randOffset is the byte offset of the fastrand word inside runtime.m,
// found at start-up by findRandWord (288 on linux/amd64 for Go 1.19).
var randOffset uintptr

// pinned is the per-trace random state and hash key.
type pinned struct {
	state   uint64  // the trace's generator state (trace-format "rand")
	hashkey uintptr // the trace's hashkey=
}

// run executes f inside a window.
func (p *pinned) run(f func()) {
	mp := acquirem()
	word := (*uint64)(unsafe.Add(mp, randOffset))
	savedState, savedKey, savedAes := *word, runtimeHashkey[0], runtimeUseAeshash
	*word, runtimeHashkey[0], runtimeUseAeshash = p.state, p.hashkey, false
	f()
	p.state = *word
	*word, runtimeHashkey[0], runtimeUseAeshash = savedState, savedKey, savedAes
	releasem(mp)
}

// findRandWord locates m.fastrand: it is the only word of the M that grows
// by exactly wyrandIncrement when fastrand is called once. The scan covers
// the first 512 bytes of the M (the field sits at 288 in Go 1.19; the
// struct is several kilobytes long, so the reads stay inside it).
func findRandWord() (uintptr, error) {
	const words = 64
	mp := acquirem()
	m := (*[words]uint64)(mp)
	before := *m
	runtimeFastrand()
	after := *m
	releasem(mp)
	found := -1
	for i := range before {
		if after[i]-before[i] == wyrandIncrement {
			if found >= 0 {
				return 0, fmt.Errorf("two candidate fastrand words in runtime.m (%d and %d)", found*8, i*8)
			}
			found = i
		}
	}
	if found < 0 {
		return 0, fmt.Errorf("fastrand word not found in runtime.m")
	}
	return uintptr(found * 8), nil
}

// setupRuntime prepares the process for deterministic windows. It must
// run on a goroutine locked to its thread (the command's main goroutine
// after runtime.LockOSThread, or a call from C, which the runtime locks)
// before any trace map is made.
func setupRuntime() error {
	if v := runtime.Version(); !strings.HasPrefix(v, "go1.19") {
		return fmt.Errorf("built with %s; the runtime layouts used here are those of Go 1.19", v)
	}
	// No garbage collection inside windows (its workers and assists run
	// on arbitrary threads and may draw); the callers collect between
	// traces.
	debug.SetGCPercent(-1)
	off, err := findRandWord()
	if err != nil {
		return err
	}
	randOffset = off
	return nil
}

func init() {
	// Heap-profile sampling draws from fastrand inside mallocgc; with the
	// rate at 0 mallocgc never samples, so allocations inside a window do
	// not consume the trace's random stream.
	runtime.MemProfileRate = 0
}
