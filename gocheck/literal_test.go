package main

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// testdata/f64_printf.txt holds IEEE-754 bit patterns and what glibc's
// printf("%.17g") prints for them (generated once with a small C program;
// special values excluded since the trace format spells them its own way).
func TestFormatF64MatchesCPrintf(t *testing.T) {
	f, err := os.Open("testdata/f64_printf.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		bitsHex, want, _ := strings.Cut(sc.Text(), " ")
		bits, err := strconv.ParseUint(bitsHex, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		v := math.Float64frombits(bits)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if got := formatF64(v); got != want {
			t.Errorf("formatF64(%s) = %q, C printf gives %q", bitsHex, got, want)
		}
		n++
	}
	if n < 1000 {
		t.Fatalf("only %d table rows", n)
	}
}

func TestFormatF64Specials(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{math.NaN(), "nan"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
		{math.Copysign(0, -1), "-0"}, {0, "0"}, {1e21, "1e+21"},
		{1.0000000000000001e-05, "1.0000000000000001e-05"},
		{0.1, "0.10000000000000001"}, {100000, "100000"}, {1e16, "10000000000000000"},
		{1e17, "1e+17"}, {0.0001, "0.0001"}, {-2.5, "-2.5"},
	} {
		if got := formatF64(c.v); got != c.want {
			t.Errorf("formatF64(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestParseF64(t *testing.T) {
	good := map[string]float64{
		"1": 1, "-1.5": -1.5, "+2": 2, ".5": 0.5, "5.": 5, "1e3": 1000, "1E-2": 0.01,
		"0x10": 16, "0x1.8p1": 3, "-0x.8": -0.5, "inf": math.Inf(1), "-inf": math.Inf(-1),
		"Infinity": math.Inf(1), "1e999": math.Inf(1), "-1e999": math.Inf(-1), "1e-999": 0,
	}
	for s, want := range good {
		got, err := parseF64(s)
		if err != nil || got != want {
			t.Errorf("parseF64(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"nan", "NaN", "-nan", "nan(12)"} {
		if got, err := parseF64(s); err != nil || !math.IsNaN(got) {
			t.Errorf("parseF64(%q) = %v, %v; want NaN", s, got, err)
		}
	}
	if got, err := parseF64("-0"); err != nil || got != 0 || !math.Signbit(got) {
		t.Errorf("parseF64(-0) = %v, %v", got, err)
	}
	for _, s := range []string{"", "-", "e5", "1e", "1_0", "0x", "1.2.3", "--1", "nanx", "infx", "0x1p", " 1"} {
		if _, err := parseF64(s); err == nil {
			t.Errorf("parseF64(%q) accepted", s)
		}
	}
}

func TestStrLiterals(t *testing.T) {
	for in, want := range map[string]string{
		`""`: "", `"a b"`: "a b", `"\\\""`: `\"`, `"\x00\xff\x7f"`: "\x00\xff\x7f", `"\xAb"`: "\xab",
	} {
		got, err := parseStr(in)
		if err != nil || got != want {
			t.Errorf("parseStr(%s) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{`"`, `"a`, `"\"`, `"\q"`, `"\x1"`, "\"\t\"", `"a"b"`} {
		if _, err := parseStr(bad); err == nil {
			t.Errorf("parseStr(%s) accepted", bad)
		}
	}
	if got := string(appendStr(nil, "\x00a\"\\\x7f\x1f~ ")); got != `"\x00a\"\\\x7f\x1f~ "` {
		t.Errorf("appendStr = %s", got)
	}
}

func TestBytesLiterals(t *testing.T) {
	mem, err := parseBytes("x1", 3)
	if err != nil || string(mem) != "\x10\x00\x00" {
		t.Errorf("parseBytes(x1) = %x, %v", mem, err)
	}
	if _, err := parseBytes("x00112233", 3); err == nil {
		t.Errorf("too many digits accepted")
	}
	for mem, want := range map[string]string{"\x00\x00": "x00", "\x01\x00": "x01", "\x00\x01": "x0001", "\xab": "xab"} {
		if got := string(appendBytes(nil, []byte(mem))); got != want {
			t.Errorf("appendBytes(%x) = %s, want %s", mem, got, want)
		}
	}
}

func TestUintLiterals(t *testing.T) {
	for _, c := range []struct {
		s    string
		bits uint
		want uint64
		ok   bool
	}{
		{"255", 8, 255, true}, {"256", 8, 0, false}, {"0xff", 8, 255, true}, {"0x", 8, 0, false},
		{"-1", 32, 0, false}, {"+1", 32, 0, false}, {"1_0", 32, 0, false},
		{"18446744073709551615", 64, 1<<64 - 1, true}, {"0xFFFFFFFFFFFFFFFF", 64, 1<<64 - 1, true},
	} {
		got, err := parseUint(c.s, c.bits)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseUint(%q, %d) = %d, %v", c.s, c.bits, got, err)
		}
	}
}

func TestTokenize(t *testing.T) {
	got := tokenize("put\t\"a \\\" b\"  x12 ")
	if strings.Join(got, "|") != `put|"a \" b"|x12` {
		t.Errorf("tokenize = %q", got)
	}
}

func TestHintLiterals(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "-5": -5, "0x10": 16, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63} {
		if got, err := parseInt64(s); err != nil || got != want {
			t.Errorf("parseInt64(%q) = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "-", "--1", "9223372036854775808", "-9223372036854775809", "+1"} {
		if _, err := parseInt64(s); err == nil {
			t.Errorf("parseInt64(%q) accepted", s)
		}
	}
}

func TestHeaderAndPlacementErrors(t *testing.T) {
	for _, bad := range []string{
		"map u8 u8", "map u32 f64", "map bytes0 u8", "map bytes1025 u8", "map bytes01 u8",
		"map u32 u8 seed=1 seed=2", "map u32 u8 color=red", "map u32 u8 hashkey=0",
		"map u32 u8\nput 1", "map u32 u8\nfrob", "map u32 u8\niter-next 1",
		"map u32 u8\niter-start 8", "map u32 u8\niter-start\niter-stop\niter-stop",
		"map u32 str\ninc 1", "map u32 u8\nmap u32 u8", "# only a comment",
	} {
		if _, err := readTrace("t", strings.NewReader(bad)); err == nil {
			t.Errorf("accepted malformed trace %q", bad)
		}
	}
	tr, err := readTrace("t", strings.NewReader("map bytes1024 str hint=-1 hashkey=0X3\niter-start 7\niter-next 1000000 7\niter-next 3 7\niter-stop 7\nfail-alloc 1"))
	if err != nil || len(tr.ops) != 5 || tr.hdr.hint != -1 || tr.hdr.hashkey != 3 || tr.ops[4].code != opUnfollowable {
		t.Errorf("readTrace = %+v, %v", tr, err)
	}
}
