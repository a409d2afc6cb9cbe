# bench-policy's on-core program (bench/policy/oncore.cpp runs it on the Verilated core complex).
# Included by firmware/image/CMakeLists.txt. Linked for the core complex model's 64 KiB + 64 KiB:
# the predictor for 16 partitions x 3 types alone does not fit today's 16 KiB card build.
shoal_fw_image_sized(policy_bench 65536 65536 ${CMAKE_CURRENT_LIST_DIR}/policy_bench.cpp)
target_link_libraries(policy_bench PRIVATE shoal_policy)
target_compile_options(policy_bench PRIVATE -Werror)
