# Go 1.19, the one toolchain whose runtime map the port follows: gocheck/
# replays traces on it (the cross-check tests) and, built as a C archive,
# puts it in the fuzz loop (GOMAP_GO_IN_LOOP, oracle/go_oracle.h).
#
# Sets, for every directory:
#   GO_EXECUTABLE     (cache) the go command; -DGO_EXECUTABLE=PATH picks
#                     another, a path that does not exist picks none
#   GOMAP_GO_FOUND    TRUE when it is Go 1.19
#   GOMAP_GO_MISSING  why not, when it is not: the reason the tests that
#                     need Go print when CTest reports them as skipped
#   GOMAP_GO_SKIP     the exit status of such a skipped test (SKIP_RETURN_CODE)
#   gomap_go_env(VAR CGO)  sets VAR to the `cmake -E env ...` prefix of an
#                     offline go command with its caches in the build tree
find_program(GO_EXECUTABLE go)
set(GOMAP_GO_FOUND FALSE)
set(GOMAP_GO_SKIP 77)
if(NOT GO_EXECUTABLE OR NOT EXISTS "${GO_EXECUTABLE}")
  set(GOMAP_GO_MISSING "no Go toolchain: install Go 1.19 (Debian 12: apt-get install golang-go), or pass -DGO_EXECUTABLE=/path/to/go1.19/bin/go")
else()
  execute_process(COMMAND ${GO_EXECUTABLE} version OUTPUT_VARIABLE go_version
    OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE go_rc ERROR_QUIET)
  if(go_rc EQUAL 0 AND go_version MATCHES "go1\\.19([^0-9]|$)")
    set(GOMAP_GO_FOUND TRUE)
    set(GOMAP_GO_MISSING "")
  else()
    set(GOMAP_GO_MISSING "${GO_EXECUTABLE} is not Go 1.19 ('${go_version}'); the runtime layouts gocheck mirrors are Go 1.19's")
  endif()
endif()
if(GOMAP_GO_FOUND)
  message(STATUS "Go: ${go_version} (${GO_EXECUTABLE})")
else()
  message(WARNING "Go 1.19 not found: ${GOMAP_GO_MISSING}. The tests that "
    "compare the port with Go's runtime map are reported as skipped.")
endif()

# gocheck's C archive needs the pthread library next to it.
find_package(Threads REQUIRED)

function(gomap_go_env var cgo)
  set(cc "")
  if(cgo)
    # cgo's own C files are compiled with plain clang (or cc), never with
    # a fuzzing compiler wrapper or the project's sanitizer flags.
    find_program(GOMAP_CGO_CC NAMES clang cc)
    set(cc CC=${GOMAP_CGO_CC})
    set(cgo 1)
  else()
    set(cgo 0)
  endif()
  set(${var} ${CMAKE_COMMAND} -E env
    GOCACHE=${CMAKE_BINARY_DIR}/gocheck/go-cache
    GOPATH=${CMAKE_BINARY_DIR}/gocheck/go-path
    GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on CGO_ENABLED=${cgo} ${cc}
    PARENT_SCOPE)
endfunction()

# gomap_add_go_test(NAME COMMAND cmd... [LABELS l...] [TIMEOUT s])
# A test that needs Go 1.19.  Without it the test is still registered, and
# CTest reports it as skipped: it prints GOMAP_GO_MISSING and exits
# GOMAP_GO_SKIP.  Never absent, so a machine without Go cannot pass the
# cross-check by not running it.
function(gomap_add_go_test name)
  cmake_parse_arguments(PARSE_ARGV 1 a "" "TIMEOUT" "COMMAND;LABELS")
  if(GOMAP_GO_FOUND)
    add_test(NAME ${name} COMMAND ${a_COMMAND})
  else()
    add_test(NAME ${name}
      COMMAND sh -c "echo \"skipped: $0\"; exit $1" "${GOMAP_GO_MISSING}" ${GOMAP_GO_SKIP})
    set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE ${GOMAP_GO_SKIP})
  endif()
  if(NOT a_TIMEOUT)
    set(a_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${a_LABELS}" TIMEOUT ${a_TIMEOUT})
endfunction()
