# The policy library (firmware/policy) as the firmware gets it: compile every source for RV32 as
# freestanding C++17 (-Werror) at -O0, -Os and -O2, link them into one relocatable object and
# fail on any undefined symbol other than memcpy/memset (no libgcc helpers such as 64-bit
# division or shifts, no soft-float calls, no libstdc++), and on any `float` or `double` in the
# sources or headers (no floating point in code that runs on the card).
# cmake -DCXX=... -DLD=... -DNM=... -DINC=... -DOUT=... -DSOURCES="a.cpp;b.cpp" -P this
file(MAKE_DIRECTORY ${OUT})
file(GLOB_RECURSE headers ${INC}/*.hpp)
foreach(f IN LISTS SOURCES headers)
  file(READ ${f} text)
  # strip // comments, then look for the tokens
  string(REGEX REPLACE "//[^\n]*" "" code "${text}")
  if(code MATCHES "(^|[^A-Za-z0-9_])(float|double)([^A-Za-z0-9_]|$)")
    message(FATAL_ERROR "floating point in policy code: ${f}")
  endif()
endforeach()
foreach(opt -O0 -Os -O2)
  set(objs)
  foreach(src IN LISTS SOURCES)
    get_filename_component(stem ${src} NAME_WE)
    set(obj ${OUT}/${stem}${opt}.o)
    execute_process(
      COMMAND ${CXX} -march=rv32im -misa-spec=2.2 -mabi=ilp32 -std=c++17 -ffreestanding
              -fno-exceptions -fno-rtti -nostdlib -Wall -Wextra -Werror ${opt} -I${INC}
              -c ${src} -o ${obj}
      RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "freestanding RV32 compile failed (${opt}): ${src}")
    endif()
    list(APPEND objs ${obj})
  endforeach()
  set(all ${OUT}/policy_all${opt}.o)
  execute_process(COMMAND ${LD} -m elf32lriscv -r -o ${all} ${objs} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "relocatable link failed (${opt})")
  endif()
  execute_process(COMMAND ${NM} -u ${all} OUTPUT_VARIABLE undef RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm failed (${opt})")
  endif()
  string(REGEX MATCHALL "U [^\n]+" syms "${undef}")
  set(bad)
  foreach(s IN LISTS syms)
    string(REGEX REPLACE "^U " "" name "${s}")
    if(NOT name MATCHES "^(memcpy|memset)$")
      list(APPEND bad ${name})
    endif()
  endforeach()
  if(bad)
    message(FATAL_ERROR "undefined symbols in the freestanding policy library (${opt}): ${bad}")
  endif()
  message(STATUS "freestanding RV32 policy library ${opt}: ok (undefined: ${syms})")
endforeach()
