# The allocation service and its command dispatcher (portable C++17), the protocol checks
# (firmware/proto, C) and the block drivers (firmware/dif, firmware builds only). Shared by the
# firmware image, the host unit tests and the freestanding RV32 check. Include this file; it
# sets SHOAL_SERVICE_SOURCES / SHOAL_SERVICE_INCLUDE_DIRS and SHOAL_DIF_INCLUDE_DIR. The
# generated protocol tables (${SHOAL_GEN_DIR}/src/proto_tables.c) are added by the includer.
set(SHOAL_SERVICE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SHOAL_SERVICE_SOURCES
    ${SHOAL_SERVICE_DIR}/src/service.cpp
    ${SHOAL_SERVICE_DIR}/src/swarm.cpp
    ${SHOAL_SERVICE_DIR}/src/dispatch.cpp
    ${SHOAL_SERVICE_DIR}/../proto/src/proto_check.c)
set(SHOAL_SERVICE_INCLUDE_DIRS ${SHOAL_SERVICE_DIR}/include ${SHOAL_SERVICE_DIR}/../proto/include)
set(SHOAL_DIF_INCLUDE_DIR ${SHOAL_SERVICE_DIR}/../dif/include)
