# bench-trust firmware (bench/trust/bench_trust.cpp runs it on the core-complex harness).
# Included by firmware/image/CMakeLists.txt. trust_bench times each layer of the verifier
# (it reaches into ed25519_internal.h); the trust_verify program of tests/trust/fw is built
# again here for the harness, with the verifier at -Os (as on the card) and at -O2.
foreach(v os o2)
  set(lib shoal_crypto)
  if(v STREQUAL "o2")
    set(lib shoal_crypto_o2)
  endif()
  shoal_fw_sim_program(trust_bench_${v} ${CMAKE_CURRENT_LIST_DIR}/trust_bench.cpp)
  target_link_libraries(trust_bench_${v} PRIVATE ${lib})
  target_include_directories(trust_bench_${v} PRIVATE ${SHOAL_CRYPTO_INTERNAL_DIR})
  target_compile_options(trust_bench_${v} PRIVATE -Werror)
  target_link_options(trust_bench_${v} PRIVATE -Wl,--defsym=__stack_size=6144)
  shoal_fw_sim_program(trust_verify_sim_${v} ${CMAKE_CURRENT_LIST_DIR}/../../../tests/trust/fw/trust_verify.cpp)
  target_link_libraries(trust_verify_sim_${v} PRIVATE ${lib})
  target_include_directories(trust_verify_sim_${v} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../../../tests/trust/fw)
  target_compile_options(trust_verify_sim_${v} PRIVATE -Werror)
  target_link_options(trust_verify_sim_${v} PRIVATE -Wl,--defsym=__stack_size=6144)
endforeach()
