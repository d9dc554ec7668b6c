package main

// Key and elem kinds of the trace format, their literals (parsing and the
// canonical printed form) and their in-memory representation, which is
// exactly the Go type the map holds: uint8, uint32, uint64, float64,
// string or [N]uint8.

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unsafe"
)

type kindTag int

const (
	kU8 kindTag = iota
	kU32
	kU64
	kF64
	kStr
	kBytes
)

// kind is a key or elem kind of the trace format.
type kind struct {
	tag kindTag
	n   int // byte count of bytesN
}

// parseKind reads a kind name; keyKind selects the key or elem vocabulary.
func parseKind(s string, keyKind bool) (kind, error) {
	switch s {
	case "u8":
		if !keyKind {
			return kind{tag: kU8}, nil
		}
	case "u32":
		return kind{tag: kU32}, nil
	case "u64":
		return kind{tag: kU64}, nil
	case "f64":
		if keyKind {
			return kind{tag: kF64}, nil
		}
	case "str":
		return kind{tag: kStr}, nil
	default:
		if rest := strings.TrimPrefix(s, "bytes"); rest != s && rest != "" && rest[0] != '0' {
			if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= 1024 {
				return kind{tag: kBytes, n: n}, nil
			}
		}
	}
	what := "elem"
	if keyKind {
		what = "key"
	}
	return kind{}, fmt.Errorf("bad %s kind %q", what, s)
}

// goType is the Go type holding values of the kind.
func (k kind) goType() reflect.Type {
	switch k.tag {
	case kU8:
		return reflect.TypeOf(uint8(0))
	case kU32:
		return reflect.TypeOf(uint32(0))
	case kU64:
		return reflect.TypeOf(uint64(0))
	case kF64:
		return reflect.TypeOf(float64(0))
	case kStr:
		return reflect.TypeOf("")
	}
	return reflect.ArrayOf(k.n, reflect.TypeOf(uint8(0)))
}

// size is the byte size of the Go type.
func (k kind) size() int {
	switch k.tag {
	case kU8:
		return 1
	case kU32:
		return 4
	case kU64, kF64:
		return 8
	case kStr:
		return int(unsafe.Sizeof(""))
	}
	return k.n
}

func (k kind) isInteger() bool { return k.tag == kU8 || k.tag == kU32 || k.tag == kU64 }

// value is one parsed literal, held in the memory layout of its Go type so
// that the runtime can read it through a pointer.
type value struct {
	mem []byte  // little-endian bytes of a non-string value
	str *string // the string of a str value
}

// ptr points at the value in its Go representation.
func (v value) ptr() unsafe.Pointer {
	if v.str != nil {
		return unsafe.Pointer(v.str)
	}
	return unsafe.Pointer(&v.mem[0])
}

func (v value) u32() uint32 { return binary.LittleEndian.Uint32(v.mem) }
func (v value) u64() uint64 { return binary.LittleEndian.Uint64(v.mem) }

// parseValue reads a literal of kind k.
func parseValue(k kind, s string) (value, error) {
	switch k.tag {
	case kU8, kU32, kU64:
		n, err := parseUint(s, uint(8*k.size()))
		if err != nil {
			return value{}, err
		}
		mem := make([]byte, 8)
		binary.LittleEndian.PutUint64(mem, n)
		return value{mem: mem[:k.size()]}, nil
	case kF64:
		f, err := parseF64(s)
		if err != nil {
			return value{}, err
		}
		mem := make([]byte, 8)
		binary.LittleEndian.PutUint64(mem, math.Float64bits(f))
		return value{mem: mem}, nil
	case kStr:
		str, err := parseStr(s)
		if err != nil {
			return value{}, err
		}
		return value{str: &str}, nil
	}
	mem, err := parseBytes(s, k.n)
	if err != nil {
		return value{}, err
	}
	return value{mem: mem}, nil
}

// parseUint reads an unsigned decimal or 0x-hex number of the given width
// (leading zeros are decimal, not octal).
func parseUint(s string, bits uint) (uint64, error) {
	digits, base := s, 10
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		digits, base = s[2:], 16
	}
	// strconv would also accept a sign, underscores or another prefix.
	for _, c := range digits {
		if !(c >= '0' && c <= '9' || base == 16 && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
			return 0, fmt.Errorf("bad u%d literal %q", bits, s)
		}
	}
	n, err := strconv.ParseUint(digits, base, int(bits))
	if err != nil {
		return 0, fmt.Errorf("bad u%d literal %q", bits, s)
	}
	return n, nil
}

// parseInt64 reads a signed decimal or 0x-hex int64, as the header's hint.
func parseInt64(s string) (int64, error) {
	body := strings.TrimPrefix(s, "-")
	n, err := parseUint(body, 64)
	if err != nil || body == "" {
		return 0, fmt.Errorf("bad int64 %q", s)
	}
	if body != s {
		if n > 1<<63 {
			return 0, fmt.Errorf("int64 %q out of range", s)
		}
		return -int64(n), nil
	}
	if n >= 1<<63 {
		return 0, fmt.Errorf("int64 %q out of range", s)
	}
	return int64(n), nil
}

// The forms C's strtod accepts as a whole token (besides inf and nan).
var (
	decimalFloat = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	hexFloat     = regexp.MustCompile(`^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?[0-9]+)?$`)
	nanOrInf     = regexp.MustCompile(`^[+-]?([nN][aA][nN](\([0-9A-Za-z_]*\))?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$`)
)

// parseF64 accepts what C's strtod accepts for a whole token: decimal and
// hexadecimal floats, inf/infinity and nan (any case, optional sign).
// Out-of-range values become infinities or zero, as strtod returns them.
func parseF64(s string) (float64, error) {
	neg := strings.HasPrefix(s, "-")
	switch {
	case nanOrInf.MatchString(s):
		if body := strings.TrimLeft(s, "+-"); body[0] == 'n' || body[0] == 'N' {
			return math.NaN(), nil
		}
		if neg {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	case hexFloat.MatchString(s):
		// strtod takes a hex float without a binary exponent; strconv
		// needs one.
		if !strings.ContainsAny(s, "pP") {
			s += "p0"
		}
	case !decimalFloat.MatchString(s):
		return 0, fmt.Errorf("bad f64 literal %q", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, nil
		}
		return 0, fmt.Errorf("bad f64 literal %q", s)
	}
	return f, nil
}

// parseStr reads a double-quoted string literal.
func parseStr(s string) (string, error) {
	bad := fmt.Errorf("bad str literal %s", s)
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", bad
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s)-1 {
				return "", bad
			}
			i++
			switch s[i] {
			case '\\', '"':
				b.WriteByte(s[i])
			case 'x':
				if i+2 >= len(s) {
					return "", bad
				}
				n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
				if err != nil {
					return "", bad
				}
				b.WriteByte(byte(n))
				i += 2
			default:
				return "", bad
			}
		case c == '"' || c < 0x20 || c > 0x7e:
			return "", bad
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// parseBytes reads `x` and up to 2n hex digits, zero-padded on the right.
func parseBytes(s string, n int) ([]byte, error) {
	bad := fmt.Errorf("bad bytes%d literal %q", n, s)
	if len(s) < 1 || s[0] != 'x' || len(s)-1 > 2*n {
		return nil, bad
	}
	mem := make([]byte, n)
	for i, c := range s[1:] {
		d, ok := hexDigit(byte(c))
		if !ok {
			return nil, bad
		}
		mem[i/2] |= d << (4 * (1 - i%2))
	}
	return mem, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// format prints the value of kind k stored at p in canonical form.
func format(k kind, p unsafe.Pointer) string { return string(appendValue(nil, k, p)) }

// appendValue appends the canonical form of the value of kind k at p.
func appendValue(b []byte, k kind, p unsafe.Pointer) []byte {
	switch k.tag {
	case kU8:
		return strconv.AppendUint(b, uint64(*(*uint8)(p)), 10)
	case kU32:
		return strconv.AppendUint(b, uint64(*(*uint32)(p)), 10)
	case kU64:
		return strconv.AppendUint(b, *(*uint64)(p), 10)
	case kF64:
		return append(b, formatF64(*(*float64)(p))...)
	case kStr:
		// mapdelete_faststr clears a deleted key's data pointer but keeps
		// its length; an iterator still positioned on that slot would
		// otherwise read through nil. Such a key prints as "".
		if *(*unsafe.Pointer)(p) == nil {
			return append(b, `""`...)
		}
		return appendStr(b, *(*string)(p))
	}
	return appendBytes(b, unsafe.Slice((*byte)(p), k.n))
}

func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == '"':
			b = append(b, '\\', c)
		case c >= 0x20 && c <= 0x7e:
			b = append(b, c)
		default:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return append(b, '"')
}

func appendBytes(b []byte, mem []byte) []byte {
	end := len(mem)
	for end > 1 && mem[end-1] == 0 {
		end--
	}
	b = append(b, 'x')
	for _, c := range mem[:end] {
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

const hexDigits = "0123456789abcdef"
