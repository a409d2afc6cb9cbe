# Portable policy sources (predictor, policies), shared by the host library (tests,
# bench-policy), the freestanding RV32 check and the firmware images. Include this file; it
# sets SHOAL_POLICY_SOURCES / SHOAL_POLICY_INCLUDE_DIR.
set(SHOAL_POLICY_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SHOAL_POLICY_INCLUDE_DIR ${SHOAL_POLICY_DIR}/include)
set(SHOAL_POLICY_SOURCES
    ${SHOAL_POLICY_DIR}/src/profile.cpp
    ${SHOAL_POLICY_DIR}/src/predictor.cpp
    ${SHOAL_POLICY_DIR}/src/decide.cpp)
