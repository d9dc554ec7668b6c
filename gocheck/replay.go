package main

// Running a checked trace on Go's map and printing what it shows.

import (
	"bufio"
	"fmt"
	"sort"
	"strings"
)

// replayOpts says what a replay prints.
type replayOpts struct {
	// dumpEach prints a dump block after every operation line.
	dumpEach bool
	// loop prints only what the fuzz loop compares (lib.go): the dumps
	// the trace asks for, and every iteration in the order Go yields it
	// (`iter` unsorted, each `it` step); no `get` or `len` lines.
	loop bool
}

// replay runs a checked trace, printing its output lines. It stops at the
// first operation Go cannot follow and returns it.
func replay(t *trace, out *bufio.Writer, opts replayOpts) *op {
	rt := &pinned{state: t.hdr.seed, hashkey: uintptr(t.hdr.hashkey)}
	m := newGoMap(t.hdr, rt)
	printf := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	var scratch []byte
	dump := func() {
		scratch = m.appendDump(scratch[:0])
		out.Write(scratch)
	}
	for i := range t.ops {
		o := &t.ops[i]
		switch o.code {
		case opPut:
			m.Put(o.key, o.elem, o.generic)
		case opGet:
			v, ok := m.Get(o.key, o.generic)
			switch {
			case opts.loop:
			case ok:
				printf("get %s -> %s", format(t.hdr.key, o.key.ptr()), v)
			default:
				printf("get %s -> absent", format(t.hdr.key, o.key.ptr()))
			}
		case opDel:
			m.Del(o.key, o.generic)
		case opInc:
			m.Inc(o.key)
		case opLen:
			if !opts.loop {
				printf("len %d", m.Len())
			}
		case opClear:
			m.Clear()
		case opIter:
			pairs := m.Range()
			if !opts.loop {
				sort.Strings(pairs)
			}
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
		if opts.dumpEach {
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
