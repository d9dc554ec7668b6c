// Command gocheck replays gomap text traces on Go 1.19's own runtime map
// and prints exactly what the C replayer prints, dumps included, so that
// the two outputs can be compared line by line.
//
//	gocheck [--dump-each] TRACE...   (- reads standard input)
//
// Exit status: 0 on success; 2 on malformed input (FILE:LINE: message);
// 3 when a trace reaches an operation Go cannot follow (fault injection,
// reentrancy, expected fatal errors), after printing everything before it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
)

const usage = "usage: gocheck [--dump-each] TRACE...  (- = standard input)"

const (
	exitMalformed     = 2
	exitCannotFollow  = 3
	exitInternalError = 4
)

func main() {
	reexecWithGodebug()
	dumpEach := false
	var files []string
	for _, a := range os.Args[1:] {
		switch {
		case a == "--dump-each":
			dumpEach = true
		case a == "-h" || a == "--help":
			fmt.Println(usage)
			return
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(exitMalformed)
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(exitMalformed)
	}
	if err := setupRuntime(); err != nil {
		fmt.Fprintln(os.Stderr, "gocheck:", err)
		os.Exit(exitInternalError)
	}
	out := bufio.NewWriter(os.Stdout)
	status := 0
	for _, f := range files {
		if status = replayFile(f, out, dumpEach); status != 0 {
			break
		}
		// Collect the finished trace's map between windows.
		runtime.GC()
	}
	out.Flush()
	os.Exit(status)
}

// reexecWithGodebug restarts the program with the GODEBUG settings it
// needs, which the runtime only reads at start-up.
func reexecWithGodebug() {
	want := missingGodebug()
	if want == "" {
		return
	}
	exe, err := os.Executable()
	if err == nil {
		env := append(os.Environ(), "GODEBUG="+want)
		err = syscall.Exec(exe, os.Args, env)
	}
	fmt.Fprintln(os.Stderr, "gocheck: cannot re-execute with GODEBUG="+want+":", err)
	os.Exit(exitInternalError)
}

// replayFile reads, checks and runs one trace; it returns the exit status.
func replayFile(name string, out *bufio.Writer, dumpEach bool) int {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			out.Flush()
			fmt.Fprintf(os.Stderr, "%s:0: %v\n", name, err)
			return exitMalformed
		}
		defer f.Close()
		r = f
	}
	t, err := readTrace(name, r)
	if err != nil {
		out.Flush()
		fmt.Fprintln(os.Stderr, err)
		return exitMalformed
	}
	if !t.hdr.hasSeed {
		t.hdr.seed = uint64(time.Now().UnixNano())
		fmt.Fprintf(os.Stderr, "seed=%d\n", t.hdr.seed)
	}
	if o := replay(t, out, dumpEach); o != nil {
		out.Flush()
		fmt.Fprintf(os.Stderr, "%s:%d: gocheck cannot follow %s\n", name, o.line, o.name)
		return exitCannotFollow
	}
	return 0
}

// replay runs a checked trace, printing its output lines. It stops at the
// first operation Go cannot follow and returns it.
func replay(t *trace, out *bufio.Writer, dumpEach bool) *op {
	rt := &pinned{state: t.hdr.seed, hashkey: uintptr(t.hdr.hashkey)}
	m := newGoMap(t.hdr, rt)
	printf := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	dump := func() {
		for _, l := range m.Dump() {
			printf("%s", l)
		}
	}
	for i := range t.ops {
		o := &t.ops[i]
		switch o.code {
		case opPut:
			m.Put(o.key, o.elem, o.generic)
		case opGet:
			k := format(t.hdr.key, o.key.ptr())
			if v, ok := m.Get(o.key, o.generic); ok {
				printf("get %s -> %s", k, v)
			} else {
				printf("get %s -> absent", k)
			}
		case opDel:
			m.Del(o.key, o.generic)
		case opInc:
			m.Inc(o.key)
		case opLen:
			printf("len %d", m.Len())
		case opClear:
			m.Clear()
		case opIter:
			pairs := m.Range()
			printf("iter %d:%s", len(pairs), joinPrefixed(pairs))
		case opDump:
			dump()
		case opCheck:
		case opIterStart:
			m.IterStart(o.iter)
		case opIterNext:
			for n := uint64(0); n < o.count; n++ {
				pair, ok := m.IterStep(o.iter)
				if !ok {
					printf("it %d end", o.iter)
					break
				}
				printf("it %d %s", o.iter, pair)
			}
		case opIterStop:
			m.IterStop(o.iter)
		case opUnfollowable:
			return o
		}
		if dumpEach {
			dump()
		}
	}
	return nil
}

// joinPrefixed joins the items, each preceded by a space.
func joinPrefixed(items []string) string {
	var b strings.Builder
	for _, s := range items {
		b.WriteByte(' ')
		b.WriteString(s)
	}
	return b.String()
}
