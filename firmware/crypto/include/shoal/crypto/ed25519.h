// Ed25519 signature verification (RFC 8032, PureEdDSA "Ed25519"), portable freestanding C++17:
// no heap, no exceptions/RTTI, C headers only, fixed stack use (firmware/crypto/README.md gives
// the measured figure). Variable time: verification handles only public data.
//
// Checks, in this order (the first that fails is the status):
//   1. S (the second half of the signature) is canonical: S < L          -> BadScalar
//   2. A (the public key) decodes (RFC 8032 5.1.3): y < p, x^2 = (y^2-1)/(dy^2+1) has a root,
//      and not (x = 0 with the sign bit set)                              -> BadKey
//   3. A is not of small order ([8]A != identity)                         -> WeakKey
//   4. R (the first half) decodes, same rules as A                        -> BadR
//   5. R is not of small order                                           -> WeakR
//   6. [S]B == R + [k]A with k = SHA-512(R || A || M) mod L (the cofactorless equation; RFC
//      8032 5.1.7 allows it, libsodium uses it)                          -> Mismatch / Ok
// The accepted set equals libsodium 1.0.18's crypto_sign_verify_detached (the host tests check
// this on random and crafted inputs). Mixed-order keys are not rejected (RFC 8032 does not ask
// for the subgroup check; the card's key is provisioned, not chosen by an attacker).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "shoal/crypto/sha512.h"

namespace shoal::crypto {

constexpr size_t kEd25519SignatureBytes = 64;
constexpr size_t kEd25519PublicKeyBytes = 32;

enum class VerifyStatus : uint8_t {
  Ok = 0,
  BadScalar = 1,  // S >= L
  BadKey = 2,     // the public key is not a valid point encoding
  WeakKey = 3,    // the public key has small order
  BadR = 4,       // R is not a valid point encoding
  WeakR = 5,      // R has small order
  Mismatch = 6,   // well-formed, but not a signature of this message under this key
};
const char* verify_status_name(VerifyStatus s);

// One shot.
VerifyStatus ed25519_verify(const uint8_t sig[kEd25519SignatureBytes], const void* msg,
                            size_t len, const uint8_t pk[kEd25519PublicKeyBytes]);

// Streaming: the message may arrive in pieces (a boot stage hashes an image as it reads it).
// Ed25519Verifier is 304 bytes; final() runs the point arithmetic on the stack.
struct Ed25519Verifier {
  Sha512 sha;  // over R || A || M
  uint8_t sig[kEd25519SignatureBytes];
  uint8_t pk[kEd25519PublicKeyBytes];
};
void ed25519_verify_init(Ed25519Verifier& v, const uint8_t sig[kEd25519SignatureBytes],
                         const uint8_t pk[kEd25519PublicKeyBytes]);
void ed25519_verify_update(Ed25519Verifier& v, const void* msg, size_t len);
VerifyStatus ed25519_verify_final(Ed25519Verifier& v);

}  // namespace shoal::crypto
