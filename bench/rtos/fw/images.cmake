# bench-rtos firmware (bench/rtos/bench_rtos.cpp runs it). Included by firmware/image/CMakeLists.txt.
shoal_fw_image(rtos_bench ${CMAKE_CURRENT_LIST_DIR}/rtos_bench.cpp)
target_link_libraries(rtos_bench PRIVATE shoal_rtos)
target_compile_options(rtos_bench PRIVATE -Werror)
