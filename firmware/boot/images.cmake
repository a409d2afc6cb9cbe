# The boot stage program (firmware/boot/src/boot_rom.cpp), included by
# firmware/image/CMakeLists.txt:
#  - shoal_boot_proto.elf: the prototype that runs today from IRAM, the proposed hardware
#    modelled by tests/trust/boot_rig.hpp (trust-boot-proto);
#  - shoal_boot_rom.elf: the same program linked as the proposed ROM (code and constants at
#    0x0001_0000, data and stack in the 4 KiB boot scratch RAM at 0x8040_0000), for its size.
#    Nothing can run it until the RTL has the ROM (docs/firmware-signing.md).
include(${CMAKE_CURRENT_LIST_DIR}/sources.cmake)
shoal_fw_image(shoal_boot_proto ${CMAKE_CURRENT_LIST_DIR}/src/boot_rom.cpp ${SHOAL_BOOT_SOURCES})
target_link_libraries(shoal_boot_proto PRIVATE shoal_crypto)
target_include_directories(shoal_boot_proto PRIVATE ${SHOAL_BOOT_INCLUDE_DIR})
target_compile_definitions(shoal_boot_proto PRIVATE SHOAL_BOOT_PROTOTYPE=1)
target_compile_options(shoal_boot_proto PRIVATE -Werror -msave-restore)
target_link_options(shoal_boot_proto PRIVATE -Wl,--defsym=__stack_size=4096)

add_executable(shoal_boot_rom ${CMAKE_CURRENT_LIST_DIR}/src/boot_rom.cpp ${SHOAL_BOOT_SOURCES})
set_target_properties(shoal_boot_rom PROPERTIES LINKER_LANGUAGE C SUFFIX ".elf" RUNTIME_OUTPUT_DIRECTORY ${SHOAL_FW_OUT}
                      LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/rom.ld)
target_link_libraries(shoal_boot_rom PRIVATE shoal_crypto shoal_rt)
target_include_directories(shoal_boot_rom PRIVATE ${SHOAL_BOOT_INCLUDE_DIR})
target_compile_options(shoal_boot_rom PRIVATE -Werror -msave-restore)
target_link_options(shoal_boot_rom PRIVATE -T ${CMAKE_CURRENT_LIST_DIR}/rom.ld -Wl,-Map=${SHOAL_FW_OUT}/shoal_boot_rom.map)
# the ROM contents as $readmemh (what the RTL's ROM would be initialised from)
add_custom_command(TARGET shoal_boot_rom POST_BUILD
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/../tools/elf2hex.py $<TARGET_FILE:shoal_boot_rom>
          --iram-base 0x00010000 --iram-size 20480 --dram-base 0x80400000 --dram-size 4096
          --out ${SHOAL_FW_OUT}/shoal_boot_rom
  COMMENT "ROM image for shoal_boot_rom"
  VERBATIM)
