// Manager: discovery + one Modem per device. Every change of the device set goes through rescan(),
// whatever asked for it (start, uevent, inotify, a port that failed), after a short debounce so a
// device's interfaces arrive together.
#include "modem/hotplug.hpp"
#include "modem/modem_instance.hpp"
#include "modem/wan_numbers.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <filesystem>
#include <map>

namespace uplink::modem {

namespace asio = boost::asio;

namespace {

constexpr Duration debounce = 100ms;
constexpr Duration debounce_limit = 500ms; // a stream of events still rescans this often
constexpr std::size_t recent_limit = 200;

std::string state_path(const Options& options, std::string_view file)
{
    return (std::filesystem::path(options.state_dir) / file).string();
}

ModemSettings settings_of(const Options& options, const std::string& id, unsigned wan_number)
{
    bool netifd = std::ranges::any_of(options.netifd_modems,
        [&](const std::string& modem) { return modem == id || modem == wan_name(wan_number); });
    return {options.poll_interval, options.command_timeout, options.policy, options.link, wan_number,
        netifd ? LinkOwner::Netifd : LinkOwner::Uplinkd, options.sysfs_root, state_path(options, "radio-defaults")};
}

// Same hardware in the same slot: same ids and the same ports (a replug faster than the debounce
// keeps its names; another modem in the slot does not).
bool same_hardware(const Device& a, const Device& b)
{
    if (a.vendor_id != b.vendor_id || a.product_id != b.product_id
        || a.ports.size() != b.ports.size())
        return false;
    for (std::size_t i = 0; i < a.ports.size(); ++i)
        if (a.ports[i].name != b.ports[i].name)
            return false;
    return true;
}

} // namespace

struct Manager::Impl : std::enable_shared_from_this<Manager::Impl> {
    Impl(asio::any_io_executor executor, Options options)
        : executor(executor)
        , options(std::move(options))
        , debounce_timer(executor)
        , store(std::make_shared<PinFailureStore>(state_path(this->options, "pin-failures")))
        , wan_numbers(state_path(this->options, "wans"))
    {
        std::vector<ConfigDiagnostic> diagnostics;
        auto parsed = parse_vendor_table(embedded_vendor_table(), diagnostics);
        if (parsed) {
            table = std::move(*parsed);
        } else {
            // A build defect (vendor_table_test checks the embedded file); run on probing alone.
            for (const auto& diagnostic : diagnostics)
                log(LogLevel::Error, "modem", "built-in vendors.uci:{}: {}", diagnostic.line,
                    diagnostic.message);
        }
    }

    void start();
    void stop();
    void request_rescan();
    void rescan();
    void add(FoundModem found);
    void remove(std::string id, std::string reason);
    void emit(Event::Kind kind, std::string modem_id, std::string message);
    void publish(Event event);
    void notify(const Event& event);

    asio::any_io_executor executor;
    Options options;
    VendorTable table;
    asio::steady_timer debounce_timer;
    std::optional<Clock::time_point> first_request;
    std::shared_ptr<PinFailureStore> store;
    WanNumbers wan_numbers;
    std::shared_ptr<HotplugWatcher> watcher;
    bool running = false;

    std::map<std::string, std::shared_ptr<Modem>> modems;
    // By USB path, kept when the modem goes: a reset modem comes back on the ladder it climbed.
    std::map<std::string, std::shared_ptr<RecoveryLadder>> ladders;
    std::deque<Event> recent;
    std::uint64_t next_listener = 1;
    std::map<std::uint64_t, std::shared_ptr<Listener>> listeners;
};

void Manager::Impl::start()
{
    if (running)
        return;
    running = true;
    std::weak_ptr<Impl> weak = shared_from_this();
    watcher = std::make_shared<HotplugWatcher>(executor, options.sysfs_root, [weak] {
        if (auto self = weak.lock())
            self->request_rescan();
    });
    watcher->start();
    rescan();
}

void Manager::Impl::stop()
{
    if (!running)
        return;
    running = false;
    if (watcher)
        watcher->stop();
    watcher.reset();
    debounce_timer.cancel();
    first_request.reset();
    while (!modems.empty())
        remove(modems.begin()->first, "stopped");
}

// Trailing-edge debounce, bounded: 100 ms after the last request, at most 500 ms after the first.
void Manager::Impl::request_rescan()
{
    if (!running)
        return;
    auto now = Clock::now();
    if (!first_request)
        first_request = now;
    auto deadline = std::min(now + debounce, *first_request + debounce_limit);
    debounce_timer.expires_at(deadline);
    debounce_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || !self->running)
            return;
        self->first_request.reset();
        self->rescan();
    });
}

void Manager::Impl::rescan()
{
    auto found = scan_usb_modems(options.sysfs_root, options.dev_root, table);
    std::map<std::string, FoundModem> present;
    for (auto& modem : found)
        present.emplace(modem.device.usb_path, std::move(modem));

    std::vector<std::string> gone;
    for (const auto& [id, modem] : modems) {
        auto it = present.find(id);
        if (it == present.end() || !same_hardware(modem->device(), it->second.device))
            gone.push_back(id);
    }
    for (const auto& id : gone)
        remove(id, present.contains(id) ? "replaced by another device" : "unplugged");
    for (auto& [id, modem] : present)
        if (!modems.contains(id))
            add(std::move(modem));
}

void Manager::Impl::add(FoundModem found)
{
    auto id = found.device.usb_path;
    std::weak_ptr<Impl> weak = shared_from_this();
    Modem::Callbacks callbacks {
        [weak, id](Event::Kind kind, std::string message) {
            if (auto self = weak.lock())
                self->emit(kind, id, std::move(message));
        },
        [weak] {
            if (auto self = weak.lock())
                self->request_rescan();
        },
        [weak, id](std::string message) {
            if (auto self = weak.lock())
                self->notify({Event::Kind::SignalChanged, id, std::move(message),
                    std::chrono::system_clock::now(), {}});
        },
    };
    auto description = fmt::format("{}:{} {}", found.device.vendor_id, found.device.product_id,
        found.entry ? found.entry->name : "(not in the vendor table: probing)");
    auto& ladder = ladders[id];
    if (!ladder)
        ladder = std::make_shared<RecoveryLadder>();
    auto modem = std::make_shared<Modem>(executor, std::move(found),
        settings_of(options, id, wan_numbers.number_for(id)), store, ladder, std::move(callbacks));
    modems.emplace(id, modem);
    log(LogLevel::Info, "modem", "{}: added, {}", id, description);
    emit(Event::Kind::Added, id, description);
    modem->start();
}

void Manager::Impl::remove(std::string id, std::string reason)
{
    auto it = modems.find(id);
    if (it == modems.end())
        return;
    auto modem = it->second;
    modems.erase(it);
    modem->stop();
    log(LogLevel::Info, "modem", "{}: removed ({})", id, reason);
    emit(Event::Kind::Removed, id, std::move(reason));
}

void Manager::Impl::emit(Event::Kind kind, std::string modem_id, std::string message)
{
    publish({kind, std::move(modem_id), std::move(message), std::chrono::system_clock::now(), {}});
}

void Manager::Impl::publish(Event event)
{
    recent.push_back(event);
    while (recent.size() > recent_limit)
        recent.pop_front();
    notify(event);
}

void Manager::Impl::notify(const Event& event)
{
    // A copy: a listener may subscribe or unsubscribe (itself or another) while being called.
    auto snapshot = listeners;
    for (const auto& [key, listener] : snapshot)
        if (listeners.contains(key))
            (*listener)(event);
}

// ---------------------------------------------------------------- Manager

Manager::Manager(asio::any_io_executor executor, Options options)
    : impl_(std::make_shared<Impl>(executor, std::move(options)))
{
}

Manager::~Manager()
{
    impl_->stop();
}

void Manager::start()
{
    impl_->start();
}

void Manager::stop()
{
    impl_->stop();
}

void Manager::apply(Options options)
{
    auto& current = impl_->options;
    bool tree_changed
        = options.sysfs_root != current.sysfs_root || options.dev_root != current.dev_root;
    if (options.state_dir != current.state_dir) {
        impl_->store = std::make_shared<PinFailureStore>(state_path(options, "pin-failures"));
        impl_->wan_numbers = WanNumbers(state_path(options, "wans"));
    }
    if (tree_changed && impl_->running) {
        impl_->stop();
        current = std::move(options);
        impl_->start();
        return;
    }
    current = std::move(options);
    for (auto& [id, modem] : impl_->modems)
        modem->apply(settings_of(current, id, impl_->wan_numbers.number_for(id)));
}

std::vector<PlannedChange> Manager::preview(const Options& options, SecretComparison secrets) const
{
    std::vector<PlannedChange> plans;
    for (const auto& [id, modem] : impl_->modems)
        plans.push_back(modem->plan(options.policy, secrets));
    return plans;
}

std::optional<std::vector<DialogueLine>> Manager::dialogue(std::string_view id) const
{
    auto it = impl_->modems.find(std::string(id));
    if (it == impl_->modems.end())
        return std::nullopt;
    return it->second->dialogue();
}

std::vector<Snapshot> Manager::modems() const
{
    std::vector<Snapshot> snapshots;
    for (const auto& [id, modem] : impl_->modems)
        snapshots.push_back(modem->snapshot());
    return snapshots;
}

std::optional<Snapshot> Manager::modem(std::string_view id) const
{
    auto it = impl_->modems.find(std::string(id));
    if (it == impl_->modems.end())
        return std::nullopt;
    return it->second->snapshot();
}

Result<void> Manager::connect(std::string_view modem_id)
{
    auto it = impl_->modems.find(std::string(modem_id));
    if (it == impl_->modems.end())
        return make_error_code(Errc::NoSuchModem);
    return it->second->set_connection_wanted(true);
}

Result<void> Manager::disconnect(std::string_view modem_id)
{
    auto it = impl_->modems.find(std::string(modem_id));
    if (it == impl_->modems.end())
        return make_error_code(Errc::NoSuchModem);
    return it->second->set_connection_wanted(false);
}

Result<Clock::time_point> Manager::fast_signal(std::string_view modem_id, Duration length)
{
    auto it = impl_->modems.find(std::string(modem_id));
    if (it == impl_->modems.end())
        return make_error_code(Errc::NoSuchModem);
    return it->second->fast_signal(length);
}

asio::awaitable<Result<at::Reply>> Manager::send_at(std::string modem_id, std::string command)
{
    auto it = impl_->modems.find(modem_id);
    if (it == impl_->modems.end())
        co_return make_error_code(Errc::NoSuchModem);
    auto modem = it->second; // keeps it alive while the command waits, even if it is removed
    co_return co_await modem->send_at(std::move(command));
}

asio::awaitable<Result<PinOutcome>> Manager::set_sim_pin(std::string modem_id, PinRequest request)
{
    auto it = impl_->modems.find(modem_id);
    if (it == impl_->modems.end())
        co_return make_error_code(Errc::NoSuchModem);
    auto modem = it->second; // alive while the SIM answers
    co_return co_await modem->set_sim_pin(std::move(request));
}

asio::awaitable<Result<std::vector<NetworkEntry>>> Manager::scan_networks(std::string modem_id)
{
    auto it = impl_->modems.find(modem_id);
    if (it == impl_->modems.end())
        co_return make_error_code(Errc::NoSuchModem);
    auto modem = it->second; // alive while the radio searches
    co_return co_await modem->scan_networks();
}

Manager::Subscription Manager::subscribe(Listener listener)
{
    auto key = impl_->next_listener++;
    impl_->listeners.emplace(key, std::make_shared<Listener>(std::move(listener)));
    return Subscription([weak = std::weak_ptr<Impl>(impl_), key] {
        if (auto impl = weak.lock())
            impl->listeners.erase(key);
    });
}

std::vector<Event> Manager::recent_events() const
{
    return {impl_->recent.begin(), impl_->recent.end()};
}

void Manager::publish(Event event)
{
    impl_->publish(std::move(event));
}

} // namespace uplink::modem
