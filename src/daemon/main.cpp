// uplinkd: the composition root. The only place that wires modules together: the modem
// manager, the WANs' policy routing (WanSupervisor), the API over it (unix socket; HTTPS when
// `config web` enables it), configuration reload on SIGHUP and a clean stop on SIGTERM.
#include "daemon/config_editor.hpp"
#include "daemon/link_setup.hpp"
#include "daemon/modem_source.hpp"
#include "daemon/periodic.hpp"
#include "daemon/settings.hpp"
#include "daemon/signal_recorder.hpp"
#include "daemon/usage_recorder.hpp"
#include "daemon/wan_supervisor.hpp"

#include <api/api.hpp>
#include <auth/auth.hpp>
#include <core/core.hpp>
#include <modem/modem.hpp>
#include <web/web.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#ifndef UPLINK_VERSION
#define UPLINK_VERSION "unknown"
#endif

namespace uplink::daemon {
namespace {

namespace asio = boost::asio;

constexpr const char* default_config_path = "/etc/config/uplink";
// How long a stop may take for every coroutine to see its cancellation before the loop is left anyway.
constexpr auto stop_grace = std::chrono::seconds(5);

// `mkdir -p`: missing parents 0755, the directory itself `mode`.
Result<void> create_directory(const std::string& path, mode_t mode)
{
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1))
        if (::mkdir(path.substr(0, slash).c_str(), 0755) != 0 && errno != EEXIST)
            return Error(errno, boost::system::system_category());
    if (::mkdir(path.c_str(), mode) == 0)
        ::chmod(path.c_str(), mode);   // the umask may have taken bits away
    else if (errno != EEXIST)
        return Error(errno, boost::system::system_category());
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0)
        return Error(errno, boost::system::system_category());
    if (!S_ISDIR(status.st_mode))
        return Error(ENOTDIR, boost::system::system_category());
    return {};
}

// Created 0700 when missing, and refused unless it can be trusted: the state directory holds the
// admin password's hash, the API tokens, the TLS key, and the history directory files uplinkd
// writes; what another user could write or link there, uplinkd would trust or write through.
Result<void> private_directory(const std::string& path, std::string_view what)
{
    if (auto created = create_directory(path, 0700); !created) {
        log(LogLevel::Error, "uplinkd", "cannot create the {} {}: {}", what, path, created.error().message());
        return created.error();
    }
    if (auto problem = untrusted_state_directory(path, ::geteuid()); !problem.empty()) {
        log(LogLevel::Error, "uplinkd", "the {} cannot be trusted: {}; it and everything in it must be {}'s and "
            "writable by no one else (chmod go-w, chown)", what, problem, ::geteuid() == 0 ? "root" : "this user");
        return make_error_code(boost::system::errc::permission_denied);
    }
    return {};
}

std::string located(const std::string& path, const ConfigDiagnostic& diagnostic)
{
    if (diagnostic.line > 0)
        return fmt::format("{}:{}: {}", path, diagnostic.line, diagnostic.message);
    return fmt::format("{}: {}", path, diagnostic.message);
}

std::string joined(const std::vector<std::string>& words)
{
    std::string text;
    for (const auto& word : words)
        text += (text.empty() ? "" : ", ") + word;
    return text;
}

class Daemon {
public:
    Daemon(asio::io_context& io, std::string config_path, Settings settings)
        : io_(io), config_path_(std::move(config_path)), settings_(with_hooks(std::move(settings))),
          manager_(io.get_executor(), settings_.modem),
          editor_(config_path_, manager_,
                  [this](Settings next, std::vector<std::string> changed) {
                      apply_settings(std::move(next), std::move(changed), "saved");
                  }),
          usage_(io.get_executor(), manager_, link_setup_),
          signal_history_(io.get_executor(), manager_),
          source_(manager_, {[this] { return settings_.modem.policy; },
                             [this](api::ConfigEdit edit) { return editor_.edit(edit, settings_); },
                             [this] { return editor_.read(); },
                             [this](api::ConfigRestore restore) { return editor_.restore(restore, settings_); },
                             [this](std::string_view wan) { return usage_.usage(wan); },
                             [this](std::string_view wan, std::chrono::system_clock::time_point since,
                                    std::size_t max_points) { return signal_history_.history(wan, since, max_points); },
                             [this](std::string password) { return reset_admin_password(this, std::move(password)); },
                             [this]() -> auth::TokenStore& { return tokens_; },
                             [this] { return wans_.status(); }, [this] { return settings_.wan; }}),
          server_(io.get_executor(), socket_options(settings_, info_), source_),
          signals_(io, SIGINT, SIGTERM, SIGHUP)
    {
    }

    Result<void> start()
    {
        if (auto ready = private_directory(settings_.modem.state_dir, "state directory"); !ready)
            return ready;
        if (settings_.history_directory() != settings_.modem.state_dir)
            if (auto ready = private_directory(settings_.history_directory(), "history directory"); !ready)
                return ready;
        // Before the socket: a client that finds the socket finds the web server up too.
        if (settings_.web.enabled)
            start_web();
        if (auto listening = server_.start(); !listening) {
            log(LogLevel::Error, "uplinkd", "cannot open the API socket {}: {}{}", settings_.socket_path,
                listening.error().message(),
                listening.error() == boost::system::errc::address_in_use ? " (is another uplinkd running?)" : "");
            return listening.error();
        }
        manager_.start();
        wans_.apply(settings_.wan);
        modem_links_ = manager_.subscribe([this](const modem::Event& event) {
            using Kind = modem::Event::Kind;
            if (event.kind == Kind::Added || event.kind == Kind::Removed || event.kind == Kind::ConnectionChanged)
                wans_.modems_changed(modem_links());
        });
        usage_.set_reset_day(settings_.usage_reset_day);
        usage_.start(settings_.history_directory(), settings_.modem.state_dir);
        signal_history_.start(settings_.history_directory());
        asio::co_spawn(io_, handle_signals(this), LogFailure {"uplinkd", "signal handling failed"});
        log(LogLevel::Info, "uplinkd", "uplinkd {} ready, API on {}", UPLINK_VERSION, settings_.socket_path);
        return {};
    }

    bool stopping() const { return stopping_; }

    static api::ServerOptions socket_options(const Settings& settings, const api::DaemonInfo& info)
    {
        api::ServerOptions options;
        options.socket_path = settings.socket_path;
        options.info = info;
        options.group = settings.socket_group;
        return options;
    }

private:
    // A web server that cannot start (a port taken, a bad certificate) is logged, and uplinkd runs
    // on without it: the modems keep the router online, and the CLI still works.
    void start_web()
    {
        const auto& web = settings_.web;
        web::Options options;
        options.https_port = static_cast<std::uint16_t>(web.https_port);
        options.http_port = web.http_port == 0 ? std::nullopt : std::optional<std::uint16_t>(web.http_port);
        options.certificate_directory = settings_.modem.state_dir + "/web";
        options.limits.connections = static_cast<std::size_t>(web.max_connections);
        options.limits.connections_per_client = static_cast<std::size_t>(web.max_connections_per_client);
        options.limits.idle_timeout = web.idle_timeout;
        options.limits.request_timeout = web.request_timeout;
        options.info = info_;
        if (!web.listen.empty())
            options.listen = web.listen;
        options.interfaces = web.interfaces;
        auto where = web.listen.empty() ? fmt::format("the LAN interfaces {}", joined(web.interfaces))
                                        : joined(web.listen);
        std::string problem;
        if (auto state = authenticator_.start(&problem); !state) {
            log(LogLevel::Error, "uplinkd", "the web server is off: the admin password in {} is unreadable ({}): "
                "set it again with `uplink passwd`", settings_.modem.state_dir, problem.empty() ? state.error().message() : problem);
            return;
        }
        web_.emplace(io_.get_executor(), std::move(options), source_,
                     web::authentication(authenticator_, tokens_, kdf_worker_.get_executor()));
        if (auto started = web_->start(); !started) {
            log(LogLevel::Error, "uplinkd", "the web server is off: {}: {}", web_->failed_step(), started.error().message());
            web_.reset();
            return;
        }
        const auto& certificate = web_->certificate();
        log(LogLevel::Info, "uplinkd", "web: HTTPS on {} port {}{}; certificate {} {}/web/cert.pem, SHA-256 {}",
            where, web.https_port, web.http_port ? fmt::format(", HTTP redirect on port {}", web.http_port) : "",
            certificate.created ? "made in" : "from", settings_.modem.state_dir, certificate.fingerprint);
        for (const auto& missing : web_->missing_interfaces())
            log(LogLevel::Warning, "uplinkd", "web: there is no interface {} to listen on yet: listening there once "
                "it appears; if it is not the LAN's, name that one in config web's list interface", missing);
        for (const auto& address : web.listen)
            if (address == "0.0.0.0" || address == "::")
                log(LogLevel::Warning, "uplinkd", "web: listening on {} takes connections from every interface, the "
                    "WANs' included; uplink's firewall drops them from the WANs it manages, not from others", address);
        // No default password: the first visit needs this code, which only the router's owner sees.
        if (auto code = authenticator_.setup_code()) {
            log_setup_code(*code);
            setup_code_renewal_.start();
        }
    }

    // Each modem's WAN name, USB path and the interface of its connection, for the WANs.
    std::vector<ModemLink> modem_links() const
    {
        std::vector<ModemLink> links;
        for (const auto& modem : manager_.modems()) {
            const auto& connection = modem.connection;
            bool connected = connection.state == modem::ConnectionState::Connected;
            std::vector<std::string> dns;
            for (const auto& ip : {connection.ipv4, connection.ipv6})
                if (connected && ip)
                    dns.insert(dns.end(), ip->dns.begin(), ip->dns.end());
            std::optional<net::Prefix> ipv6_prefix;
            if (connected && connection.ipv6)
                if (auto address = net::parse_prefix(
                        fmt::format("{}/{}", connection.ipv6->address, connection.ipv6->prefix_length)))
                    ipv6_prefix = net::network_of(*address);
            links.push_back({modem.wan, modem.id, connected ? connection.interface : "", std::move(dns), ipv6_prefix});
        }
        return links;
    }

    static void log_setup_code(const std::string& code)
    {
        log(LogLevel::Warning, "uplinkd", "web: no admin password yet: open the web page and enter the setup code "
            "{} with the password you choose, within an hour (or set it with `uplink passwd`)", code);
    }

    // A setup code is good for an hour: an expired one is replaced, and the new one logged.
    void renew_setup_code()
    {
        auto renewed = authenticator_.renew_expired_setup_code();
        if (!renewed)
            log(LogLevel::Error, "uplinkd", "web: cannot make a new setup code: {}", renewed.error().message());
        else if (*renewed)
            log_setup_code(**renewed);
    }

    // The modems' connections configure their interfaces through rtnetlink (LinkSetup); a WAN
    // that the web server answers on is worth a warning each time it gets its addresses.
    Settings with_hooks(Settings settings)
    {
        settings.modem.link = link_setup_.hooks();
        settings.modem.link.configure = [this, configure = std::move(settings.modem.link.configure)](
                                            const modem::LinkConfiguration& link) {
            auto configured = configure(link);
            std::vector<std::string> addresses;
            for (const auto* ip : {link.ipv4 ? &*link.ipv4 : nullptr, link.ipv6 ? &*link.ipv6 : nullptr})
                if (ip)
                    addresses.push_back(ip->address);
            if (auto exposure = web_exposure_on_wan(settings_.web, link.interface, addresses);
                configured && web_ && !exposure.empty())
                log(LogLevel::Warning, "uplinkd", "web: {}: only uplink's firewall, which drops new connections "
                    "from {}, keeps the login page from the internet", exposure, link.interface);
            return configured;
        };
        return settings;
    }

    // `uplink passwd`: the new password's KDF runs on the worker, as a login's does.
    static asio::awaitable<Result<void>> reset_admin_password(Daemon* daemon, std::string password)
    {
        // A login's KDF may be running: the reset has the next turn (Authenticator), so it waits
        // for it, checking as often as a KDF could end, within the reservation.
        auto operation = daemon->authenticator_.begin_reset_password(password);
        asio::steady_timer turn(daemon->io_);
        auto give_up = Clock::now() + auth::Authenticator::reset_reservation;
        while (!operation && operation.error() == auth::Errc::Busy && Clock::now() < give_up) {
            turn.expires_after(std::chrono::milliseconds(20));
            co_await turn.async_wait(asio::as_tuple(asio::use_awaitable));
            operation = daemon->authenticator_.begin_reset_password(password);
        }
        if (!operation)
            co_return operation.error();
        auto reset = co_await auth::complete(daemon->authenticator_, std::move(*operation),
                                             daemon->kdf_worker_.get_executor());
        if (!reset)
            co_return reset.error();
        auto revoked = daemon->tokens_.revoke_all();
        log(LogLevel::Info, "uplinkd", "the admin password was set with `uplink passwd`; every web session ended{}",
            revoked ? ", every API token revoked" : fmt::format(", but the API tokens are not revoked: {}", revoked.error().message()));
        co_return Result<void>();
    }

    // `daemon` outlives the loop: main() runs the loop inside its lifetime.
    static asio::awaitable<void> handle_signals(Daemon* daemon)
    {
        for (;;) {
            auto [error, number] = co_await daemon->signals_.async_wait(asio::as_tuple(asio::use_awaitable));
            if (error)
                co_return;
            if (number == SIGHUP) {
                daemon->reload();
                continue;
            }
            log(LogLevel::Info, "uplinkd", "stopping ({})", number == SIGTERM ? "SIGTERM" : "SIGINT");
            daemon->stop();
            co_return;
        }
    }

    void stop()
    {
        stopping_ = true;
        if (web_)
            web_->stop();
        server_.stop();
        setup_code_renewal_.stop();
        usage_.stop(); // the last sample, while the interfaces are still there
        signal_history_.stop();
        modem_links_ = {};
        wans_.stop(); // while the links are still there, so their routes go with no error
        manager_.stop();
        boost::system::error_code ignored;
        signals_.cancel(ignored);
    }

    // The new file is checked whole; only when it passes does anything change.
    void reload()
    {
        std::vector<ConfigDiagnostic> diagnostics;
        auto loaded = load_settings(config_path_, diagnostics);
        if (!loaded) {
            log(LogLevel::Error, "uplinkd", "reload refused: {} has {} problem{}; the running configuration stays",
                config_path_, diagnostics.size(), diagnostics.size() == 1 ? "" : "s");
            for (const auto& diagnostic : diagnostics)
                log(LogLevel::Error, "uplinkd", "{}", located(config_path_, diagnostic));
            return;
        }
        if (loaded->source == SettingsSource::Defaults)
            log(LogLevel::Warning, "uplinkd", "{} is gone; reloading the defaults", config_path_);
        for (const auto& warning : loaded->warnings)
            log(LogLevel::Warning, "uplinkd", "{}", warning);
        auto changed = changed_settings(settings_, loaded->settings);
        if (changed.empty()) {
            log(LogLevel::Info, "uplinkd", "reloaded {}: nothing changed", config_path_);
            return;
        }
        apply_settings(std::move(loaded->settings), std::move(changed), "reloaded");
    }

    // A reload's or an API edit's settings, checked whole already: only what changed takes effect.
    void apply_settings(Settings loaded, std::vector<std::string> changed, std::string_view how)
    {
        auto next = with_hooks(std::move(loaded));
        set_log_level(next.log_level);
        // Kept as they run, so that the running settings say what is in effect.
        if (auto pending = restart_required(settings_, next); !pending.empty())
            log(LogLevel::Warning, "uplinkd", "{} change only when uplinkd restarts", joined(pending));
        next.socket_path = settings_.socket_path;
        next.socket_group = settings_.socket_group;
        next.web = settings_.web;
        next.modem.state_dir = settings_.modem.state_dir;
        next.history_dir = settings_.history_dir;
        manager_.apply(next.modem);
        wans_.apply(next.wan);
        usage_.set_reset_day(next.usage_reset_day);
        settings_ = std::move(next);
        log(LogLevel::Info, "uplinkd", "{} {}: changed {}", how, config_path_, joined(changed));
    }

    asio::io_context& io_;
    std::string config_path_;
    LinkSetup link_setup_;      // before the manager: the modems' hooks point into it
    Settings settings_;
    modem::Manager manager_;
    ConfigEditor editor_;
    UsageRecorder usage_;
    SignalRecorder signal_history_;
    WanSupervisor wans_{io_.get_executor(), [this](const std::string& wan, const health::Transition& transition) {
        manager_.publish({modem::Event::Kind::WanChanged, "", health::to_string(transition),
                          std::chrono::system_clock::now(), wan});
    }};
    modem::Manager::Subscription modem_links_;
    auth::Authenticator authenticator_{settings_.modem.state_dir};   // the web UI's login
    auth::TokenStore tokens_{settings_.modem.state_dir + "/" + std::string(auth::token_file_name)};
    // The password KDF's thread (scrypt: hundreds of milliseconds on a router), so that the loop
    // goes on meanwhile. After the Authenticator: joined before it goes, so no KDF's outcome is
    // ever recorded into a destroyed one (a pending one is dropped with the loop's handlers).
    asio::thread_pool kdf_worker_{1};
    Periodic setup_code_renewal_{io_.get_executor(), std::chrono::minutes(1), "setup code renewal",
                                 [this] { renew_setup_code(); }};
    ManagerSource source_;
    api::DaemonInfo info_{UPLINK_VERSION, Clock::now()};
    api::Server server_;
    std::optional<web::Server> web_;
    asio::signal_set signals_;
    bool stopping_ = false;
};

const char* usage_text = "usage: uplinkd [--config PATH]\n"
                         "  --config PATH   the configuration file (default /etc/config/uplink; see docs/config.md)\n"
                         "  --version       print the version\n";

int run(int argc, char** argv)
{
    std::string config_path = default_config_path;
    for (int i = 1; i < argc; ++i) {
        std::string_view argument = argv[i];
        if ((argument == "--config" || argument == "-c") && i + 1 < argc) {
            config_path = argv[++i];
        } else if (argument.substr(0, 9) == "--config=") {
            config_path = std::string(argument.substr(9));
        } else if (argument == "--version") {
            std::printf("uplinkd %s\n", UPLINK_VERSION);
            return 0;
        } else if (argument == "--help" || argument == "-h") {
            std::fputs(usage_text, stdout);
            return 0;
        } else {
            std::fprintf(stderr, "uplinkd: unknown argument '%s'\n%s", argv[i], usage_text);
            return 2;
        }
    }

    std::vector<ConfigDiagnostic> diagnostics;
    auto loaded = load_settings(config_path, diagnostics);
    if (!loaded) {
        for (const auto& diagnostic : diagnostics)
            std::fprintf(stderr, "uplinkd: %s\n", located(config_path, diagnostic).c_str());
        if (diagnostics.empty())
            std::fprintf(stderr, "uplinkd: %s: %s\n", config_path.c_str(), loaded.error().message().c_str());
        return 2;
    }
    set_log_level(loaded->settings.log_level);
    if (loaded->source == SettingsSource::Defaults)
        log(LogLevel::Info, "uplinkd", "no configuration at {}; using the defaults (see docs/config.md)", config_path);
    for (const auto& warning : loaded->warnings)
        log(LogLevel::Warning, "uplinkd", "{}", warning);
    if (!loaded->settings.modem.netifd_modems.empty())
        log(LogLevel::Info, "uplinkd", "{} gives netifd the modem{} {}: they connect when netifd asks",
            loaded->settings.netifd_network, loaded->settings.modem.netifd_modems.size() == 1 ? "" : "s",
            joined(loaded->settings.modem.netifd_modems));

    // A client that hangs up mid-reply is an error value on the write, not a fatal signal.
    std::signal(SIGPIPE, SIG_IGN);
    // What uplinkd creates (SQLite's databases and journals, state files, the config it saves)
    // is its own: PINs, usage and the owner's settings are no other user's to read.
    ::umask(077);

    asio::io_context io;
    Daemon daemon(io, config_path, std::move(loaded->settings));
    if (!daemon.start())
        return 1;
    while (!daemon.stopping() && io.run_one() > 0) {
    }
    // Let every coroutine see its cancellation and end, within a bound.
    auto deadline = std::chrono::steady_clock::now() + stop_grace;
    while (!io.stopped() && io.run_one_until(deadline) > 0) {
    }
    if (!io.stopped())
        log(LogLevel::Warning, "uplinkd", "some work had not ended {} s after the stop; leaving anyway",
            stop_grace.count());
    log(LogLevel::Info, "uplinkd", "stopped");
    return 0;
}

} // namespace
} // namespace uplink::daemon

int main(int argc, char** argv)
{
    try {
        return uplink::daemon::run(argc, argv);
    } catch (const std::exception& exception) {
        std::fprintf(stderr, "uplinkd: %s\n", exception.what());
        return 1;
    }
}
