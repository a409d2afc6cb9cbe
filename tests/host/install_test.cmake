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

# 2) pkg-config shoal
set(ENV{PKG_CONFIG_PATH} ${pcdir})
step(${PKG_CONFIG} --cflags --libs shoal)
string(STRIP "${step_out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
step(${C_COMPILER} ${CONSUMER_DIR}/consumer.c ${flags} -Wl,-rpath,${libdir} -o ${WORK_DIR}/pc-consumer)
step(${WORK_DIR}/pc-consumer)
message(STATUS "pkg-config consumer: ${step_out}")
file(REMOVE_RECURSE ${WORK_DIR})
