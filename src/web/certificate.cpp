// The HTTPS certificate: made once on first start, then read and checked on every start, and
// described for the Settings page. OpenSSL 3's EVP and X509 APIs; no Asio here.
#include "web/rules.hpp"
#include "web/web.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/chrono.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

namespace uplink::web {

namespace {

class WebCategory : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "web"; }
    std::string message(int value) const override
    {
        switch (static_cast<Errc>(value)) {
        case Errc::BadAddress: return "a listen address is not an IPv4 or IPv6 address";
        case Errc::BadInterface: return "an interface name is empty or longer than 15 characters";
        case Errc::CertificateUnreadable: return "cert.pem holds no readable PEM certificate";
        case Errc::KeyUnreadable: return "key.pem holds no readable PEM private key";
        case Errc::KeyMismatch: return "key.pem is not the private key of cert.pem";
        case Errc::KeyMissing:
            return "cert.pem is there without key.pem; uplinkd does not replace a certificate it did not "
                   "make: add its key, or move both away for a new pair";
        case Errc::Generation: return "OpenSSL could not make the key or the certificate";
        case Errc::TlsSetup: return "OpenSSL refused the certificate or the key for TLS";
        }
        return "unknown web error";
    }
};

Error system_error(int number) { return Error(number, boost::system::system_category()); }

// Owners of OpenSSL objects.
struct Free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    void operator()(X509* certificate) const { X509_free(certificate); }
    void operator()(BIO* bio) const { BIO_free(bio); }
    void operator()(BIGNUM* number) const { BN_free(number); }
    void operator()(X509_EXTENSION* extension) const { X509_EXTENSION_free(extension); }
    void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using X509Certificate = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

constexpr int validity_days = 3650;
// The organization of the certificates uplinkd makes, which tells them from a user's.
constexpr const char* uplink_organization = "uplink";

enum class Presence { Missing, Present };

// A PEM file is a few kilobytes; a huge one is not a certificate and is not read whole.
constexpr std::size_t maximum_pem_bytes = 1024 * 1024;

Result<Presence> read_file(const std::string& path, std::string& text)
{
    auto read = read_small_file(path, maximum_pem_bytes);
    if (!read)
        return read.error();
    if (!*read)
        return Presence::Missing;
    text = std::move(**read);
    return Presence::Present;
}

Key parse_key(const std::string& pem)
{
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return Key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

X509Certificate parse_certificate(const std::string& pem)
{
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return X509Certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

std::string bio_text(BIO* bio)
{
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string fingerprint(X509* certificate)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (X509_digest(certificate, EVP_sha256(), digest.data(), &size) != 1)
        return "";
    std::string text;
    for (unsigned int i = 0; i < size; ++i)
        text += fmt::format("{}{:02X}", i == 0 ? "" : ":", digest[i]);
    return text;
}

std::string name_text(const X509_NAME* name)
{
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0)
        return "";
    return bio_text(bio.get());
}

std::string utc_time(const ASN1_TIME* time) // "2036-12-02T05:10:00Z"
{
    std::tm parts {};
    if (ASN1_TIME_to_tm(time, &parts) != 1)
        return "";
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", parts);
}

// The DNS names and IP addresses a client matches (RFC 6125), in the forms of OpenSSL's config.
std::vector<std::string> alternative_names(X509* certificate)
{
    std::vector<std::string> names;
    std::unique_ptr<GENERAL_NAMES, Free> entries(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; entries && i < sk_GENERAL_NAME_num(entries.get()); ++i) {
        const GENERAL_NAME* entry = sk_GENERAL_NAME_value(entries.get(), i);
        if (entry->type == GEN_DNS) {
            const auto* dns = entry->d.dNSName;
            names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                                 static_cast<std::size_t>(ASN1_STRING_length(dns))));
        } else if (entry->type == GEN_IPADD) {
            const auto* address = entry->d.iPAddress;
            int family = ASN1_STRING_length(address) == 4 ? AF_INET : ASN1_STRING_length(address) == 16 ? AF_INET6 : 0;
            std::array<char, INET6_ADDRSTRLEN> text {};
            if (family && ::inet_ntop(family, ASN1_STRING_get0_data(address), text.data(), text.size()))
                names.push_back(std::string("IP:") + text.data());
        }
    }
    return names;
}

// Self-signed with uplink's organization: made by make_certificate() below. A user may copy that
// on purpose; the Settings page then shows what they asked for.
CertificateOrigin origin_of(X509* certificate)
{
    const X509_NAME* subject = X509_get_subject_name(certificate);
    std::array<char, 64> organization {};
    bool ours = X509_NAME_get_text_by_NID(subject, NID_organizationName, organization.data(),
                                          static_cast<int>(organization.size())) > 0
        && std::string_view(organization.data()) == uplink_organization
        && X509_NAME_cmp(subject, X509_get_issuer_name(certificate)) == 0;
    return ours ? CertificateOrigin::Uplink : CertificateOrigin::User;
}

void describe(X509* certificate, Certificate& result)
{
    result.fingerprint = fingerprint(certificate);
    result.subject = name_text(X509_get_subject_name(certificate));
    result.issuer = name_text(X509_get_issuer_name(certificate));
    result.subject_alt_names = alternative_names(certificate);
    result.not_before = utc_time(X509_get0_notBefore(certificate));
    result.not_after = utc_time(X509_get0_notAfter(certificate));
    result.origin = origin_of(certificate);
}

// RFC 5280 §4.1.2.2: a positive serial of at most 20 octets; 16 random ones, the top bit clear.
bool set_random_serial(X509* certificate)
{
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return false;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;   // never zero, never a shorter encoding than the others
    std::unique_ptr<BIGNUM, Free> number(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
    return number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate)) != nullptr;
}

bool add_extension(X509* certificate, X509V3_CTX& context, int nid, const std::string& value)
{
    std::unique_ptr<X509_EXTENSION, Free> extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

// A DNS name that may go into a subjectAltName list as is (no ',' or ':' to split it).
bool usable_dns_name(std::string_view name)
{
    return !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    });
}

std::string subject_alt_names(const CertificateNames& names)
{
    std::vector<std::string> entries;
    auto add = [&entries](std::string entry) {
        if (std::find(entries.begin(), entries.end(), entry) == entries.end())
            entries.push_back(std::move(entry));
    };
    if (usable_dns_name(names.host_name))
        add("DNS:" + names.host_name);
    add("DNS:localhost");
    for (const auto& address : names.addresses) {
        in6_addr scratch{};
        if (::inet_pton(AF_INET, address.c_str(), &scratch) == 1 || ::inet_pton(AF_INET6, address.c_str(), &scratch) == 1)
            add("IP:" + address);
    }
    std::string text;
    for (const auto& entry : entries)
        text += (text.empty() ? "" : ",") + entry;
    return text;
}

// A self-signed X.509 v3 certificate for `key`: the host name as subject, every name in the SAN
// (RFC 6125: clients match the SAN, not the CN), for serving TLS only (CA:FALSE).
X509Certificate make_certificate(EVP_PKEY* key, const CertificateNames& names)
{
    X509Certificate certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1 || !set_random_serial(certificate.get()))
        return nullptr;
    // An hour back: a browser whose clock is a little behind the router's still accepts it.
    if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60 * 60)
        || !X509_time_adj_ex(X509_getm_notAfter(certificate.get()), validity_days, 0, nullptr))
        return nullptr;
    X509_NAME* subject = X509_get_subject_name(certificate.get());
    std::string common_name = usable_dns_name(names.host_name) ? names.host_name : "uplink";
    X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(uplink_organization),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    if (X509_set_issuer_name(certificate.get(), subject) != 1 || X509_set_pubkey(certificate.get(), key) != 1)
        return nullptr;

    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
    if (!add_extension(certificate.get(), context, NID_basic_constraints, "critical,CA:FALSE")
        || !add_extension(certificate.get(), context, NID_ext_key_usage, "serverAuth")
        || !add_extension(certificate.get(), context, NID_subject_key_identifier, "hash")
        || !add_extension(certificate.get(), context, NID_subject_alt_name, subject_alt_names(names)))
        return nullptr;
    if (X509_sign(certificate.get(), key, EVP_sha256()) == 0)
        return nullptr;
    return certificate;
}

Result<std::string> certificate_pem(X509* certificate)
{
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1)
        return make_error_code(Errc::Generation);
    return bio_text(bio.get());
}

Result<std::string> key_pem(EVP_PKEY* key)
{
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return make_error_code(Errc::Generation);
    return bio_text(bio.get());
}

Result<void> create_directory(const std::string& path)
{
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        return system_error(errno);
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0)
        return system_error(errno);
    if (!S_ISDIR(status.st_mode))
        return system_error(ENOTDIR);
    return {};
}

} // namespace

const boost::system::error_category& web_category()
{
    static const WebCategory category;
    return category;
}

Error make_error_code(Errc code) { return Error(static_cast<int>(code), web_category()); }

Result<Certificate> load_or_create_certificate(const std::string& directory, const CertificateNames& names)
{
    if (auto created = create_directory(directory); !created)
        return created.error();
    const std::string certificate_path = directory + "/cert.pem";
    const std::string key_path = directory + "/key.pem";
    Certificate result;
    auto certificate_presence = read_file(certificate_path, result.certificate_pem);
    if (!certificate_presence)
        return certificate_presence.error();
    auto key_presence = read_file(key_path, result.key_pem);
    if (!key_presence)
        return key_presence.error();
    if (*certificate_presence == Presence::Present && *key_presence == Presence::Missing)
        return make_error_code(Errc::KeyMissing);

    Key key;
    if (*key_presence == Presence::Present) {
        key = parse_key(result.key_pem);
        if (!key)
            return make_error_code(Errc::KeyUnreadable);
    } else {
        // NIST P-256 (RFC 5480): what every browser takes, and fast on a router's CPU.
        key = Key(EVP_EC_gen("P-256"));
        if (!key)
            return make_error_code(Errc::Generation);
        auto pem = key_pem(key.get());
        if (!pem)
            return pem.error();
        // The key first: a start that stops between the two writes finds the key and makes its
        // certificate, rather than finding a certificate without a key.
        if (auto written = write_file_atomically(key_path, *pem); !written)
            return written.error();
        result.key_pem = std::move(*pem);
    }

    X509Certificate certificate;
    if (*certificate_presence == Presence::Present) {
        certificate = parse_certificate(result.certificate_pem);
        if (!certificate)
            return make_error_code(Errc::CertificateUnreadable);
        if (X509_check_private_key(certificate.get(), key.get()) != 1)
            return make_error_code(Errc::KeyMismatch);
    } else {
        certificate = make_certificate(key.get(), names);
        if (!certificate)
            return make_error_code(Errc::Generation);
        auto pem = certificate_pem(certificate.get());
        if (!pem)
            return pem.error();
        if (auto written = write_file_atomically(certificate_path, *pem); !written)
            return written.error();
        result.certificate_pem = std::move(*pem);
        result.created = true;
    }
    describe(certificate.get(), result);
    ERR_clear_error();   // what failed on the way is told by the error returned, not the queue
    return result;
}

std::string_view to_string(CertificateOrigin origin)
{
    switch (origin) {
    case CertificateOrigin::Uplink: return "uplink";
    case CertificateOrigin::User: return "user";
    }
    return "user";
}

Response certificate_response(const Certificate& certificate)
{
    boost::json::array names;
    for (const auto& name : certificate.subject_alt_names)
        names.push_back(boost::json::value(name));
    Response response;
    response.body = boost::json::serialize(boost::json::object {
        {"subject", certificate.subject},
        {"issuer", certificate.issuer},
        {"subject_alt_names", std::move(names)},
        {"not_before", certificate.not_before},
        {"not_after", certificate.not_after},
        {"sha256_fingerprint", certificate.fingerprint},
        {"origin", to_string(certificate.origin)},
    });
    return response;
}

CertificateNames certificate_names(const std::vector<std::string>& listen_addresses,
                                   const std::vector<std::string>& lan_interfaces)
{
    CertificateNames names;
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) == 0)
        names.host_name = host.data();
    for (const auto& address : listen_addresses)
        if (address != "0.0.0.0" && address != "::")
            names.addresses.push_back(address);
    names.addresses.push_back("127.0.0.1");
    names.addresses.push_back("::1");
    ifaddrs* interfaces = nullptr;
    if (::getifaddrs(&interfaces) != 0)
        return names;
    for (auto* entry = interfaces; entry; entry = entry->ifa_next) {
        if (!entry->ifa_addr || !(entry->ifa_flags & IFF_UP)
            || std::find(lan_interfaces.begin(), lan_interfaces.end(), entry->ifa_name) == lan_interfaces.end())
            continue;
        std::array<char, INET6_ADDRSTRLEN> text{};
        if (entry->ifa_addr->sa_family == AF_INET) {
            const auto* address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
            ::inet_ntop(AF_INET, &address->sin_addr, text.data(), text.size());
        } else if (entry->ifa_addr->sa_family == AF_INET6) {
            const auto* address = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
            if (IN6_IS_ADDR_LINKLOCAL(&address->sin6_addr))
                continue;   // needs a zone (%eth0) that a URL and a certificate cannot hold
            ::inet_ntop(AF_INET6, &address->sin6_addr, text.data(), text.size());
        } else {
            continue;
        }
        if (std::find(names.addresses.begin(), names.addresses.end(), text.data()) == names.addresses.end())
            names.addresses.push_back(text.data());
    }
    ::freeifaddrs(interfaces);
    return names;
}

} // namespace uplink::web
