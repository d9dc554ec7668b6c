# Project-wide compile settings, applied to targets through one interface
# library so that every directory uses target_link_libraries(x PRIVATE gomap_flags).
add_library(gomap_flags INTERFACE)
target_compile_definitions(gomap_flags INTERFACE _POSIX_C_SOURCE=200809L)
target_compile_options(gomap_flags INTERFACE -Wall -Wextra -Wshadow -Wstrict-prototypes
  -Wno-unused-parameter -fno-strict-aliasing)
if(GOMAP_SANITIZE)
  target_compile_options(gomap_flags INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(gomap_flags INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=all)
endif()
if(GOMAP_COVERAGE)
  target_compile_options(gomap_flags INTERFACE -fprofile-instr-generate -fcoverage-mapping)
  target_link_options(gomap_flags INTERFACE -fprofile-instr-generate -fcoverage-mapping)
endif()
