# alloc_verilated(<lib> <top> <K> <T>): a static library holding a Verilated ALLOC top
# (alloc_engine or alloc_regs) at K/T, built with the fast model flags. Used by tests/alloc and
# bench/alloc (the harness header lives in tests/alloc).
function(alloc_verilated name top k t)
  if(TARGET ${name})
    return()
  endif()
  add_library(${name} STATIC ${CMAKE_SOURCE_DIR}/tests/alloc/alloc_rtl_harness.hpp)
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX)
  set(srcs ${SHOAL_REGS_PKG_SV} ${CMAKE_SOURCE_DIR}/rtl/alloc/alloc_engine.sv)
  if(top STREQUAL "alloc_regs")
    list(APPEND srcs ${CMAKE_SOURCE_DIR}/rtl/alloc/alloc_regs.sv)
  endif()
  verilate(${name} SOURCES ${srcs}
           TOP_MODULE ${top} PREFIX V${name}
           DIRECTORY ${CMAKE_BINARY_DIR}/verilated/${name}
           VERILATOR_ARGS -GK=${k} -GT=${t} -O3 --x-assign fast --x-initial fast --noassert)
  add_dependencies(${name} shoal_regs_gen)
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/tests/alloc)
  # Verilator's own headers as system headers for the users: their warnings are not ours
  target_include_directories(${name} SYSTEM INTERFACE ${VERILATOR_ROOT}/include
                                                      ${VERILATOR_ROOT}/include/vltstd)
  target_link_libraries(${name} PUBLIC hls_alloc)
endfunction()
