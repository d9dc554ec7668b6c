package main

// How many buckets a Go 1.19 bucket array really holds.
//
// makeBucketArray (runtime/map.go) gives an array of 2^B buckets with
// B >= 4 another 2^(B-4) buckets for future overflow, and then rounds the
// byte size up to what malloc would hand out anyway (msize.go:roundupsize),
// keeping every whole bucket that fits as a spare. The dump needs that
// count for the `spare ... prealloc=P` line and to tell whether an
// overflow bucket is a spare of its array (`@preJ`) or came from the heap.

// mallocSizeClasses are the object sizes of malloc's small size classes
// (runtime/sizeclasses.go, class_to_size without class 0).
var mallocSizeClasses = [...]uintptr{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768,
	896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200,
	3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
	10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576,
	27264, 28672, 32768,
}

const (
	maxSmallSize = 32768 // larger objects get whole pages
	pageSize     = 8192
)

// roundupsize is the size malloc actually allocates for a request.
func roundupsize(size uintptr) uintptr {
	if size < maxSmallSize {
		for _, c := range mallocSizeClasses {
			if c >= size {
				return c
			}
		}
	}
	if size+pageSize < size { // would overflow; malloc fails later anyway
		return size
	}
	return (size + pageSize - 1) &^ (pageSize - 1)
}

// bucketArrayLen is the number of buckets makeBucketArray allocates for an
// array of 2^b main buckets of bucketSize bytes each.
func bucketArrayLen(b uint8, bucketSize uintptr) uintptr {
	n := uintptr(1) << b
	if b >= 4 {
		n += uintptr(1) << (b - 4)
		if up := roundupsize(n * bucketSize); up != n*bucketSize {
			n = up / bucketSize
		}
	}
	return n
}
