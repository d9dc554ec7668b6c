package main

import "testing"

// Our size-class table must agree with the runtime's own rounding.
func TestRoundupsizeMatchesRuntime(t *testing.T) {
	for size := uintptr(1); size <= 200000; size++ {
		if got, want := roundupsize(size), runtimeRoundupsize(size); got != want {
			t.Fatalf("roundupsize(%d) = %d, runtime says %d", size, got, want)
		}
	}
}

func TestBucketArrayLen(t *testing.T) {
	for _, c := range []struct {
		b          uint8
		bucketSize uintptr
		want       uintptr
	}{
		{0, 144, 1}, {3, 144, 8}, {4, 144, 18}, {4, 208, 19}, {5, 144, 37}, {10, 144, 1137}, // 1088*144 bytes rounded up to 20 pages,
	} {
		if got := bucketArrayLen(c.b, c.bucketSize); got != c.want {
			t.Errorf("bucketArrayLen(%d, %d) = %d, want %d", c.b, c.bucketSize, got, c.want)
		}
	}
}
