module gomap/gocheck

go 1.19
