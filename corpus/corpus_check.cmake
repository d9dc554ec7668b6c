# Checks on the corpus tree, run as CTest tests (cmake -DMODE=... -P).
#
#   MODE=layout DIR=regressions TARGETS="ops;iter;..."
#       Every file in DIR is NAME.trace with its NAME.expected (replayed by
#       regression__NAME) or sits in DIR/TARGET/ for a fuzz target
#       (replayed by regression__TARGET_inputs).  Anything else would be a
#       finding no test runs.  DIR/candidates/ is skipped: ci/triage.sh's
#       unreviewed findings (gitignored) wait there for a person to add
#       one, with its .expected, to DIR.
#   MODE=same GOT=FILE WANT=FILE FIX="command"
#       The two files are identical; otherwise say how to regenerate WANT.
#   MODE=fit DIR=dir OPTIONS=file.options
#       No file in DIR is longer than the options file's max_len: libFuzzer
#       cuts longer inputs, so a seed's tail would never run.
cmake_minimum_required(VERSION 3.20)

if(MODE STREQUAL "layout")
  file(GLOB entries LIST_DIRECTORIES true RELATIVE ${DIR} ${DIR}/*)
  set(bad)
  list(REMOVE_ITEM entries candidates)
  foreach(e ${entries})
    if(IS_DIRECTORY ${DIR}/${e})
      if(NOT e IN_LIST TARGETS)
        list(JOIN TARGETS " " names)
        list(APPEND bad "${e}/: not a fuzz target (${names})")
      endif()
    elseif(e MATCHES "^(.*)\\.trace$")
      if(NOT EXISTS ${DIR}/${CMAKE_MATCH_1}.expected)
        list(APPEND bad "${e}: no ${CMAKE_MATCH_1}.expected")
      endif()
    elseif(e MATCHES "^(.*)\\.expected$")
      if(NOT EXISTS ${DIR}/${CMAKE_MATCH_1}.trace)
        list(APPEND bad "${e}: no ${CMAKE_MATCH_1}.trace")
      endif()
    else()
      list(APPEND bad "${e}: neither NAME.trace, NAME.expected nor TARGET/")
    endif()
  endforeach()
  if(bad)
    list(JOIN bad "\n  " text)
    message(FATAL_ERROR "files in ${DIR} that no test replays:\n  ${text}\n"
      "(corpus/README.md, \"Adding a regression\")")
  endif()
  list(LENGTH entries n)
  message(STATUS "${n} entries in ${DIR}, all replayed")

elseif(MODE STREQUAL "same")
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${GOT} ${WANT}
    RESULT_VARIABLE differ)
  if(differ)
    message(FATAL_ERROR "${WANT} is stale (or missing): it differs from the "
      "generated ${GOT}.\nRegenerate it from the source tree:\n  ${FIX}")
  endif()

elseif(MODE STREQUAL "fit")
  file(STRINGS ${OPTIONS} lines REGEX "^[ \t]*max_len[ \t]*=")
  if(NOT lines MATCHES "=[ \t]*([0-9]+)")
    message(FATAL_ERROR "${OPTIONS}: no max_len")
  endif()
  set(max ${CMAKE_MATCH_1})
  file(GLOB files LIST_DIRECTORIES false ${DIR}/*)
  if(NOT files)
    message(FATAL_ERROR "${DIR}: no seeds")
  endif()
  set(bad)
  foreach(f ${files})
    file(SIZE ${f} size)
    if(size GREATER max)
      get_filename_component(name ${f} NAME)
      list(APPEND bad "${name}: ${size} bytes")
    endif()
  endforeach()
  if(bad)
    list(JOIN bad "\n  " text)
    message(FATAL_ERROR "seeds longer than max_len=${max} (${OPTIONS}); "
      "shorten their traces:\n  ${text}")
  endif()
  list(LENGTH files n)
  message(STATUS "${n} seeds in ${DIR}, all within max_len=${max}")

else()
  message(FATAL_ERROR "corpus_check.cmake: MODE=layout|same|fit")
endif()
