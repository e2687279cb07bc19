// OpenSSL objects held by unique_ptr, each freed by its own function: for the crypto layer's files only.
#pragma once
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace kh::crypto {

template <class T, void (*Free)(T*)>
struct OpensslFree {
    void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, OpensslFree<BIO, BIO_free_all>>;
using Cert = std::unique_ptr<X509, OpensslFree<X509, X509_free>>;
using Key = std::unique_ptr<EVP_PKEY, OpensslFree<EVP_PKEY, EVP_PKEY_free>>;

}  // namespace kh::crypto
