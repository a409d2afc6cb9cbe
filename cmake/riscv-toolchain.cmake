# CMake toolchain file for Shoal firmware: bare-metal RV32IM (machine mode) with
# riscv64-unknown-elf-gcc 12 and picolibc. Used by the firmware sub-build (firmware/image);
# the host build stays native.
#
#   cmake -S firmware/image -B build-fw -DCMAKE_TOOLCHAIN_FILE=cmake/riscv-toolchain.cmake
#
# -misa-spec=2.2 keeps gcc on the rv32im/ilp32 multilib (rv32im_zicsr would pick the wrong one);
# the assembler still accepts the Zicsr instructions with it.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)

set(SHOAL_RV_PREFIX riscv64-unknown-elf- CACHE STRING "cross toolchain prefix")
find_program(CMAKE_C_COMPILER ${SHOAL_RV_PREFIX}gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER ${SHOAL_RV_PREFIX}g++ REQUIRED)
find_program(CMAKE_ASM_COMPILER ${SHOAL_RV_PREFIX}gcc REQUIRED)
find_program(CMAKE_OBJCOPY ${SHOAL_RV_PREFIX}objcopy REQUIRED)
find_program(CMAKE_OBJDUMP ${SHOAL_RV_PREFIX}objdump)
find_program(CMAKE_SIZE ${SHOAL_RV_PREFIX}size)

set(SHOAL_RV_ARCH "-march=rv32im -misa-spec=2.2 -mabi=ilp32")
set(CMAKE_C_FLAGS_INIT "${SHOAL_RV_ARCH} --specs=picolibc.specs -ffreestanding -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${SHOAL_RV_ARCH} --specs=picolibc.specs -ffreestanding -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "${SHOAL_RV_ARCH}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -Wl,--gc-sections")  # arch + specs come with the compile flags

# no host programs can run: test compilers with a static library
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
