// The rules that tie the password, the setup code, sessions and the rate limiter together.
#include "auth/auth.hpp"

namespace uplink::auth {

Authenticator::Authenticator(const std::string& state_dir, TimeSource now, AuthSettings settings)
    : password_(state_dir + "/" + std::string(password_file_name), settings.kdf)
    , sessions_(now, settings.sessions)
    , limiter_(now, settings.rate_limits)
{
}

Result<PasswordState> Authenticator::start(std::string* problem)
{
    auto state = password_.state(problem);
    if (!state)
        return state;
    if (*state == PasswordState::NotSet && (!setup_code_ || setup_code_->spent())) {
        auto code = SetupCode::generate();
        if (!code)
            return code.error();
        setup_code_ = std::move(*code);
    }
    return state;
}

std::optional<std::string> Authenticator::setup_code() const
{
    if (!setup_code_ || setup_code_->spent())
        return std::nullopt;
    return setup_code_->text();
}

Result<PasswordState> Authenticator::password_state(std::string* problem) const
{
    return password_.state(problem);
}

Result<void> Authenticator::admit(std::string_view client, std::chrono::seconds* retry_after)
{
    auto verdict = limiter_.check(client);
    if (verdict.admission == Admission::Allowed)
        return {};
    if (retry_after)
        *retry_after = verdict.retry_after;
    return make_error_code(Errc::Throttled);
}

Result<Session> Authenticator::replace_password(std::string_view password)
{
    if (auto stored = password_.set(password); !stored)
        return stored.error();
    sessions_.end_all();
    return sessions_.create();
}

Result<Session> Authenticator::set_first_password(std::string_view client,
    std::string_view setup_code, std::string_view password, std::chrono::seconds* retry_after)
{
    if (auto admitted = admit(client, retry_after); !admitted)
        return admitted.error();
    if (auto checked = check_new_password(password); !checked)
        return checked.error();
    auto state = password_.state();
    if (!state)
        return state.error();
    if (*state == PasswordState::Set)
        return make_error_code(Errc::PasswordAlreadySet);
    if (!setup_code_ || setup_code_->spent())
        return make_error_code(Errc::NoSetupCode);
    // A guessed setup code counts as a failed login: the code is a password for this one step.
    if (!setup_code_->matches(setup_code)) {
        limiter_.record_failure(client);
        return make_error_code(Errc::WrongSetupCode);
    }
    auto session = replace_password(password);
    if (!session)
        return session; // the code stays good: the password did not reach the disk
    (void)setup_code_->redeem(setup_code);
    limiter_.record_success(client);
    return session;
}

Result<Session> Authenticator::login(
    std::string_view client, std::string_view password, std::chrono::seconds* retry_after)
{
    if (auto admitted = admit(client, retry_after); !admitted)
        return admitted.error();
    if (auto checked = check_password_input(password); !checked)
        return checked.error();
    if (auto verified = password_.verify(password); !verified) {
        if (verified.error() == Errc::WrongPassword)
            limiter_.record_failure(client);
        return verified.error();
    }
    limiter_.record_success(client);
    return sessions_.create();
}

Result<Session> Authenticator::change_password(std::string_view client, std::string_view current,
    std::string_view replacement, std::chrono::seconds* retry_after)
{
    if (auto admitted = admit(client, retry_after); !admitted)
        return admitted.error();
    if (auto checked = check_new_password(replacement); !checked)
        return checked.error();
    if (auto verified = password_.verify(current); !verified) {
        if (verified.error() == Errc::WrongPassword)
            limiter_.record_failure(client);
        return verified.error();
    }
    limiter_.record_success(client);
    return replace_password(replacement);
}

Result<void> Authenticator::reset_password(std::string_view replacement)
{
    if (auto stored = password_.set(replacement); !stored)
        return stored;
    sessions_.end_all();
    setup_code_.reset();
    return {};
}

Result<Session> Authenticator::authorize(
    std::string_view cookie_header, std::string_view method, std::string_view csrf_header)
{
    auto id = session_id_from_cookie_header(cookie_header);
    if (!id)
        return id.error();
    auto session = sessions_.resume(*id);
    if (!session)
        return session;
    if (request_kind(method) == RequestKind::StateChanging) {
        if (auto checked = check_csrf_token(*session, csrf_header); !checked)
            return checked.error();
    }
    return session;
}

bool Authenticator::logout(std::string_view session_id)
{
    return sessions_.end(session_id);
}

} // namespace uplink::auth
