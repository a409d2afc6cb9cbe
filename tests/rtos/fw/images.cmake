# RTOS on-core test programs (tests/rtos/test_oncore.cpp runs them on the Verilated core block).
# Included by firmware/image/CMakeLists.txt, so they build with the firmware toolchain, runtime
# and the shoal_rtos library; outputs land next to shoal_fw.elf.
set(SHOAL_RTOS_TEST_FW_DIR ${CMAKE_CURRENT_LIST_DIR})
foreach(t rtos_sched rtos_sync rtos_misuse rtos_stack rtos_wdog rtos_tickless)
  shoal_fw_image(${t} ${SHOAL_RTOS_TEST_FW_DIR}/${t}.cpp)
  target_link_libraries(${t} PRIVATE shoal_rtos)
  target_compile_options(${t} PRIVATE -Werror)
endforeach()
