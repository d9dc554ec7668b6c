package main

// Reading a gomap text trace (docs/trace-format.md: the core and the
// project's extension operations) into a list of operations. The whole
// trace is checked before anything runs, so a malformed trace prints
// nothing but its error.

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

type opCode int

const (
	opPut opCode = iota
	opGet
	opDel
	opLen
	opClear
	opIter
	opDump
	opInc
	opCheck
	opIterStart
	opIterNext
	opIterStop
	opUnfollowable // an extension Go cannot reproduce (fault injection...)
)

const (
	maxIterators = 8       // iterator ids are 0..7
	maxIterSteps = 1000000 // largest N of iter-next
)

// op is one operation line.
type op struct {
	line    int
	name    string // the operation word as written
	code    opCode
	generic bool  // gput/gget/gdel: use the generic runtime entry point
	key     value // put, get, del, inc
	elem    value // put
	count   uint64
	iter    int
}

// header is the parsed `map KEY ELEM ...` line.
type header struct {
	key, elem kind
	hint      int64
	seed      uint64
	hasSeed   bool
	hashkey   uint64
	hash      hashMode
}

const defaultHashkey = 0x9e3779b97f4a7c15

type trace struct {
	name string
	hdr  header
	ops  []op
}

// traceError is a malformed-input error, printed as FILE:LINE: message.
type traceError struct {
	file string
	line int
	msg  string
}

func (e *traceError) Error() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg) }

// tokenize splits a line at spaces and tabs, keeping a double-quoted
// string (which may contain spaces and escaped quotes) in one token.
func tokenize(s string) []string {
	var toks []string
	i := 0
	for i < len(s) {
		if s[i] == ' ' || s[i] == '\t' {
			i++
			continue
		}
		start := i
		if s[i] == '"' {
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
			i++
		}
		for i < len(s) && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		if i > len(s) {
			i = len(s)
		}
		toks = append(toks, s[start:i])
	}
	return toks
}

// readTrace reads and parses a whole trace.
func readTrace(name string, r io.Reader) (*trace, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, &traceError{name, 0, err.Error()}
	}
	return parseTrace(name, text)
}

// parseTrace parses a whole trace held in memory. The trace keeps no
// reference to text.
func parseTrace(name string, text []byte) (*trace, error) {
	t := &trace{name: name}
	haveHeader := false
	var running [maxIterators]bool
	lineNo := 0
	for len(text) > 0 {
		lineNo++
		end := bytes.IndexByte(text, '\n')
		if end < 0 {
			end = len(text)
		}
		line := strings.TrimSuffix(string(text[:end]), "\r")
		text = text[min(end+1, len(text)):]
		toks := tokenize(line)
		if len(toks) == 0 || strings.HasPrefix(toks[0], "#") {
			continue
		}
		fail := func(format string, args ...any) error {
			return &traceError{name, lineNo, fmt.Sprintf(format, args...)}
		}
		if !haveHeader {
			h, err := parseHeader(toks)
			if err != nil {
				return nil, fail("%v", err)
			}
			t.hdr, haveHeader = h, true
			continue
		}
		o, err := parseOp(toks, t.hdr)
		if err != nil {
			return nil, fail("%v", err)
		}
		o.line = lineNo
		switch o.code {
		case opIterStart:
			running[o.iter] = true
		case opIterNext, opIterStop:
			if !running[o.iter] {
				return nil, fail("%s on iterator %d, which is not running", o.name, o.iter)
			}
			running[o.iter] = o.code == opIterNext
		}
		t.ops = append(t.ops, o)
	}
	if !haveHeader {
		return nil, &traceError{name, max(lineNo, 1), "no `map KEY ELEM` header"}
	}
	return t, nil
}

func parseHeader(toks []string) (header, error) {
	h := header{hashkey: defaultHashkey}
	if toks[0] != "map" || len(toks) < 3 {
		return h, fmt.Errorf("expected header `map KEY ELEM [hint=N] [seed=N] [hashkey=N] [hash=MODE]`")
	}
	var err error
	if h.key, err = parseKind(toks[1], true); err != nil {
		return h, err
	}
	if h.elem, err = parseKind(toks[2], false); err != nil {
		return h, err
	}
	seen := map[string]bool{}
	for _, opt := range toks[3:] {
		name, val, ok := strings.Cut(opt, "=")
		if !ok || seen[name] {
			return h, fmt.Errorf("bad or repeated header option %q", opt)
		}
		seen[name] = true
		switch name {
		case "hint":
			if h.hint, err = parseInt64(val); err != nil {
				return h, fmt.Errorf("hint: %v", err)
			}
			continue
		case "hash":
			if h.hash, err = parseHashMode(val); err != nil {
				return h, err
			}
			continue
		}
		n, err := parseUint(val, 64)
		if err != nil {
			return h, fmt.Errorf("bad number in %q", opt)
		}
		switch name {
		case "seed":
			h.seed, h.hasSeed = n, true
		case "hashkey":
			// The C core's hooks read 0 as "use the default", so a trace
			// could not say it; the project rejects it everywhere.
			if n == 0 {
				return h, fmt.Errorf("hashkey=0 is not allowed")
			}
			h.hashkey = n
		default:
			return h, fmt.Errorf("unknown header option %q", opt)
		}
	}
	return h, nil
}

// opArity is the number of operands of each fixed-form operation.
var opArity = map[string]int{
	"put": 2, "gput": 2, "get": 1, "gget": 1, "del": 1, "gdel": 1, "inc": 1,
	"len": 0, "clear": 0, "iter": 0, "dump": 0, "check": 0,
}

func parseOp(toks []string, h header) (op, error) {
	o := op{name: toks[0]}
	args := toks[1:]
	switch o.name {
	case "put", "gput", "get", "gget", "del", "gdel", "inc", "len", "clear", "iter", "dump", "check":
		if len(args) != opArity[o.name] {
			return o, fmt.Errorf("%s takes %d operand(s), got %d", o.name, opArity[o.name], len(args))
		}
	case "iter-start", "iter-stop":
		if len(args) > 1 {
			return o, fmt.Errorf("%s takes at most one operand", o.name)
		}
	case "iter-next":
		if len(args) < 1 || len(args) > 2 {
			return o, fmt.Errorf("iter-next takes N [I]")
		}
	case "fail-alloc", "reenter", "expect-fatal":
		o.code = opUnfollowable
		return o, nil
	default:
		return o, fmt.Errorf("unknown operation %q", o.name)
	}
	base := o.name
	if base == "gput" || base == "gget" || base == "gdel" {
		o.generic, base = true, base[1:]
	}
	var err error
	switch base {
	case "put":
		o.code = opPut
		if o.key, err = parseValue(h.key, args[0]); err == nil {
			o.elem, err = parseValue(h.elem, args[1])
		}
	case "get":
		o.code = opGet
		o.key, err = parseValue(h.key, args[0])
	case "del":
		o.code = opDel
		o.key, err = parseValue(h.key, args[0])
	case "inc":
		o.code = opInc
		if !h.elem.isInteger() {
			return o, fmt.Errorf("inc needs an integer elem kind")
		}
		o.key, err = parseValue(h.key, args[0])
	case "len":
		o.code = opLen
	case "clear":
		o.code = opClear
	case "iter":
		o.code = opIter
	case "dump":
		o.code = opDump
	case "check":
		o.code = opCheck
	case "iter-start", "iter-stop":
		o.code = opIterStart
		if o.name == "iter-stop" {
			o.code = opIterStop
		}
		if len(args) == 1 {
			o.iter, err = parseIterIndex(args[0])
		}
	case "iter-next":
		o.code = opIterNext
		if o.count, err = parseUint(args[0], 64); err == nil && (o.count < 1 || o.count > maxIterSteps) {
			err = fmt.Errorf("iter-next: N %d out of range (1..%d)", o.count, maxIterSteps)
		}
		if err == nil && len(args) == 2 {
			o.iter, err = parseIterIndex(args[1])
		}
	}
	return o, err
}

func parseIterIndex(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n >= maxIterators || s != strconv.Itoa(n) {
		return 0, fmt.Errorf("bad iterator index %q (0..%d)", s, maxIterators-1)
	}
	return n, nil
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}
