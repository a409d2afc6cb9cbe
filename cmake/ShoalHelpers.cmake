# Shared build helpers for Shoal. One mechanism for each kind of thing the project builds:
#   shoal_write_if_changed(file content)   configure-time generated files (never file(WRITE))
#   shoal_warnings(target)                 the house warning set (-Werror with SHOAL_WERROR)
#   shoal_catch_test(NAME ... SOURCES ... [LIBS ...] [LABELS ...] [ARGS ...] [TIMEOUT s])
#   shoal_hls_kernel(NAME ... SOURCES ...) HLS kernel library + its subset-check test
#   shoal_rtl_lint_test(NAME ... TOP ... SOURCES ... [LABELS ...])
#   shoal_rtl_synth_test(NAME ... TOP ... SOURCES ... [LABELS ...] [PARAMS k=v ...]
#                        [BLACKBOX files...])  (BLACKBOX: read as interfaces only)
# Test executables land in ${CMAKE_BINARY_DIR}/tests; programs in ${CMAKE_BINARY_DIR}/bin.

set(SHOAL_TEST_BIN_DIR ${CMAKE_BINARY_DIR}/tests)

include(ShoalWriteIfChanged)

function(shoal_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(SHOAL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# One Catch2 main, compiled once for every test executable.
if(SHOAL_BUILD_TESTS AND NOT TARGET shoal_catch_main)
  shoal_write_if_changed(${CMAKE_BINARY_DIR}/gen/catch_main.cpp
                         "#define CATCH_CONFIG_MAIN\n#include <catch2/catch.hpp>\n")
  add_library(shoal_catch_main STATIC ${CMAKE_BINARY_DIR}/gen/catch_main.cpp)
  target_link_libraries(shoal_catch_main PUBLIC Catch2::Catch2)
endif()

function(shoal_catch_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ARGS;DEPENDS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${SHOAL_TEST_BIN_DIR})
  target_link_libraries(${T_NAME} PRIVATE shoal_catch_main ${T_LIBS})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests/common)
  shoal_warnings(${T_NAME})
  if(T_DEPENDS)
    add_dependencies(${T_NAME} ${T_DEPENDS})
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# An HLS kernel: a normal static library (linked by C-simulation tests, testbenches and
# benchmarks) plus a second compile in the checked subset, and a CTest that runs
# scripts/hls_check.py over it (no heap, no recursion, static stacks, approved headers only).
function(shoal_hls_kernel)
  cmake_parse_arguments(K "" "NAME" "SOURCES;LABELS" ${ARGN})
  add_library(hls_${K_NAME} STATIC ${K_SOURCES})
  target_include_directories(hls_${K_NAME} PUBLIC ${CMAKE_SOURCE_DIR}/hls
                                                  ${CMAKE_SOURCE_DIR}/hls/common)
  target_link_libraries(hls_${K_NAME} PUBLIC shoal_regs)
  shoal_warnings(hls_${K_NAME})
  # `#pragma HLS` is for HLS tools; g++ ignores it. PUBLIC: kernel headers carry pragmas too.
  target_compile_options(hls_${K_NAME} PUBLIC -Wno-unknown-pragmas)

  add_library(hls_${K_NAME}_subset OBJECT ${K_SOURCES})
  target_include_directories(hls_${K_NAME}_subset PRIVATE ${CMAKE_SOURCE_DIR}/hls
                                                          ${CMAKE_SOURCE_DIR}/hls/common)
  target_link_libraries(hls_${K_NAME}_subset PRIVATE shoal_regs)
  target_compile_options(hls_${K_NAME}_subset PRIVATE
      -O0 -fno-exceptions -fno-rtti -fcallgraph-info=su,da -D__SYNTHESIS__ -Wno-unknown-pragmas)
  # A target that builds the objects for the check even though nothing links them.
  add_custom_target(hls_${K_NAME}_subset_objs ALL DEPENDS hls_${K_NAME}_subset)

  if(SHOAL_BUILD_TESTS)
    set(srcs)
    foreach(s IN LISTS K_SOURCES)
      get_filename_component(abs ${s} ABSOLUTE)
      list(APPEND srcs ${abs})
    endforeach()
    add_test(NAME hls-subset-${K_NAME}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/hls_check.py
                     --name ${K_NAME} --sources ${srcs}
                     --objects $<TARGET_OBJECTS:hls_${K_NAME}_subset>
                     --include-dir ${CMAKE_SOURCE_DIR}/hls
                     --include-dir ${CMAKE_SOURCE_DIR}/hls/common
                     --include-dir ${SHOAL_GEN_DIR}/include
                     --allowed-root ${CMAKE_SOURCE_DIR}/hls
                     --allowed-root ${SHOAL_GEN_DIR}/include)
    set_tests_properties(hls-subset-${K_NAME} PROPERTIES LABELS "${K_LABELS};hls")
  endif()
endfunction()

# verilator --lint-only -Wall over a top and its sources (the generated register package is
# always included first).
function(shoal_rtl_lint_test)
  cmake_parse_arguments(L "" "NAME;TOP" "SOURCES;LABELS;ARGS" ${ARGN})
  if(NOT SHOAL_BUILD_TESTS)
    return()
  endif()
  add_test(NAME ${L_NAME}
           COMMAND ${VERILATOR_BIN} --lint-only -Wall --top-module ${L_TOP}
                   ${L_ARGS} ${SHOAL_REGS_PKG_SV} ${L_SOURCES})
  set_tests_properties(${L_NAME} PROPERTIES LABELS "${L_LABELS};lint")
endfunction()

# Yosys: read_verilog -sv, synth_ice40, check -assert, and fail on any latch.
# Writes the synthesis statistics to ${CMAKE_BINARY_DIR}/synth/<NAME>.stat for benchmarks.
function(shoal_rtl_synth_test)
  cmake_parse_arguments(S "" "NAME;TOP" "SOURCES;LABELS;PARAMS;DEFINES;BLACKBOX" ${ARGN})
  if(NOT SHOAL_BUILD_TESTS OR NOT SHOAL_YOSYS)
    return()
  endif()
  add_test(NAME ${S_NAME}
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/synth_check.py
                   --yosys ${SHOAL_YOSYS} --top ${S_TOP}
                   --out ${CMAKE_BINARY_DIR}/synth/${S_NAME}
                   --params ${S_PARAMS} --defines ${S_DEFINES} --blackbox ${S_BLACKBOX} --
                   ${SHOAL_REGS_PKG_SV} ${S_SOURCES})
  set_tests_properties(${S_NAME} PROPERTIES LABELS "${S_LABELS};synth" TIMEOUT 900)
endfunction()
