# Ed25519 verification + SHA-512 (firmware/crypto), shared by the host tests and tools and the
# firmware sub-build. Include this file; it sets SHOAL_CRYPTO_SOURCES / _INCLUDE_DIR (public
# headers, shoal/crypto/*.h) and SHOAL_CRYPTO_INTERNAL_DIR (ed25519_internal.h, for tests).
set(SHOAL_CRYPTO_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SHOAL_CRYPTO_INCLUDE_DIR ${SHOAL_CRYPTO_DIR}/include)
set(SHOAL_CRYPTO_INTERNAL_DIR ${SHOAL_CRYPTO_DIR}/src)
set(SHOAL_CRYPTO_SOURCES
    ${SHOAL_CRYPTO_DIR}/src/sha512.cpp
    ${SHOAL_CRYPTO_DIR}/src/ed25519.cpp)
