// Error categories of the at module and the names of its enums.
#include "at/at.hpp"
#include "at/parse_util.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace uplink::at {

namespace {

struct NumberedMessage {
    int code;
    std::string_view message;
};

// 3GPP TS 27.007 §9.2.1 (general) and §9.2.2 (GPRS/EPS: 100 + the 24.008 GMM/ESM cause).
constexpr std::array cme_messages {
    NumberedMessage {0, "phone failure"},
    NumberedMessage {1, "no connection to phone"},
    NumberedMessage {2, "phone-adaptor link reserved"},
    NumberedMessage {3, "operation not allowed"},
    NumberedMessage {4, "operation not supported"},
    NumberedMessage {5, "PH-SIM PIN required"},
    NumberedMessage {6, "PH-FSIM PIN required"},
    NumberedMessage {7, "PH-FSIM PUK required"},
    NumberedMessage {10, "SIM not inserted"},
    NumberedMessage {11, "SIM PIN required"},
    NumberedMessage {12, "SIM PUK required"},
    NumberedMessage {13, "SIM failure"},
    NumberedMessage {14, "SIM busy"},
    NumberedMessage {15, "SIM wrong"},
    NumberedMessage {16, "incorrect password"},
    NumberedMessage {17, "SIM PIN2 required"},
    NumberedMessage {18, "SIM PUK2 required"},
    NumberedMessage {20, "memory full"},
    NumberedMessage {21, "invalid index"},
    NumberedMessage {22, "not found"},
    NumberedMessage {23, "memory failure"},
    NumberedMessage {24, "text string too long"},
    NumberedMessage {25, "invalid characters in text string"},
    NumberedMessage {26, "dial string too long"},
    NumberedMessage {27, "invalid characters in dial string"},
    NumberedMessage {30, "no network service"},
    NumberedMessage {31, "network timeout"},
    NumberedMessage {32, "network not allowed - emergency calls only"},
    NumberedMessage {40, "network personalization PIN required"},
    NumberedMessage {41, "network personalization PUK required"},
    NumberedMessage {42, "network subset personalization PIN required"},
    NumberedMessage {43, "network subset personalization PUK required"},
    NumberedMessage {44, "service provider personalization PIN required"},
    NumberedMessage {45, "service provider personalization PUK required"},
    NumberedMessage {46, "corporate personalization PIN required"},
    NumberedMessage {47, "corporate personalization PUK required"},
    NumberedMessage {48, "hidden key required"},
    NumberedMessage {49, "EAP method not supported"},
    NumberedMessage {50, "incorrect parameters"},
    NumberedMessage {51, "command implemented but currently disabled"},
    NumberedMessage {52, "command aborted by user"},
    NumberedMessage {100, "unknown"},
    NumberedMessage {102, "IMSI unknown in HLR"},
    NumberedMessage {103, "illegal MS"},
    NumberedMessage {104, "IMSI unknown in VLR"},
    NumberedMessage {105, "IMEI not accepted"},
    NumberedMessage {106, "illegal ME"},
    NumberedMessage {107, "GPRS services not allowed"},
    NumberedMessage {108, "GPRS services and non-GPRS services not allowed"},
    NumberedMessage {109, "MS identity cannot be derived by the network"},
    NumberedMessage {110, "implicitly detached"},
    NumberedMessage {111, "PLMN not allowed"},
    NumberedMessage {112, "location area not allowed"},
    NumberedMessage {113, "roaming not allowed in this location area"},
    NumberedMessage {114, "GPRS services not allowed in this PLMN"},
    NumberedMessage {115, "no suitable cells in location area"},
    NumberedMessage {116, "MSC temporarily not reachable"},
    NumberedMessage {117, "network failure"},
    NumberedMessage {118, "CS domain not available"},
    NumberedMessage {119, "ESM failure"},
    NumberedMessage {122, "congestion"},
    NumberedMessage {125, "not authorized for this CSG"},
    NumberedMessage {126, "insufficient resources"},
    NumberedMessage {127, "missing or unknown APN"},
    NumberedMessage {128, "unknown PDP address or PDP type"},
    NumberedMessage {129, "user authentication failed"},
    NumberedMessage {130, "activation rejected by GGSN, Serving GW or PDN GW"},
    NumberedMessage {131, "activation rejected, unspecified"},
    NumberedMessage {132, "service option not supported"},
    NumberedMessage {133, "requested service option not subscribed"},
    NumberedMessage {134, "service option temporarily out of order"},
    NumberedMessage {148, "unspecified GPRS error"},
    NumberedMessage {149, "PDP authentication failure"},
    NumberedMessage {150, "invalid mobile class"},
    // Quectel GNSS extensions (EC25 GNSS manual; "+CME ERROR: 516" seen on real EC25s).
    NumberedMessage {501, "GNSS: invalid parameter"},
    NumberedMessage {502, "GNSS: operation not supported"},
    NumberedMessage {503, "GNSS: subsystem busy"},
    NumberedMessage {504, "GNSS: session is ongoing"},
    NumberedMessage {505, "GNSS: session not active"},
    NumberedMessage {506, "GNSS: operation timeout"},
    NumberedMessage {507, "GNSS: function not enabled"},
    NumberedMessage {516, "GNSS: not fixed now"},
};

// 3GPP TS 27.005 §3.2.5; 1..127 are the 24.011 RP cause values it includes.
constexpr std::array cms_messages {
    NumberedMessage {1, "unassigned number"},
    NumberedMessage {8, "operator determined barring"},
    NumberedMessage {10, "call barred"},
    NumberedMessage {21, "short message transfer rejected"},
    NumberedMessage {27, "destination out of service"},
    NumberedMessage {28, "unidentified subscriber"},
    NumberedMessage {29, "facility rejected"},
    NumberedMessage {30, "unknown subscriber"},
    NumberedMessage {38, "network out of order"},
    NumberedMessage {41, "temporary failure"},
    NumberedMessage {42, "congestion"},
    NumberedMessage {47, "resources unavailable, unspecified"},
    NumberedMessage {50, "requested facility not subscribed"},
    NumberedMessage {69, "requested facility not implemented"},
    NumberedMessage {81, "invalid short message transfer reference value"},
    NumberedMessage {95, "invalid message, unspecified"},
    NumberedMessage {96, "invalid mandatory information"},
    NumberedMessage {97, "message type non-existent or not implemented"},
    NumberedMessage {98, "message not compatible with short message protocol state"},
    NumberedMessage {99, "information element non-existent or not implemented"},
    NumberedMessage {111, "protocol error, unspecified"},
    NumberedMessage {127, "interworking, unspecified"},
    NumberedMessage {300, "ME failure"},
    NumberedMessage {301, "SMS service of ME reserved"},
    NumberedMessage {302, "operation not allowed"},
    NumberedMessage {303, "operation not supported"},
    NumberedMessage {304, "invalid PDU mode parameter"},
    NumberedMessage {305, "invalid text mode parameter"},
    NumberedMessage {310, "SIM not inserted"},
    NumberedMessage {311, "SIM PIN required"},
    NumberedMessage {312, "PH-SIM PIN required"},
    NumberedMessage {313, "SIM failure"},
    NumberedMessage {314, "SIM busy"},
    NumberedMessage {315, "SIM wrong"},
    NumberedMessage {316, "SIM PUK required"},
    NumberedMessage {317, "SIM PIN2 required"},
    NumberedMessage {318, "SIM PUK2 required"},
    NumberedMessage {320, "memory failure"},
    NumberedMessage {321, "invalid memory index"},
    NumberedMessage {322, "memory full"},
    NumberedMessage {330, "SMSC address unknown"},
    NumberedMessage {331, "no network service"},
    NumberedMessage {332, "network timeout"},
    NumberedMessage {340, "no +CNMA acknowledgement expected"},
    NumberedMessage {500, "unknown error"},
};

template <std::size_t N>
std::string numbered_message(
    const std::array<NumberedMessage, N>& table, std::string_view kind, int code)
{
    auto found = std::find_if(table.begin(), table.end(),
        [code](const NumberedMessage& entry) { return entry.code == code; });
    if (found != table.end())
        return std::string(found->message);
    return std::string(kind) + " error " + std::to_string(code);
}

template <std::size_t N>
int numbered_code(const std::array<NumberedMessage, N>& table, std::string_view text, int fallback)
{
    for (const auto& entry : table)
        if (equals_ignoring_case(entry.message, text))
            return entry.code;
    return fallback;
}

class AtCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "at"; }
    std::string message(int value) const override
    {
        switch (static_cast<Errc>(value)) {
        case Errc::Timeout:
            return "no final result code before the timeout";
        case Errc::PortClosed:
            return "the port was closed";
        case Errc::PortHung:
            return "the port stopped answering";
        case Errc::Error:
            return "ERROR";
        case Errc::NoCarrier:
            return "NO CARRIER";
        case Errc::Busy:
            return "BUSY";
        case Errc::NoAnswer:
            return "NO ANSWER";
        case Errc::NoDialtone:
            return "NO DIALTONE";
        case Errc::Parse:
            return "the reply did not have the expected form";
        case Errc::NotFound:
            return "the reply did not have the expected line";
        case Errc::Cancelled:
            return "cancelled: the channel was closed";
        case Errc::ReplyTooLong:
            return "the reply had more lines than a modem's reply has (256)";
        }
        return "at error " + std::to_string(value);
    }
};

class CmeCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "cme"; }
    std::string message(int value) const override
    {
        return numbered_message(cme_messages, "CME", value);
    }
};

class CmsCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "cms"; }
    std::string message(int value) const override
    {
        return numbered_message(cms_messages, "CMS", value);
    }
};

} // namespace

const boost::system::error_category& at_category()
{
    static const AtCategory category;
    return category;
}

const boost::system::error_category& cme_category()
{
    static const CmeCategory category;
    return category;
}

const boost::system::error_category& cms_category()
{
    static const CmsCategory category;
    return category;
}

Error make_error_code(Errc code)
{
    return Error(static_cast<int>(code), at_category());
}
Error cme_error(int code)
{
    return Error(code, cme_category());
}
Error cms_error(int code)
{
    return Error(code, cms_category());
}

Error error_of(const Final& final)
{
    switch (final.kind) {
    case FinalKind::Ok:
    case FinalKind::Connect:
        return {};
    case FinalKind::Error:
        return make_error_code(Errc::Error);
    case FinalKind::NoCarrier:
        return make_error_code(Errc::NoCarrier);
    case FinalKind::Busy:
        return make_error_code(Errc::Busy);
    case FinalKind::NoAnswer:
        return make_error_code(Errc::NoAnswer);
    case FinalKind::NoDialtone:
        return make_error_code(Errc::NoDialtone);
    case FinalKind::CmeError:
    case FinalKind::CmsError:
        break;
    }
    bool cme = final.kind == FinalKind::CmeError;
    if (final.code >= 0)
        return cme ? cme_error(final.code) : cms_error(final.code);
    // Verbose form (AT+CMEE=2): map the 27.007/27.005 text back to its number; an unknown
    // text becomes "unknown" (CME 100, CMS 500) so it is still an error of the right category.
    auto colon = final.text.find(':');
    auto text = trim(colon == std::string::npos ? std::string_view {}
                                                : std::string_view(final.text).substr(colon + 1));
    return cme ? cme_error(numbered_code(cme_messages, text, 100))
               : cms_error(numbered_code(cms_messages, text, 500));
}

std::string_view to_string(FinalKind kind)
{
    switch (kind) {
    case FinalKind::Ok:
        return "OK";
    case FinalKind::Error:
        return "ERROR";
    case FinalKind::CmeError:
        return "+CME ERROR";
    case FinalKind::CmsError:
        return "+CMS ERROR";
    case FinalKind::NoCarrier:
        return "NO CARRIER";
    case FinalKind::Busy:
        return "BUSY";
    case FinalKind::NoAnswer:
        return "NO ANSWER";
    case FinalKind::NoDialtone:
        return "NO DIALTONE";
    case FinalKind::Connect:
        return "CONNECT";
    }
    return "unknown";
}

std::string_view to_string(FrameEvent::Kind kind)
{
    switch (kind) {
    case FrameEvent::Kind::Line:
        return "line";
    case FrameEvent::Kind::Final:
        return "final";
    case FrameEvent::Kind::Urc:
        return "urc";
    case FrameEvent::Kind::Garbage:
        return "garbage";
    }
    return "unknown";
}

std::string_view to_string(PinState state)
{
    switch (state) {
    case PinState::Ready:
        return "ready";
    case PinState::SimPin:
        return "sim-pin";
    case PinState::SimPuk:
        return "sim-puk";
    case PinState::SimPin2:
        return "sim-pin2";
    case PinState::SimPuk2:
        return "sim-puk2";
    case PinState::PhSimPin:
        return "ph-sim-pin";
    case PinState::PhNetPin:
        return "ph-net-pin";
    case PinState::PhNetPuk:
        return "ph-net-puk";
    case PinState::Other:
        return "other";
    }
    return "unknown";
}

std::string_view to_string(RegistrationStatus status)
{
    switch (status) {
    case RegistrationStatus::NotRegistered:
        return "not-registered";
    case RegistrationStatus::Home:
        return "home";
    case RegistrationStatus::Searching:
        return "searching";
    case RegistrationStatus::Denied:
        return "denied";
    case RegistrationStatus::Unknown:
        return "unknown";
    case RegistrationStatus::Roaming:
        return "roaming";
    case RegistrationStatus::SmsOnlyHome:
        return "sms-only-home";
    case RegistrationStatus::SmsOnlyRoaming:
        return "sms-only-roaming";
    case RegistrationStatus::Emergency:
        return "emergency";
    case RegistrationStatus::CsfbNotPreferredHome:
        return "csfb-not-preferred-home";
    case RegistrationStatus::CsfbNotPreferredRoaming:
        return "csfb-not-preferred-roaming";
    case RegistrationStatus::RestrictedLocalServices:
        return "restricted-local-services";
    }
    return "invalid";
}

std::string_view to_string(AccessTechnology technology)
{
    switch (technology) {
    case AccessTechnology::Unknown:
        return "unknown";
    case AccessTechnology::Gsm:
        return "gsm";
    case AccessTechnology::GsmCompact:
        return "gsm-compact";
    case AccessTechnology::Utran:
        return "utran";
    case AccessTechnology::GsmEgprs:
        return "gsm-egprs";
    case AccessTechnology::UtranHsdpa:
        return "utran-hsdpa";
    case AccessTechnology::UtranHsupa:
        return "utran-hsupa";
    case AccessTechnology::UtranHspa:
        return "utran-hspa";
    case AccessTechnology::Eutran:
        return "eutran";
    case AccessTechnology::EcGsmIot:
        return "ec-gsm-iot";
    case AccessTechnology::EutranNbIot:
        return "eutran-nb-iot";
    case AccessTechnology::EutranNr:
        return "eutran-5gcn";
    case AccessTechnology::Nr:
        return "nr-5gcn";
    case AccessTechnology::NgRan:
        return "ng-ran";
    case AccessTechnology::EutranNrDual:
        return "eutran-nr-dual";
    }
    return "invalid";
}

} // namespace uplink::at
