module gomap/tests/go/hashvec

go 1.19
