#include "auth/auth.hpp"

namespace uplink::auth {

namespace {

class AuthCategory : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "auth"; }
    std::string message(int value) const override
    {
        switch (static_cast<Errc>(value)) {
        case Errc::EmptyPassword:
            return "the password is empty";
        case Errc::PasswordTooShort:
            return "a new password needs at least 8 characters";
        case Errc::PasswordTooLong:
            return "a password is at most 1024 bytes";
        case Errc::PasswordNotSet:
            return "no admin password is set yet";
        case Errc::PasswordAlreadySet:
            return "the admin password is already set";
        case Errc::WrongPassword:
            return "wrong password";
        case Errc::NoSetupCode:
            return "no setup code is waiting, or it has expired: the newest one is in uplinkd's log; or use "
                   "'uplink passwd'";
        case Errc::WrongSetupCode:
            return "wrong setup code";
        case Errc::PasswordFileCorrupt:
            return "the admin password file is unreadable";
        case Errc::Throttled:
            return "too many failed logins: try again later";
        case Errc::NoSession:
            return "not logged in";
        case Errc::SessionExpired:
            return "the session has expired";
        case Errc::MalformedCookie:
            return "the session cookie is malformed";
        case Errc::CsrfMismatch:
            return "the request lacks this session's CSRF token";
        case Errc::MalformedToken:
            return "the API token is malformed";
        case Errc::UnknownToken:
            return "no such API token";
        case Errc::BadTokenName:
            return "a token name is 1 to 64 of A-Z a-z 0-9 . _ -";
        case Errc::TokenNameTaken:
            return "a token of that name exists";
        case Errc::TooManyTokens:
            return "at most 64 API tokens";
        case Errc::TokenFileCorrupt:
            return "the API token file is unreadable";
        case Errc::RandomFailure:
            return "the system's random number generator failed";
        case Errc::KdfFailure:
            return "scrypt failed";
        case Errc::Busy:
            return "another password is being checked: try again in a second";
        }
        return "unknown auth error";
    }
    // So that a caller that does not know this category (the API's router, for `uplink passwd`)
    // can still tell "try again" from "refused".
    boost::system::error_condition default_error_condition(int value) const noexcept override
    {
        if (static_cast<Errc>(value) == Errc::Busy)
            return boost::system::errc::resource_unavailable_try_again;
        return {value, *this};
    }
};

} // namespace

const boost::system::error_category& auth_category()
{
    static const AuthCategory category;
    return category;
}

Error make_error_code(Errc code)
{
    return {static_cast<int>(code), auth_category()};
}

} // namespace uplink::auth
