# Install test for libshoal (run with cmake -P):
#   cmake --install the shoal component into a temporary prefix, then build and run
#   1) a consumer using find_package(shoal) (C and C++), 2) a C consumer using pkg-config shoal.
# Variables: BUILD_DIR, WORK_DIR, CONSUMER_DIR, GENERATOR, C_COMPILER, CXX_COMPILER, PKG_CONFIG.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "step failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  set(step_out "${out}" PARENT_SCOPE)
endfunction()

step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component shoal)

foreach(f include/shoal/shoal.h include/shoal/shoal.hpp include/shoal/result.hpp include/shoal/regs.h
          include/shoal/regs.hpp)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB_RECURSE pcs ${prefix}/*/shoal.pc)
file(GLOB_RECURSE configs ${prefix}/*/shoalConfig.cmake)
file(GLOB_RECURSE libs ${prefix}/*/libshoal.so)
if(NOT pcs OR NOT configs OR NOT libs)
  message(FATAL_ERROR "missing shoal.pc (${pcs}), shoalConfig.cmake (${configs}) or libshoal.so (${libs})")
endif()
list(GET pcs 0 pc)
list(GET libs 0 lib)
get_filename_component(pcdir ${pc} DIRECTORY)
get_filename_component(libdir ${lib} DIRECTORY)

# 1) find_package(shoal)
step(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/cmake-build -G ${GENERATOR}
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
step(${CMAKE_COMMAND} --build ${WORK_DIR}/cmake-build)
step(${WORK_DIR}/cmake-build/consumer_c)
message(STATUS "find_package consumer (C): ${step_out}")
step(${WORK_DIR}/cmake-build/consumer_cpp)
message(STATUS "find_package consumer (C++): ${step_out}")

# 1b) the installed shoalctl runs as installed: it finds libshoal through its relative RPATH
#     (no LD_LIBRARY_PATH), so the prefix may move
file(GLOB_RECURSE ctls ${prefix}/*/shoalctl)
list(GET ctls 0 ctl)
set(moved ${WORK_DIR}/moved-prefix)
file(RENAME ${prefix} ${moved})
string(REPLACE "${prefix}" "${moved}" ctl "${ctl}")
set(ENV{LD_LIBRARY_PATH} "")
step(${ctl} --version)
if(NOT step_out MATCHES "libshoal")
  message(FATAL_ERROR "installed shoalctl --version printed: ${step_out}")
endif()
message(STATUS "installed shoalctl (prefix moved): ${step_out}")
file(RENAME ${moved} ${prefix})

# 2) pkg-config shoal
set(ENV{PKG_CONFIG_PATH} ${pcdir})
step(${PKG_CONFIG} --cflags --libs shoal)
string(STRIP "${step_out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
step(${C_COMPILER} ${CONSUMER_DIR}/consumer.c ${flags} -Wl,-rpath,${libdir} -o ${WORK_DIR}/pc-consumer)
step(${WORK_DIR}/pc-consumer)
message(STATUS "pkg-config consumer: ${step_out}")
# 3) the C++ API through pkg-config: C++17 works; C++14 fails, and says it needs C++17
step(${PKG_CONFIG} --variable=cxx_std shoal)
string(STRIP "${step_out}" cxx_std)
if(NOT cxx_std STREQUAL "c++17")
  message(FATAL_ERROR "shoal.pc does not state the C++ standard (cxx_std = '${cxx_std}')")
endif()
step(${CXX_COMPILER} -std=${cxx_std} ${CONSUMER_DIR}/consumer.cpp ${flags} -Wl,-rpath,${libdir} -o ${WORK_DIR}/pc-consumer-cpp)
step(${WORK_DIR}/pc-consumer-cpp)
execute_process(COMMAND ${CXX_COMPILER} -std=c++14 ${CONSUMER_DIR}/consumer.cpp ${flags} -o ${WORK_DIR}/pc14
                RESULT_VARIABLE rc14 OUTPUT_VARIABLE out14 ERROR_VARIABLE err14)
if(rc14 EQUAL 0)
  message(FATAL_ERROR "the C++ API compiled as C++14")
endif()
string(FIND "${err14}" "needs C++17 or newer" at)
if(at EQUAL -1)
  message(FATAL_ERROR "a C++14 build of the C++ API fails without saying it needs C++17:\n${err14}")
endif()
message(STATUS "C++14 consumer refused clearly")
file(REMOVE_RECURSE ${WORK_DIR})
