// Empty: lets main.go declare the body-less roundupsize (go:linkname).
