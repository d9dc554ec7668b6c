#!/bin/sh
# Regenerates tests/data/hash_vectors.txt and tests/data/layout_vectors.txt
# from Go 1.19's runtime.  Needs only the go toolchain (stdlib, no network).
# The program re-executes itself with GODEBUG=cpu.aes=off.
# Usage: tests/go/hashvec/regen.sh   (no arguments)
set -eu
. "$(dirname "$0")/../../../ci/lib/help.sh"
help_if_asked "$0" "$@"
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../../data
cd "$here"
case $(go env GOVERSION) in
go1.19*) ;;
*) echo "regen.sh: need Go 1.19, have $(go env GOVERSION)" >&2; exit 1 ;;
esac
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
GOFLAGS=-mod=mod GOPROXY=off go build -o "$bin/hashvec" .
"$bin/hashvec" hash >"$data/hash_vectors.txt"
"$bin/hashvec" layout >"$data/layout_vectors.txt"
grep -vc '^#' "$data/hash_vectors.txt" "$data/layout_vectors.txt"
