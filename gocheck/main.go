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
	"time"
)

const usage = "usage: gocheck [--dump-each] TRACE...  (- = standard input)"

const (
	exitMalformed     = 2
	exitCannotFollow  = 3
	exitInternalError = 4
)

func main() {
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
	runtime.LockOSThread()
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
	if o := replay(t, out, replayOpts{dumpEach: dumpEach}); o != nil {
		out.Flush()
		fmt.Fprintf(os.Stderr, "%s:%d: gocheck cannot follow %s\n", name, o.line, o.name)
		return exitCannotFollow
	}
	return 0
}
