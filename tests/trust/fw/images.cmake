# On-core trust programs (tests/trust/test_oncore.cpp and bench/trust run them on the Verilated
# core block). Included by firmware/image/CMakeLists.txt: built with the firmware toolchain and
# runtime against the same firmware/crypto sources as the host tests.
shoal_fw_image(trust_verify ${CMAKE_CURRENT_LIST_DIR}/trust_verify.cpp)
target_link_libraries(trust_verify PRIVATE shoal_crypto)
target_include_directories(trust_verify PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_compile_options(trust_verify PRIVATE -Werror)
# the 3.5 KiB probe region below main (the default image stack is 2 KiB)
target_link_options(trust_verify PRIVATE -Wl,--defsym=__stack_size=6144)

# Applications for the boot-stage prototype (test_boot_proto.cpp); the host build signs them
# with the test key (tests/trust/CMakeLists.txt).
foreach(v 1 2)
  shoal_fw_image(boot_app_v${v} ${CMAKE_CURRENT_LIST_DIR}/boot_app.cpp)
  target_include_directories(boot_app_v${v} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../../../firmware/boot/include)
  target_compile_definitions(boot_app_v${v} PRIVATE APP_VERSION=${v} SHOAL_BOOT_PROTOTYPE=1)
  target_compile_options(boot_app_v${v} PRIVATE -Werror)
endforeach()
