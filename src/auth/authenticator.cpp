// The rules that tie the password, the setup code, sessions and the rate limiter together.
#include "auth/auth.hpp"

#include <cassert>

namespace uplink::auth {

namespace {

// A Busy caller waits for one KDF, which takes well under a second on a router.
constexpr std::chrono::seconds busy_retry_after {1};

} // namespace

Authenticator::Authenticator(const std::string& state_dir, TimeSource now, AuthSettings settings)
    : password_(state_dir + "/" + std::string(password_file_name), settings.kdf)
    , sessions_(now, settings.sessions)
    , limiter_(now, settings.rate_limits)
    , now_(now)
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
        setup_code_made_ = now_();
    }
    return state;
}

bool Authenticator::setup_code_expired() const
{
    return now_() - setup_code_made_ >= setup_code_lifetime;
}

std::optional<std::string> Authenticator::setup_code() const
{
    if (!setup_code_ || setup_code_->spent() || setup_code_expired())
        return std::nullopt;
    return setup_code_->text();
}

Result<std::optional<std::string>> Authenticator::renew_expired_setup_code()
{
    if (!setup_code_ || setup_code_->spent() || !setup_code_expired())
        return std::optional<std::string>();
    auto code = SetupCode::generate();
    if (!code)
        return code.error();
    setup_code_ = std::move(*code);
    setup_code_made_ = now_();
    return std::optional<std::string>(setup_code_->text());
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

Result<PasswordOperation> Authenticator::begin(std::optional<std::string_view> client,
    KdfWork work, std::chrono::seconds* retry_after, AfterCheck after)
{
    // `uplink passwd` (no client) that finds a KDF running takes the next turn: logins that come
    // meanwhile are Busy, so a flood of them cannot keep root from setting the password.
    bool reserved_for_reset = client && now_() < reset_reserved_until_;
    if (!running_.expired() || reserved_for_reset) {
        if (!client)
            reset_reserved_until_ = now_() + reset_reservation;
        if (retry_after)
            *retry_after = busy_retry_after;
        return make_error_code(Errc::Busy);
    }
    if (!client)
        reset_reserved_until_ = {};
    // Any object would do: only its lifetime counts.
    std::shared_ptr<void> token = std::make_shared<char>();
    running_ = token;
    // A reset logs nobody in, whatever the caller asked.
    return PasswordOperation(client ? std::optional<std::string>(*client) : std::nullopt,
        std::move(work), client ? after : AfterCheck::Nothing, std::move(token));
}

Result<std::string> Authenticator::stored_line()
{
    auto line = password_.line();
    if (!line)
        return line.error();
    if (!*line)
        return make_error_code(Errc::PasswordNotSet);
    return std::move(**line);
}

Result<PasswordOperation> Authenticator::begin_first_password(std::string_view client,
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
    if (!setup_code_ || setup_code_->spent() || setup_code_expired())
        return make_error_code(Errc::NoSetupCode);
    // A guessed setup code counts as a failed login: the code is a password for this one step.
    if (!setup_code_->matches(setup_code)) {
        limiter_.record_failure(client);
        return make_error_code(Errc::WrongSetupCode);
    }
    return begin(client,
        {.replacement = std::string(password), .parameters = password_.parameters()}, retry_after);
}

Result<PasswordOperation> Authenticator::begin_login(
    std::string_view client, std::string_view password, std::chrono::seconds* retry_after)
{
    if (auto admitted = admit(client, retry_after); !admitted)
        return admitted.error();
    if (auto checked = check_password_input(password); !checked)
        return checked.error();
    auto line = stored_line();
    if (!line)
        return line.error();
    return begin(
        client, {.stored_line = std::move(*line), .presented = std::string(password)}, retry_after);
}

Result<PasswordOperation> Authenticator::begin_change_password(std::string_view client,
    std::string_view current, std::string_view replacement, std::chrono::seconds* retry_after)
{
    if (auto admitted = admit(client, retry_after); !admitted)
        return admitted.error();
    if (auto checked = check_new_password(replacement); !checked)
        return checked.error();
    auto line = stored_line();
    if (!line)
        return line.error();
    return begin(client,
        {.stored_line = std::move(*line),
            .presented = std::string(current),
            .replacement = std::string(replacement),
            .parameters = password_.parameters()},
        retry_after);
}

Result<PasswordOperation> Authenticator::begin_reset_password(std::string_view replacement)
{
    if (auto checked = check_new_password(replacement); !checked)
        return checked.error();
    return begin(std::nullopt,
        {.replacement = std::string(replacement), .parameters = password_.parameters()}, nullptr);
}

Result<PasswordOperation> Authenticator::begin_confirm_password(
    std::string_view client, std::string_view password, std::chrono::seconds* retry_after)
{
    if (auto admitted = admit(client, retry_after); !admitted)
        return admitted.error();
    if (auto checked = check_password_input(password); !checked)
        return checked.error();
    auto line = stored_line();
    if (!line)
        return line.error();
    return begin(client, {.stored_line = std::move(*line), .presented = std::string(password)},
        retry_after, AfterCheck::Nothing);
}

Result<std::optional<Session>> Authenticator::finish(
    PasswordOperation operation, KdfOutcome outcome)
{
    assert(operation.token_ && operation.token_ == running_.lock());
    const auto& client = operation.client_;
    if (!outcome.check) {
        if (outcome.check.error() == Errc::WrongPassword)
            limiter_.record_failure(*client);
        return outcome.check.error();
    }
    // The check passed: the current password, or the setup code when the operation began.
    if (client)
        limiter_.record_success(*client);
    if (operation.work_.replacement) {
        if (!outcome.line)
            return outcome.line.error();
        if (auto stored = password_.store(*outcome.line); !stored)
            return stored.error(); // a setup code stays good: the password did not reach the disk
        sessions_.end_all();
        setup_code_.reset(); // spent: a password is set
    }
    if (operation.after_ == AfterCheck::Nothing)
        return std::optional<Session>(); // `uplink passwd`, or a confirmation: nobody logs in
    auto session = sessions_.create();
    if (!session)
        return session.error();
    return std::optional<Session>(std::move(*session));
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
