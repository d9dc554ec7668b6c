// This file is intentionally empty. Its presence tells the Go toolchain
// that the package may contain functions declared without a body; those
// declarations are bound to runtime functions with //go:linkname (see
// runtime.go), so they need no assembly of their own.
