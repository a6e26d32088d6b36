// The certificate made on first start, checked with OpenSSL's own verification functions; the
// real clients (curl, openssl s_client) check it in tests/integration/web_test.cpp.
#include "web/web.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace uplink::web {
namespace {

namespace fs = std::filesystem;

class TemporaryDirectory {
public:
    TemporaryDirectory()
    {
        std::string pattern = (fs::temp_directory_path() / "uplink-web-test-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TemporaryDirectory() { fs::remove_all(path_); }
    std::string path() const { return path_.string(); }

private:
    fs::path path_;
};

std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const std::string& path, std::string_view text)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

std::unique_ptr<X509, X509Free> parse(const std::string& pem)
{
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    std::unique_ptr<X509, X509Free> certificate(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    return certificate;
}

unsigned mode_of(const std::string& path)
{
    struct stat status {};
    EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
    return status.st_mode & 07777;
}

const CertificateNames names{"router7", {"192.0.2.1", "2001:db8::1", "127.0.0.1"}};

TEST(Certificate, FirstStartMakesAnEcKeyAndASelfSignedCertificate)
{
    TemporaryDirectory state;
    auto directory = state.path() + "/web";
    auto made = load_or_create_certificate(directory, names);
    ASSERT_TRUE(made) << made.error().message();
    EXPECT_TRUE(made->created);
    EXPECT_EQ(read_text(directory + "/cert.pem"), made->certificate_pem);
    EXPECT_EQ(read_text(directory + "/key.pem"), made->key_pem);
    EXPECT_EQ(mode_of(directory + "/key.pem"), 0600u);
    EXPECT_EQ(mode_of(directory), 0700u);
    EXPECT_EQ(made->fingerprint.size(), 32u * 3 - 1) << made->fingerprint;

    auto certificate = parse(made->certificate_pem);
    ASSERT_TRUE(certificate);
    EXPECT_EQ(X509_get_version(certificate.get()), X509_VERSION_3);
    // RFC 6125: the names a client matches are in the subjectAltName.
    for (auto host : {"router7", "localhost"})
        EXPECT_EQ(X509_check_host(certificate.get(), host, 0, 0, nullptr), 1) << host;
    for (auto address : {"192.0.2.1", "2001:db8::1", "127.0.0.1"})
        EXPECT_EQ(X509_check_ip_asc(certificate.get(), address, 0), 1) << address;
    EXPECT_EQ(X509_check_host(certificate.get(), "other.example", 0, 0, nullptr), 0);
    EXPECT_EQ(X509_check_ip_asc(certificate.get(), "192.0.2.2", 0), 0);

    EVP_PKEY* key = X509_get0_pubkey(certificate.get());
    ASSERT_NE(key, nullptr);
    EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
    EXPECT_EQ(X509_verify(certificate.get(), key), 1) << "self-signed with its own key";
    EXPECT_EQ(X509_check_ca(certificate.get()), 0) << "a server certificate, not a CA";
    // About ten years from now.
    int days = 0, seconds = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(certificate.get())), 1);
    EXPECT_GT(days, 3640);
    EXPECT_LT(days, 3660);
}

TEST(Certificate, LaterStartsReuseThePair)
{
    TemporaryDirectory state;
    auto first = load_or_create_certificate(state.path(), names);
    ASSERT_TRUE(first);
    auto second = load_or_create_certificate(state.path(), CertificateNames{"renamed", {"198.51.100.1"}});
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_FALSE(second->created);
    EXPECT_EQ(second->fingerprint, first->fingerprint);
    EXPECT_EQ(second->key_pem, first->key_pem);
}

TEST(Certificate, TwoStatesGetDifferentKeysAndSerials)
{
    TemporaryDirectory one, two;
    auto first = load_or_create_certificate(one.path(), names);
    auto second = load_or_create_certificate(two.path(), names);
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->key_pem, second->key_pem);
    auto a = parse(first->certificate_pem), b = parse(second->certificate_pem);
    EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())), 0);
}

TEST(Certificate, CorruptCertificateIsAnErrorAndStays)
{
    TemporaryDirectory state;
    ASSERT_TRUE(load_or_create_certificate(state.path(), names));
    write_text(state.path() + "/cert.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    auto loaded = load_or_create_certificate(state.path(), names);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error(), make_error_code(Errc::CertificateUnreadable));
    EXPECT_NE(loaded.error().message().find("cert.pem"), std::string::npos);
    EXPECT_NE(read_text(state.path() + "/cert.pem").find("not base64"), std::string::npos) << "overwritten";
}

TEST(Certificate, CorruptKeyIsAnError)
{
    TemporaryDirectory state;
    ASSERT_TRUE(load_or_create_certificate(state.path(), names));
    write_text(state.path() + "/key.pem", "garbage");
    auto loaded = load_or_create_certificate(state.path(), names);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error(), make_error_code(Errc::KeyUnreadable));
}

TEST(Certificate, KeyOfAnotherCertificateIsAnError)
{
    TemporaryDirectory one, two;
    ASSERT_TRUE(load_or_create_certificate(one.path(), names));
    ASSERT_TRUE(load_or_create_certificate(two.path(), names));
    auto theirs = read_text(two.path() + "/key.pem");
    write_text(one.path() + "/key.pem", theirs);
    auto loaded = load_or_create_certificate(one.path(), names);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error(), make_error_code(Errc::KeyMismatch));
    EXPECT_EQ(read_text(one.path() + "/key.pem"), theirs);
}

TEST(Certificate, CertificateWithoutKeyIsNeverReplaced)
{
    TemporaryDirectory one, two;
    ASSERT_TRUE(load_or_create_certificate(one.path(), names));
    fs::remove(one.path() + "/key.pem");
    auto before = read_text(one.path() + "/cert.pem");
    auto loaded = load_or_create_certificate(one.path(), names);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error(), make_error_code(Errc::KeyMissing));
    EXPECT_EQ(read_text(one.path() + "/cert.pem"), before);
    EXPECT_FALSE(fs::exists(one.path() + "/key.pem"));
}

TEST(Certificate, KeyWithoutCertificateGetsOneForThatKey)
{
    TemporaryDirectory state;
    auto first = load_or_create_certificate(state.path(), names);
    ASSERT_TRUE(first);
    fs::remove(state.path() + "/cert.pem");
    auto second = load_or_create_certificate(state.path(), names);
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_TRUE(second->created);
    EXPECT_EQ(second->key_pem, first->key_pem);
    EXPECT_NE(second->fingerprint, first->fingerprint);
}

TEST(Certificate, MissingParentIsAnError)
{
    TemporaryDirectory state;
    auto loaded = load_or_create_certificate(state.path() + "/absent/web", names);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error(), boost::system::errc::no_such_file_or_directory);
}

TEST(CertificateNames, ListenAddressesAndLoopback)
{
    auto found = certificate_names({"192.0.2.1"});
    EXPECT_FALSE(found.host_name.empty());
    EXPECT_NE(std::find(found.addresses.begin(), found.addresses.end(), "192.0.2.1"), found.addresses.end());
    EXPECT_NE(std::find(found.addresses.begin(), found.addresses.end(), "127.0.0.1"), found.addresses.end());
    // A wildcard is no address a client connects to: the interfaces' addresses stand in for it.
    auto wildcard = certificate_names({"0.0.0.0"});
    EXPECT_EQ(std::find(wildcard.addresses.begin(), wildcard.addresses.end(), "0.0.0.0"), wildcard.addresses.end());
}

} // namespace
} // namespace uplink::web
