// Command hashvec prints reference data taken from Go 1.19's own runtime,
// for the C port's unit tests to compare against:
//
//	hashvec hash    hash vectors (tests/data/hash_vectors.txt)
//	hashvec layout  bucket layouts (tests/data/layout_vectors.txt)
//
// Every hash comes from the hasher stored in a real map type descriptor,
// so it is whatever function the runtime itself calls for that key type.
// The portable (non-AES) hash is forced by re-running the program with
// GODEBUG=cpu.aes=off, and the process key runtime.hashkey[0] is set
// through go:linkname.  All inputs come from a fixed-seed generator, so a
// rerun prints the same files.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
	_ "unsafe" // for go:linkname
)

//go:linkname hashkey runtime.hashkey
var hashkey [4]uintptr

//go:linkname useAeshash runtime.useAeshash
var useAeshash bool

// The portable hash is chosen once at start-up, before main runs, so the
// setting has to be in the environment the process starts with.
func ensurePortableHash() {
	if strings.Contains(os.Getenv("GODEBUG"), "cpu.aes=off") {
		if useAeshash {
			fail("GODEBUG=cpu.aes=off is set but the AES hash is still in use")
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		fail("cannot find my executable: %v", err)
	}
	godebug := "cpu.aes=off"
	if old := os.Getenv("GODEBUG"); old != "" {
		godebug = old + "," + godebug
	}
	env := append(os.Environ(), "GODEBUG="+godebug)
	err = syscall.Exec(exe, os.Args, env)
	fail("re-exec with GODEBUG=%s: %v", godebug, err)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "hashvec: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "hash" && os.Args[1] != "layout") {
		fail("usage: hashvec hash|layout")
	}
	ensurePortableHash()
	out := bufio.NewWriter(os.Stdout)
	// Map types are looked up and built before hashkey[0] changes: the
	// runtime's and reflect's own maps would stop working after it.
	keys := collectKeyTypes()
	if os.Args[1] == "layout" {
		writeLayouts(out)
	} else {
		writeHashVectors(out, keys)
	}
	if err := out.Flush(); err != nil {
		fail("write: %v", err)
	}
}
