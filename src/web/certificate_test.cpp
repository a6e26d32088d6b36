// The certificate made on first start, checked with OpenSSL's own verification functions; the
// real clients (curl, openssl s_client) check it in tests/integration/web_test.cpp.
#include "web/rules.hpp"
#include "web/web.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <array>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
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

// What GET /api/v1/certificate shows of uplink's own certificate.
TEST(Certificate, ItsDescriptionIsWhatTheCertificateSays)
{
    TemporaryDirectory state;
    auto made = load_or_create_certificate(state.path(), names);
    ASSERT_TRUE(made) << made.error().message();
    EXPECT_EQ(made->subject, "CN=router7,O=uplink");
    EXPECT_EQ(made->issuer, made->subject);
    EXPECT_EQ(made->subject_alt_names,
        (std::vector<std::string> {"DNS:router7", "DNS:localhost", "IP:192.0.2.1", "IP:2001:db8::1", "IP:127.0.0.1"}));
    EXPECT_EQ(made->origin, CertificateOrigin::Uplink);
    const std::regex utc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
    EXPECT_TRUE(std::regex_match(made->not_before, utc)) << made->not_before;
    EXPECT_TRUE(std::regex_match(made->not_after, utc)) << made->not_after;
    EXPECT_EQ(std::stoi(made->not_after.substr(0, 4)) - std::stoi(made->not_before.substr(0, 4)), 10);

    auto body = boost::json::parse(certificate_response(*made).body);
    EXPECT_EQ(body.at("subject"), "CN=router7,O=uplink");
    EXPECT_EQ(body.at("sha256_fingerprint").as_string(), made->fingerprint);
    EXPECT_EQ(body.at("origin"), "uplink");
    EXPECT_EQ(body.at("not_after").as_string(), made->not_after);
    EXPECT_EQ(body.at("subject_alt_names").at(1), "DNS:localhost");

    auto again = load_or_create_certificate(state.path(), names);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->origin, CertificateOrigin::Uplink);   // read back, not only when made
    EXPECT_EQ(again->not_after, made->not_after);
}

// A certificate a CA gave the user (here a made-up one), in uplink's place: described as it is.
TEST(Certificate, AUsersCertificateIsDescribedAsTheirs)
{
    TemporaryDirectory state;
    EVP_PKEY* key = EVP_EC_gen("P-256");
    ASSERT_NE(key, nullptr);
    X509* certificate = X509_new();
    X509_set_version(certificate, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), 7);
    ASN1_TIME_set_string(X509_getm_notBefore(certificate), "20250101000000Z");
    ASN1_TIME_set_string(X509_getm_notAfter(certificate), "20260401120000Z");
    auto add_name = [](X509_NAME* name, const char* field, const char* value) {
        X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
    };
    add_name(X509_get_subject_name(certificate), "O", "Example");
    add_name(X509_get_subject_name(certificate), "CN", "router.example");
    add_name(X509_get_issuer_name(certificate), "CN", "Example CA");
    X509_set_pubkey(certificate, key);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* names_extension = X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "DNS:router.example,IP:192.0.2.1");
    X509_add_ext(certificate, names_extension, -1);
    X509_EXTENSION_free(names_extension);
    ASSERT_GT(X509_sign(certificate, key, EVP_sha256()), 0);

    BIO* certificate_bio = BIO_new(BIO_s_mem());
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(certificate_bio, certificate);
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    auto text_of = [](BIO* bio) {
        char* data = nullptr;
        long size = BIO_get_mem_data(bio, &data);
        return std::string(data, static_cast<std::size_t>(size));
    };
    write_text(state.path() + "/cert.pem", text_of(certificate_bio));
    write_text(state.path() + "/key.pem", text_of(key_bio));
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest {};
    unsigned int size = 0;
    X509_digest(certificate, EVP_sha256(), digest.data(), &size);
    BIO_free(certificate_bio);
    BIO_free(key_bio);
    X509_free(certificate);
    EVP_PKEY_free(key);

    auto loaded = load_or_create_certificate(state.path(), names);
    ASSERT_TRUE(loaded) << loaded.error().message();
    EXPECT_FALSE(loaded->created);
    EXPECT_EQ(loaded->origin, CertificateOrigin::User);
    EXPECT_EQ(loaded->subject, "CN=router.example,O=Example");
    EXPECT_EQ(loaded->issuer, "CN=Example CA");
    EXPECT_EQ(loaded->subject_alt_names, (std::vector<std::string> {"DNS:router.example", "IP:192.0.2.1"}));
    EXPECT_EQ(loaded->not_before, "2025-01-01T00:00:00Z");
    EXPECT_EQ(loaded->not_after, "2026-04-01T12:00:00Z");
    ASSERT_EQ(size, 32u);
    EXPECT_EQ(loaded->fingerprint.substr(0, 5), fmt::format("{:02X}:{:02X}", digest[0], digest[1]));
    EXPECT_EQ(loaded->fingerprint.substr(93), fmt::format("{:02X}", digest[31]));
}

TEST(CertificateOrigin, EachHasItsOwnName)
{
    EXPECT_EQ(to_string(CertificateOrigin::Uplink), "uplink");
    EXPECT_EQ(to_string(CertificateOrigin::User), "user");
}

TEST(CertificateNames, ListenAddressesAndLoopback)
{
    auto found = certificate_names({"192.0.2.1"}, {});
    EXPECT_FALSE(found.host_name.empty());
    EXPECT_NE(std::find(found.addresses.begin(), found.addresses.end(), "192.0.2.1"), found.addresses.end());
    EXPECT_NE(std::find(found.addresses.begin(), found.addresses.end(), "127.0.0.1"), found.addresses.end());
    // A wildcard is no address a client connects to: the LAN's addresses stand in for it.
    auto wildcard = certificate_names({"0.0.0.0"}, {"lo"});
    EXPECT_EQ(std::find(wildcard.addresses.begin(), wildcard.addresses.end(), "0.0.0.0"), wildcard.addresses.end());
}

// Only the LAN interfaces' addresses: another interface may be a WAN, whose address a stranger
// would read in the certificate. The host's other interfaces are looked up, and none may appear.
TEST(CertificateNames, NoAddressOfAnInterfaceOutsideTheLan)
{
    auto names = certificate_names({"0.0.0.0", "::"}, {"lo"});
    ifaddrs* interfaces = nullptr;
    ASSERT_EQ(::getifaddrs(&interfaces), 0);
    std::vector<std::string> elsewhere;
    for (auto* entry = interfaces; entry; entry = entry->ifa_next) {
        if (!entry->ifa_addr || std::string_view(entry->ifa_name) == "lo")
            continue;
        std::array<char, INET6_ADDRSTRLEN> text{};
        if (entry->ifa_addr->sa_family == AF_INET)
            ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr, text.data(), text.size());
        else if (entry->ifa_addr->sa_family == AF_INET6)
            ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr, text.data(), text.size());
        else
            continue;
        elsewhere.emplace_back(text.data());
    }
    ::freeifaddrs(interfaces);
    EXPECT_FALSE(elsewhere.empty()) << "this host has no interface but lo: the test cannot tell";
    for (const auto& address : elsewhere)
        EXPECT_EQ(std::find(names.addresses.begin(), names.addresses.end(), address), names.addresses.end()) << address;
    EXPECT_EQ(names.addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

} // namespace
} // namespace uplink::web
