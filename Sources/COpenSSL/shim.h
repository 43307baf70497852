#ifndef HERALD_COPENSSL_SHIM_H
#define HERALD_COPENSSL_SHIM_H
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>

// HMAC-SHA256 of `data` with `key` into `out` (32 bytes). Returns 1 on success.
static inline int herald_hmac_sha256(const unsigned char *key, size_t key_len, const unsigned char *data, size_t data_len, unsigned char *out) {
    unsigned int out_len = 0;
    return HMAC(EVP_sha256(), key, (int)key_len, data, data_len, out, &out_len) != NULL && out_len == 32;
}

// HMAC-SHA1 of `data` with `key` into `out` (20 bytes). Returns 1 on success. Only for verifying
// providers that still sign with SHA-1 (Twilio's X-Twilio-Signature); Herald's own signatures use SHA-256.
static inline int herald_hmac_sha1(const unsigned char *key, size_t key_len, const unsigned char *data, size_t data_len, unsigned char *out) {
    unsigned int out_len = 0;
    return HMAC(EVP_sha1(), key, (int)key_len, data, data_len, out, &out_len) != NULL && out_len == 20;
}

// Constant-time comparison: 0 when equal.
static inline int herald_memcmp_consttime(const void *a, const void *b, size_t len) {
    return CRYPTO_memcmp(a, b, len);
}
#endif
