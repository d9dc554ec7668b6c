package main

// formatF64 prints a float64 as C's printf("%.17g") does, except for the
// trace format's spellings of NaN, the infinities and negative zero.
//
// C's %g with precision P=17 first converts to %e style with P-1 digits
// after the point; with X the resulting exponent it then uses %f with
// P-1-X decimals if -4 <= X < P, else the %e form, and in both cases
// removes trailing zeros and a trailing decimal point. Go's 'g' verb
// chooses between the two forms differently, so the rule is applied here
// by hand on top of strconv's correctly rounded 'e' and 'f' conversions
// (glibc's printf is correctly rounded too).

import (
	"math"
	"strconv"
	"strings"
)

const f64Precision = 17

func formatF64(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0 && math.Signbit(f):
		return "-0"
	}
	e := strconv.FormatFloat(f, 'e', f64Precision-1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	if x < -4 || x >= f64Precision {
		return trimFraction(mant) + "e" + exp
	}
	return trimFraction(strconv.FormatFloat(f, 'f', f64Precision-1-x, 64))
}

// trimFraction drops trailing zeros after a decimal point, and the point
// itself if nothing follows it.
func trimFraction(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
