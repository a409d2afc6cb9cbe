# Portable kernel sources, shared by the host unit tests, the freestanding RV32 check and
# (later) the firmware image. Include this file; it sets SHOAL_RTOS_SOURCES / _INCLUDE_DIR.
set(SHOAL_RTOS_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SHOAL_RTOS_INCLUDE_DIR ${SHOAL_RTOS_DIR}/include)
set(SHOAL_RTOS_SOURCES
    ${SHOAL_RTOS_DIR}/src/kernel.cpp
    ${SHOAL_RTOS_DIR}/src/sync.cpp
    ${SHOAL_RTOS_DIR}/src/stack.cpp)

# The RISC-V port (firmware builds only: it uses the firmware runtime's shoal/core.hpp and the
# generated shoal/regs.h). firmware/image/CMakeLists.txt builds kernel + port as `shoal_rtos`.
set(SHOAL_RTOS_PORT_RISCV_INCLUDE_DIR ${SHOAL_RTOS_DIR}/port/riscv/include)
set(SHOAL_RTOS_PORT_RISCV_SOURCES
    ${SHOAL_RTOS_DIR}/port/riscv/src/port.cpp
    ${SHOAL_RTOS_DIR}/port/riscv/src/port_asm.S)
