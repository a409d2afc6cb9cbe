# Helpers for building small RV32 programs (test and benchmark programs) from the host build
# with the bare-metal cross compiler, without a toolchain file: each program is one custom
# command. The firmware itself is a separate sub-build (firmware/CMakeLists.txt).
#
#   shoal_rv_elf(OUT <elf> SOURCES <.S/.c/.cpp...> LDSCRIPT <ld> [INCLUDES dirs] [FLAGS ...]
#                [DEPENDS files])
include_guard(GLOBAL)
find_program(SHOAL_RV_GCC riscv64-unknown-elf-gcc)
find_program(SHOAL_RV_OBJCOPY riscv64-unknown-elf-objcopy)
set(SHOAL_RV_ARCH_FLAGS -march=rv32im -misa-spec=2.2 -mabi=ilp32 CACHE INTERNAL "RV32 arch flags")

function(shoal_rv_elf)
  cmake_parse_arguments(R "" "OUT;LDSCRIPT" "SOURCES;INCLUDES;FLAGS;DEPENDS" ${ARGN})
  set(incs)
  foreach(d IN LISTS R_INCLUDES)
    list(APPEND incs -I${d})
  endforeach()
  get_filename_component(outdir ${R_OUT} DIRECTORY)
  add_custom_command(
    OUTPUT ${R_OUT}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
    COMMAND ${SHOAL_RV_GCC} ${SHOAL_RV_ARCH_FLAGS} -nostdlib -nostartfiles -static
            -T ${R_LDSCRIPT} ${incs} ${R_FLAGS} ${R_SOURCES} -o ${R_OUT}
    DEPENDS ${R_SOURCES} ${R_LDSCRIPT} ${R_DEPENDS}
    COMMENT "RV32 ${R_OUT}"
    VERBATIM)
endfunction()
