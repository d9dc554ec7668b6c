// Command gomapbench times Go 1.19's built-in map on the gomap benchmark
// workloads (see ../README.md).  It is the Go half of bench/run.sh: the key
// generator, the permutations and the result checks mirror ../bench.c
// exactly, so both sides see identical keys in identical order.
//
// The map operations are ordinary compiled Go (m[k] = v, v, ok := m[k],
// delete, range), so the compiler picks the mapassign_fast64 / faststr
// paths, as it would in any Go program.  Which hash runs depends on
// GODEBUG at start-up: by default the AES hash, with GODEBUG=cpu.aes=off the
// portable one of runtime/hash64.go that the C port implements.
//
// Usage:
//
//	gomapbench -w W1 -n 1000000 [-ops 2000000] [-seed 1] [-clock thread|wall]
//	gomapbench -mem -n 1000000 -mapseed S -hashkey K   (needs cpu.aes=off)
//	gomapbench -inputs -n N [-seed S]                  (digest of the keys)
package main

import (
	"flag"
	"fmt"
	"math/bits"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// Go's process hash key and hash choice (runtime/alg.go).  hashkey[0] is
// mixed into every portable hash; see docs/go-map-rules.md, "Making
// Go's runtime map deterministic".
//
//go:linkname hashkey runtime.hashkey
var hashkey [4]uintptr

//go:linkname useAeshash runtime.useAeshash
var useAeshash bool

// Go: runtime/msize.go roundupsize, the malloc size-class rounding that
// decides how many spare overflow buckets a bucket array gets.
//
//go:linkname roundupsize runtime.roundupsize
func roundupsize(size uintptr) uintptr

// ---- deterministic inputs (mirrored in bench.c) ----

type splitmix struct{ s uint64 }

func (g *splitmix) next() uint64 {
	g.s += 0x9e3779b97f4a7c15
	z := g.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Stream seeds: one independent splitmix stream per purpose.
const (
	streamHit  = 0x100
	streamMiss = 0x200
	streamPerm = 0x300
	streamStr  = 0x400
)

// hitKeys are even, missKeys odd, so no miss key can ever hit.
func hitKeys(seed uint64, n int) []uint64 {
	g := splitmix{seed ^ streamHit}
	k := make([]uint64, n)
	for i := range k {
		k[i] = g.next() &^ 1
	}
	return k
}

func missKeys(seed uint64, n int) []uint64 {
	g := splitmix{seed ^ streamMiss}
	k := make([]uint64, n)
	for i := range k {
		k[i] = g.next() | 1
	}
	return k
}

// perm is a Fisher-Yates shuffle of 0..n-1 drawing j = hi64(r * (i+1)).
func perm(seed uint64, n int) []int32 {
	g := splitmix{seed ^ streamPerm}
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	for i := n - 1; i > 0; i-- {
		j, _ := bits.Mul64(g.next(), uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// strKeys returns n strings of l random bytes (little-endian splitmix words).
func strKeys(seed uint64, n, l int) []string {
	g := splitmix{seed ^ streamStr ^ uint64(l)}
	buf := make([]byte, n*l)
	var w uint64
	for i := range buf {
		if i%8 == 0 {
			w = g.next()
		}
		buf[i] = byte(w >> (8 * (i % 8)))
	}
	s := make([]string, n)
	for i := range s {
		s[i] = string(buf[i*l : (i+1)*l])
	}
	return s
}

// ---- reporting ----

func implName() string {
	if useAeshash {
		return "go-aes"
	}
	return "go"
}

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gomapbench: %s: CHECK FAILED: "+format+"\n",
		append([]interface{}{implName()}, a...)...)
	os.Exit(1)
}

func maxrssKB() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Maxrss
}

// The clock of the timed regions (-clock, as ../main.c --clock): by default
// the CPU time of this OS thread, to which main locks its goroutine, so
// that time the kernel gives other processes on a shared machine is not
// counted (a Go process, asleep at every runtime.GC between repetitions,
// wakes with the scheduler's favour a C process that never sleeps does not
// get); or elapsed time.
var now func() time.Duration

func threadCPUTime() time.Duration {
	const clockThreadCPUTimeID = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

func setClock(name string) bool {
	switch name {
	case "thread":
		runtime.LockOSThread()
		now = threadCPUTime
	case "wall":
		start := time.Now()
		now = func() time.Duration { return time.Since(start) }
	default:
		return false
	}
	return true
}

func report(w, variant string, n int, ops int64, d time.Duration) {
	fmt.Printf("RESULT impl=%s w=%s case=%s n=%d ops=%d ns_per_op=%.3f maxrss_kb=%d\n",
		implName(), w, variant, n, ops, float64(d.Nanoseconds())/float64(ops), maxrssKB())
}

// ---- workloads ----

// reps of a workload so that one process does about `target` operations.
func repsFor(target int64, n int) int {
	r := int((target + int64(n) - 1) / int64(n))
	if r < 1 {
		r = 1
	}
	return r
}

func fill(keys []uint64, hint int) map[uint64]uint64 {
	var m map[uint64]uint64
	if hint > 0 {
		m = make(map[uint64]uint64, hint)
	} else {
		m = make(map[uint64]uint64)
	}
	for i, k := range keys {
		m[k] = uint64(i) + 1
	}
	return m
}

// checkFull: len == n and every key maps to its value (untimed).
func checkFull(m map[uint64]uint64, keys []uint64) {
	if len(m) != len(keys) {
		die("len %d, want %d", len(m), len(keys))
	}
	for i, k := range keys {
		if v, ok := m[k]; !ok || v != uint64(i)+1 {
			die("key %#x: got %d,%v want %d", k, v, ok, i+1)
		}
	}
}

func wInsert(w string, n int, target int64, seed uint64, hinted bool) {
	keys := hitKeys(seed, n)
	reps := repsFor(target, n)
	var total time.Duration
	var last map[uint64]uint64
	for r := 0; r < reps; r++ {
		last = nil
		runtime.GC()
		t0 := now()
		var m map[uint64]uint64
		if hinted {
			m = make(map[uint64]uint64, n)
		} else {
			m = make(map[uint64]uint64)
		}
		for i, k := range keys {
			m[k] = uint64(i) + 1
		}
		total += now() - t0
		if len(m) != n {
			die("%s: len %d after %d inserts", w, len(m), n)
		}
		last = m
	}
	checkFull(last, keys)
	report(w, "u64", n, int64(reps)*int64(n), total)
}

func wLookup(w string, n int, target int64, seed uint64, hit bool) {
	keys := hitKeys(seed, n)
	m := fill(keys, 0)
	p := perm(seed, n)
	probe := make([]uint64, n)
	if hit {
		for i, j := range p {
			probe[i] = keys[j]
		}
	} else {
		copy(probe, missKeys(seed, n))
	}
	reps := repsFor(target, n)
	runtime.GC()
	var sum, found uint64
	t0 := now()
	for r := 0; r < reps; r++ {
		for _, k := range probe {
			v, ok := m[k]
			sum += v
			if ok {
				found++
			}
		}
	}
	d := now() - t0
	nn := uint64(n)
	want, wantSum := uint64(0), uint64(0)
	if hit {
		want, wantSum = nn, nn*(nn+1)/2
	}
	if found != want*uint64(reps) || sum != wantSum*uint64(reps) {
		die("%s: found %d sum %d, want %d and %d (x%d reps)", w, found, sum, want, wantSum, reps)
	}
	report(w, "u64", n, int64(reps)*int64(n), d)
}

func wChurn(n int, target int64, seed uint64) {
	keys := hitKeys(seed, n)
	m := fill(keys, 0)
	p := perm(seed, n)
	reps := repsFor(target, 2*n)
	var total time.Duration
	for r := 0; r < reps; r++ {
		runtime.GC()
		t0 := now()
		for _, j := range p {
			delete(m, keys[j])
		}
		mid := len(m)
		for i, k := range keys {
			m[k] = uint64(i) + 1
		}
		total += now() - t0
		if mid != 0 || len(m) != n {
			die("W5: len %d after deleting all, %d after reinserting %d", mid, len(m), n)
		}
	}
	checkFull(m, keys)
	report("W5", "u64", n, int64(reps)*2*int64(n), total)
}

func wIter(n int, target int64, seed uint64) {
	keys := hitKeys(seed, n)
	m := fill(keys, 0)
	var wantK uint64
	for _, k := range keys {
		wantK += k
	}
	nn := uint64(n)
	reps := repsFor(target, n)
	runtime.GC()
	var cnt, sk, sv uint64
	t0 := now()
	for r := 0; r < reps; r++ {
		for k, v := range m {
			cnt++
			sk += k
			sv += v
		}
	}
	d := now() - t0
	R := uint64(reps)
	if cnt != nn*R || sk != wantK*R || sv != nn*(nn+1)/2*R {
		die("W6: count %d keysum %#x valsum %d", cnt, sk, sv)
	}
	report("W6", "u64", n, int64(reps)*int64(n), d)
}

func wStrings(n int, target int64, seed uint64, l int) {
	keys := strKeys(seed, n, l)
	p := perm(seed, n)
	probe := make([]string, n)
	for i, j := range p {
		probe[i] = keys[j]
	}
	variant := fmt.Sprintf("str%d", l)
	reps := repsFor(target, n)
	var tIns, tHit time.Duration
	nn := uint64(n)
	for r := 0; r < reps; r++ {
		runtime.GC()
		t0 := now()
		m := make(map[string]uint64)
		for i, k := range keys {
			m[k] = uint64(i) + 1
		}
		tIns += now() - t0
		if len(m) != n {
			die("W7 %s: len %d after %d inserts", variant, len(m), n)
		}
		var sum, found uint64
		t1 := now()
		for _, k := range probe {
			v, ok := m[k]
			sum += v
			if ok {
				found++
			}
		}
		tHit += now() - t1
		if found != nn || sum != nn*(nn+1)/2 {
			die("W7 %s: found %d sum %d", variant, found, sum)
		}
	}
	report("W7", variant+"-insert", n, int64(reps)*int64(n), tIns)
	report("W7", variant+"-hit", n, int64(reps)*int64(n), tHit)
}

// inputsMode prints a digest of every generated input (bench.c --inputs
// prints the same), so run.sh can prove both sides use identical keys.
func inputsMode(n int, seed uint64) {
	fold := func(h, x uint64) uint64 { return (h ^ x) * 0x100000001b3 }
	var h [5]uint64
	hk, mk, p := hitKeys(seed, n), missKeys(seed, n), perm(seed, n)
	for i := 0; i < n; i++ {
		h[0] = fold(h[0], hk[i])
		h[1] = fold(h[1], mk[i])
		h[2] = fold(h[2], uint64(p[i]))
	}
	for l := 8; l <= 16; l += 8 {
		for _, s := range strKeys(seed, n, l) {
			for i := 0; i < len(s); i++ {
				h[l/8+2] = fold(h[l/8+2], uint64(s[i]))
			}
		}
	}
	fmt.Printf("INPUTS n=%d seed=%d hit=%016x miss=%016x perm=%016x str8=%016x str16=%016x\n",
		n, seed, h[0], h[1], h[2], h[3], h[4])
}

// ---- memory ----

type hmap struct {
	count      int
	flags      uint8
	B          uint8
	noverflow  uint16
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr
	extra      *mapextra
}

type mapextra struct {
	overflow     *[]unsafe.Pointer
	oldoverflow  *[]unsafe.Pointer
	nextOverflow unsafe.Pointer
}

// A bucket of map[uint64]uint64: tophash [8]uint8, keys [8]uint64,
// elems [8]uint64, overflow pointer.
const (
	bucketSize = 8 + 8*8 + 8*8 + 8
	ovfOff     = bucketSize - 8
)

func ovf(b unsafe.Pointer) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Add(b, ovfOff))
}

// arrayAlloc is the number of buckets runtime/map.go:makeBucketArray
// allocates for 2^b: 2^b plus spares, rounded to a malloc size class.
func arrayAlloc(b uint8) uintptr {
	nalloc := uintptr(1) << b
	if b >= 4 {
		nalloc += uintptr(1) << (b - 4)
		if up := roundupsize(nalloc * bucketSize); up != nalloc*bucketSize {
			nalloc = up / bucketSize
		}
	}
	return nalloc
}

// countOverflow walks the chains of a bucket array of 2^b buckets and
// counts overflow buckets that are its preallocated spares and those that
// came from the heap; hist (if not nil) gets the chain-length histogram.
func countOverflow(arr unsafe.Pointer, b uint8, hist map[int]int) (heapOvf, preUsed, maxChain int) {
	nb := uintptr(1) << b
	spareLo := uintptr(arr) + nb*bucketSize
	spareHi := uintptr(arr) + arrayAlloc(b)*bucketSize
	for i := uintptr(0); i < nb; i++ {
		c := 0
		for o := ovf(unsafe.Add(arr, i*bucketSize)); o != nil; o = ovf(o) {
			c++
			if a := uintptr(o); a >= spareLo && a < spareHi {
				preUsed++
			} else {
				heapOvf++
			}
		}
		if hist != nil {
			hist[c]++
		}
		if c > maxChain {
			maxChain = c
		}
	}
	return
}

func wyrand(s *uint64) uint64 {
	*s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(*s, *s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// memMode builds n u64->u64 entries (no hint) with a fixed hashkey[0] and
// hash0, then prints the live heap and the bucket structure.
func memMode(n int, seed, randSeed, key0 uint64) {
	if useAeshash {
		die("-mem needs GODEBUG=cpu.aes=off (the portable hash)")
	}
	keys := hitKeys(seed, n)
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	m := make(map[uint64]uint64)
	h := *(**hmap)(unsafe.Pointer(&m))
	st := randSeed
	h.hash0 = uint32(wyrand(&st)) // Go: makemap_small, hash0 = fastrand()
	hash0 := h.hash0
	for i, k := range keys {
		m[k] = uint64(i) + 1
	}
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	checkFull(m, keys)

	nb := uintptr(1) << h.B
	prealloc := int(arrayAlloc(h.B) - nb)
	hist := make(map[int]int)
	heapOvf, preUsed, maxChain := countOverflow(h.buckets, h.B, hist)
	if h.oldbuckets != nil {
		oldB := h.B
		if h.flags&8 == 0 { // not sameSizeGrow
			oldB--
		}
		oh, _, _ := countOverflow(h.oldbuckets, oldB, nil)
		heapOvf += oh // the C port's gomap_memstats counts these too
	}
	next := int64(-1)
	if h.extra != nil && h.extra.nextOverflow != nil {
		next = int64((uintptr(h.extra.nextOverflow) - uintptr(h.buckets)) / bucketSize)
	}
	if next >= 0 && int64(nb)+int64(preUsed) != next {
		die("spare accounting: %d used but next spare is %d", preUsed, next)
	}
	delta := int64(ms1.HeapAlloc) - int64(ms0.HeapAlloc)
	structBytes := (int(nb)+prealloc+heapOvf)*bucketSize + 48 /* hmap */
	if h.extra != nil {
		structBytes += 24
		if h.extra.overflow != nil {
			structBytes += 24 + 8*cap(*h.extra.overflow)
		}
	}
	digest := bucketDigest(h)
	fmt.Printf("MEM impl=go n=%d heap_delta=%d heap_per_entry=%.2f struct_bytes=%d struct_per_entry=%.2f\n",
		n, delta, float64(delta)/float64(n), structBytes, float64(structBytes)/float64(n))
	fmt.Printf("BUCKETS impl=go n=%d B=%d hash0=%08x noverflow=%d growing=%d prealloc=%d spare_used=%d next=%d heap_overflow=%d digest=%016x max_chain=%d",
		n, h.B, hash0, h.noverflow, b2i(h.oldbuckets != nil), prealloc, preUsed, next, heapOvf, digest, maxChain)
	for c := 0; c <= maxChain; c++ {
		fmt.Printf(" chain%d=%d", c, hist[c])
	}
	fmt.Println()
	runtime.KeepAlive(m)
}

// bucketDigest folds every bucket the C port's dump would list (array,
// index, chain position, tophash, slot:key=elem of slots with tophash >= 5)
// in dump order; impl_core.c computes the same from gomap_dump.
func bucketDigest(h *hmap) uint64 {
	fold := func(d, x uint64) uint64 { return (d ^ x) * 0x100000001b3 }
	d := uint64(0xcbf29ce484222325)
	walk := func(region uint64, arr unsafe.Pointer, nb uintptr) {
		for i := uintptr(0); i < nb; i++ {
			b := unsafe.Add(arr, i*bucketSize)
			th := (*[8]uint8)(b)
			if *(*uint64)(b) == 0 && ovf(b) == nil {
				continue // empty and unchained: the dump leaves it out
			}
			for depth := uint64(0); b != nil; depth, b = depth+1, ovf(b) {
				th = (*[8]uint8)(b)
				d = fold(fold(fold(d, region), uint64(i)), depth)
				for s := 0; s < 8; s++ {
					d = fold(d, uint64(th[s]))
				}
				for s := uintptr(0); s < 8; s++ {
					if th[s] >= 5 {
						k := *(*uint64)(unsafe.Add(b, 8+8*s))
						v := *(*uint64)(unsafe.Add(b, 72+8*s))
						d = fold(fold(fold(d, uint64(s)), k), v)
					}
				}
			}
		}
	}
	nb := uintptr(1) << h.B
	walk(1, h.buckets, nb)
	if h.oldbuckets != nil {
		if h.flags&8 == 0 { // not sameSizeGrow
			nb >>= 1
		}
		walk(2, h.oldbuckets, nb)
	}
	return d
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func main() {
	key0 := flag.Uint64("hashkey", 0, "with -mem: set runtime.hashkey[0] (portable hash only)")
	w := flag.String("w", "", "workload W1..W7")
	n := flag.Int("n", 1000, "number of keys")
	ops := flag.Int64("ops", 2000000, "operations per process (small n repeat the workload)")
	seed := flag.Uint64("seed", 1, "key generator seed")
	mem := flag.Bool("mem", false, "memory and bucket-structure report")
	randSeed := flag.Uint64("mapseed", 0x5eed, "with -mem: the wyrand state hash0 is drawn from")
	inputs := flag.Bool("inputs", false, "print a digest of the generated inputs")
	clock := flag.String("clock", "thread", "timed regions: this thread's CPU time (thread) or elapsed time (wall)")
	flag.Parse()
	// The process key is written before any map this program relies on is
	// made, and after the flag package's maps are done with: an entry
	// keeps the tophash of the key it was placed with, so a map made
	// earlier no longer finds it once it has grown past one bucket.
	if *key0 != 0 {
		hashkey[0] = uintptr(*key0)
	}
	if !setClock(*clock) {
		fmt.Fprintln(os.Stderr, "gomapbench: -clock must be thread or wall")
		os.Exit(2)
	}
	if *inputs {
		inputsMode(*n, *seed)
		return
	}
	if *mem {
		memMode(*n, *seed, *randSeed, *key0)
		return
	}
	switch strings.ToUpper(*w) {
	case "W1":
		wInsert("W1", *n, *ops, *seed, false)
	case "W2":
		wInsert("W2", *n, *ops, *seed, true)
	case "W3":
		wLookup("W3", *n, *ops, *seed, true)
	case "W4":
		wLookup("W4", *n, *ops, *seed, false)
	case "W5":
		wChurn(*n, *ops, *seed)
	case "W6":
		wIter(*n, *ops, *seed)
	case "W7":
		wStrings(*n, *ops/2, *seed, 8)
		wStrings(*n, *ops/2, *seed, 16)
	default:
		fmt.Fprintln(os.Stderr, "usage: gomapbench -w W1..W7 -n N [-ops N] [-seed S] [-clock thread|wall] | -mem -n N -mapseed S -hashkey K")
		os.Exit(2)
	}
}
