# The signed firmware image format and the boot stage's decision (firmware/boot), shared by
# the boot ROM program, shoal-sign and the host tests. Needs firmware/crypto. Sets
# SHOAL_BOOT_SOURCES / SHOAL_BOOT_INCLUDE_DIR.
set(SHOAL_BOOT_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SHOAL_BOOT_INCLUDE_DIR ${SHOAL_BOOT_DIR}/include)
set(SHOAL_BOOT_SOURCES ${SHOAL_BOOT_DIR}/src/fw_image.cpp)
