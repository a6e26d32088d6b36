#include "sim/emulator.hpp"

#include "sim/control_server.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <set>
#include <sys/stat.h>
#include <sys/un.h>

namespace uplink::sim {

namespace asio = boost::asio;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

constexpr std::size_t max_command_line = 4096; // longer lines are dropped unanswered
constexpr std::size_t max_outbox = 1 << 20; // bytes waiting for a reader; more are dropped

// Spawned coroutines end by themselves (their port closes, their generation passes); an
// exception is a bug, logged here once.
void spawn(asio::io_context& context, asio::awaitable<void> task, std::string what)
{
    asio::co_spawn(context, std::move(task), LogFailure {"uplink-sim", what + " failed"});
}

// AT socket connections: past every bInterfaceNumber (a byte), so the model keeps their
// settings apart from the USB ports'.
constexpr int first_socket_interface = 256;

// The ports that answer AT (and get URCs): the model's AT and modem functions (EC25: ttyUSB2
// and ttyUSB3; MC7455: ttyUSB2), and every AT socket connection.
bool answers_at(const auto& port)
{
    return port->function == nullptr || port->function->answers_at();
}

bool carries_qmi(const auto& port)
{
    return port->function != nullptr && port->function->role == FunctionRole::Qmi;
}

} // namespace

Emulator::Emulator(asio::io_context& context, Scenario scenario, std::filesystem::path root,
    std::filesystem::path control_path)
    : context_(context)
    , scenario_(std::move(scenario))
    , tree_(std::move(root))
    , control_path_(std::move(control_path))
    , start_(Clock::now())
{
    std::set<std::string> inserted;
    for (const auto& spec : scenario_.modems) {
        auto device = std::make_unique<Device>();
        device->spec = spec;
        device->presence = spec.plugged ? Presence::In : Presence::Out;
        device->surroundings = initial_surroundings(spec);
        if (spec.sim) {
            device->card = SimCard(*scenario_.find_sim(*spec.sim));
            inserted.insert(*spec.sim);
        }
        device->layout.usb = spec.usb;
        device->layout.model = spec.profile;
        devices_.push_back(std::move(device));
    }
    for (const auto& sim : scenario_.sims)
        if (!inserted.contains(sim.id))
            loose_cards_.emplace(sim.id, SimCard(sim));
}

Emulator::~Emulator()
{
    stop();
}

Result<void> Emulator::start()
{
    start_ = Clock::now();
    if (!qmi_capture_path_.empty()) {
        qmi_capture_.open(qmi_capture_path_, std::ios::app);
        if (!qmi_capture_)
            return Error(errno != 0 ? errno : EIO, boost::system::system_category());
    }
    if (auto created = tree_.create(); !created)
        return created;
    running_ = true;
    if (auto watching = watch_port_switches(); !watching) {
        stop();
        return watching;
    }
    spawn(context_, read_port_switches(port_switches_), "USB port switches");
    for (auto& device : devices_) {
        if (device->presence == Presence::Out)
            continue;
        if (auto plugged = plug(*device); !plugged) {
            stop();
            return plugged;
        }
    }
    control_ = std::make_unique<ControlServer>(
        context_, control_path_, [this](std::string_view line) { return handle_control(line); });
    if (auto listening = control_->start(); !listening) {
        stop();
        return listening;
    }
    return {};
}

void Emulator::stop()
{
    if (!running_)
        return;
    running_ = false;
    if (control_)
        control_->stop();
    if (port_switches_) {
        boost::system::error_code ignored;
        port_switches_->close(ignored);
    }
    for (auto& device : devices_)
        unplug(*device);
    tree_.remove();
}

// ---------------------------------------------------------------- plug and unplug
// The option driver takes the lowest free minors, one port at a time, across modems.
void Emulator::allocate_numbers(Device& device)
{
    std::set<int> ttys, wdms;
    for (const auto& other : devices_) {
        if (other.get() == &device || !other->model)
            continue;
        ttys.insert(other->layout.tty_numbers.begin(), other->layout.tty_numbers.end());
        wdms.insert(other->layout.wdm_number);
    }
    int next = 0;
    device.layout.tty_numbers.assign(device.layout.model->serial_count(), 0);
    for (auto& number : device.layout.tty_numbers) {
        while (ttys.contains(next))
            ++next;
        number = next++;
    }
    int wdm = 0;
    while (wdms.contains(wdm))
        ++wdm;
    device.layout.wdm_number = wdm;
}

Result<void> Emulator::open_ports(Device& device)
{
    auto count = device.layout.model->functions.size();
    device.ptys.resize(count);
    device.ports.assign(count, nullptr);
    device.layout.pty_paths.assign(count, {});
    for (std::size_t index = 0; index < device.ptys.size(); ++index) {
        auto pty = Pty::open();
        if (!pty)
            return pty.error();
        device.ptys[index] = std::move(*pty);
        device.layout.pty_paths[index] = device.ptys[index].slave_path();
    }
    return {};
}

Result<void> Emulator::plug(Device& device)
{
    allocate_numbers(device);
    if (auto opened = open_ports(device); !opened) {
        close_ports(device);
        return opened;
    }
    if (auto plugged = tree_.plug(device.layout); !plugged) {
        tree_.unplug_sysfs(device.layout);
        close_ports(device);
        tree_.unplug_dev(device.layout);
        return plugged;
    }
    auto now = Clock::now();
    device.model = std::make_unique<Modem>(
        device.spec, scenario_.operators, std::move(device.card), device.surroundings, start_, now);
    device.card.reset();
    auto generation = ++device.generation;
    device.events = std::make_shared<asio::steady_timer>(context_);
    std::size_t serial = 0;
    for (std::size_t index = 0; index < device.ports.size(); ++index) {
        auto port = std::make_shared<PortIo>(context_, device.ptys[index].release_master());
        port->function = &device.layout.model->functions[index];
        port->interface = port->function->number;
        port->name = port->function->serial()
            ? fmt::format("ttyUSB{}", device.layout.tty_numbers[serial++])
            : fmt::format("cdc-wdm{}", device.layout.wdm_number);
        device.ports[index] = port;
        spawn(context_, read_port(&device, port, generation), device.spec.id + " " + port->name);
        if (carries_qmi(port))
            spawn(context_, send_qmi(&device, port, generation), device.spec.id + " " + port->name);
    }
    spawn(context_, run_events(&device, generation), device.spec.id + " events");
    if (auto listening = listen_at(device); !listening) {
        log(LogLevel::Error, "uplink-sim", "{}: cannot listen on {}: {}", device.spec.id,
            at_socket_path(device).string(), listening.error().message());
        unplug(device);
        return listening;
    }
    if (auto created = create_data_plane(device); !created) {
        unplug(device);
        return created;
    }
    log(LogLevel::Info, "uplink-sim", "{} ({}) plugged at {}: ttyUSB{}..ttyUSB{}, cdc-wdm{}, {}",
        device.spec.id, device.spec.model, device.spec.usb.path, device.layout.tty_numbers.front(),
        device.layout.tty_numbers.back(), device.layout.wdm_number,
        at_socket_path(device).filename().string());
    return {};
}

// Like a USB disconnect: the sysfs entries go first, then the ports close (readers get EIO
// or a hangup), then the /dev nodes go.
void Emulator::unplug(Device& device)
{
    if (!device.model)
        return;
    tree_.unplug_sysfs(device.layout);
    device.surroundings = device.model->surroundings();
    device.card = device.model->take_card();
    device.model.reset();
    device.data_plane.reset(); // wwan goes with the USB device, as qmi_wwan's netdev does
    ++device.generation;
    close_ports(device);
    tree_.unplug_dev(device.layout);
    log(LogLevel::Info, "uplink-sim", "{} unplugged", device.spec.id);
}

void Emulator::close_ports(Device& device)
{
    for (auto& port : device.ports) {
        if (!port)
            continue;
        port->closed = true;
        port->reply_timer.cancel();
        boost::system::error_code ignored;
        port->stream.close(ignored);
        port.reset();
    }
    for (auto& pty : device.ptys)
        pty.close();
    if (device.at_socket) {
        boost::system::error_code ignored;
        device.at_socket->close(ignored);
        device.at_socket.reset();
        std::error_code removed;
        std::filesystem::remove(at_socket_path(device), removed);
    }
    for (auto& connection : std::exchange(device.connections, {})) {
        connection->closed = true;
        connection->reply_timer.cancel();
        boost::system::error_code ignored;
        connection->stream.close(ignored);
    }
    if (device.events)
        device.events->cancel();
    device.events.reset();
}

// ---------------------------------------------------------------- the AT socket
std::filesystem::path Emulator::at_socket_path(const Device& device) const
{
    return tree_.root() / (device.spec.id + "-at.sock");
}

Result<void> Emulator::listen_at(Device& device)
{
    auto path = at_socket_path(device);
    if (path.native().size() >= sizeof(sockaddr_un::sun_path))
        return Error(ENAMETOOLONG, boost::system::system_category());
    // A socket left by an earlier run is replaced; any other file is not ours to remove.
    struct stat status { };
    if (::lstat(path.c_str(), &status) == 0) {
        if (!S_ISSOCK(status.st_mode))
            return Error(EEXIST, boost::system::system_category());
        std::filesystem::remove(path);
    }
    auto acceptor = std::make_shared<asio::local::stream_protocol::acceptor>(context_);
    boost::system::error_code error;
    acceptor->open(asio::local::stream_protocol(), error);
    if (!error)
        acceptor->bind(asio::local::stream_protocol::endpoint(path.native()), error);
    if (!error)
        acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error)
        return error;
    device.at_socket = acceptor;
    device.next_interface = first_socket_interface;
    spawn(context_, accept_at(&device, std::move(acceptor), device.generation),
        device.spec.id + " AT socket");
    return {};
}

// Each connection is one more AT port of the same modem, read and written like a pty.
asio::awaitable<void> Emulator::accept_at(Device* device,
    std::shared_ptr<asio::local::stream_protocol::acceptor> acceptor, unsigned generation)
{
    for (;;) {
        auto [error, socket] = co_await acceptor->async_accept(as_tuple(use_awaitable));
        if (!acceptor->is_open() || device->generation != generation)
            co_return;
        boost::system::error_code released;
        auto descriptor = error ? -1 : socket.release(released);
        if (error || released) {
            log(LogLevel::Warning, "uplink-sim", "{} AT socket: {}", device->spec.id,
                (error ? error : released).message());
            continue;
        }
        auto port = std::make_shared<PortIo>(context_, descriptor);
        port->interface = device->next_interface++;
        port->name = fmt::format("at.sock#{}", port->interface - first_socket_interface + 1);
        device->connections.push_back(port);
        log(LogLevel::Info, "uplink-sim", "{} {}: connected", device->spec.id, port->name);
        spawn(context_, read_port(device, port, generation), device->spec.id + " " + port->name);
    }
}

void Emulator::close_connection(Device& device, const std::shared_ptr<PortIo>& port)
{
    log(LogLevel::Info, "uplink-sim", "{} {}: closed", device.spec.id, port->name);
    port->closed = true;
    port->reply_timer.cancel();
    boost::system::error_code ignored;
    port->stream.close(ignored);
    std::erase(device.connections, port);
    if (device.model)
        device.model->forget_port(port->interface);
}

// ---------------------------------------------------------------- port I/O
asio::awaitable<void> Emulator::read_port(
    Device* device, std::shared_ptr<PortIo> port, unsigned generation)
{
    std::array<char, 4096> buffer {};
    bool overflow = false;
    for (;;) {
        auto [error, size]
            = co_await port->stream.async_read_some(asio::buffer(buffer), as_tuple(use_awaitable));
        if (port->closed || device->generation != generation)
            co_return;
        if (error) {
            log(LogLevel::Debug, "uplink-sim", "{} {}: {}", device->spec.id, port->name,
                error.message());
            if (port->function == nullptr)
                close_connection(*device, port); // the client hung up: the port goes
            co_return;
        }
        device->bytes_in += static_cast<long>(size);
        if (carries_qmi(port))
            capture(*device, Sender::Host, std::string_view(buffer.data(), size));
        if (!port->hung && carries_qmi(port)) {
            take_qmi_bytes(*device, port,
                std::span(reinterpret_cast<const std::uint8_t*>(buffer.data()), size));
            continue;
        }
        // DM and NMEA are not emulated; a hung port swallows what it reads.
        if (port->hung || !answers_at(port))
            continue;
        for (char c : std::string_view(buffer.data(), size)) {
            if (c == '\r') {
                auto line = std::exchange(port->line, {});
                if (!std::exchange(overflow, false))
                    co_await take_line(device, port, std::move(line));
                if (port->closed || device->generation != generation)
                    co_return;
            } else if (c == '\b') { // V.250 S5: backspace edits the line
                if (!port->line.empty())
                    port->line.pop_back();
            } else if (c != '\n') { // S4 (line feed) is ignored on input
                port->line += c;
                if (port->line.size() > max_command_line) {
                    overflow = true;
                    port->line.clear();
                }
            }
        }
    }
}

// One command line: echo at once, the reply after the modem's latency. The port reads nothing
// else meanwhile, like a modem that handles one command at a time.
asio::awaitable<void> Emulator::take_line(
    Device* device, std::shared_ptr<PortIo> port, std::string line)
{
    auto* modem = device->model.get();
    if (modem == nullptr || port->hung)
        co_return;
    auto now = Clock::now();
    deliver(*device, modem->advance(now));
    auto answer = modem->command(port->interface, line, now);
    kick(*device);
    if (!answer)
        co_return; // still booting: the port does not answer
    if (!answer->echo.empty())
        write(*device, port, std::move(answer->echo));
    if (answer->reply.empty())
        co_return;
    port->reply_timer.expires_at(now + answer->delay);
    co_await port->reply_timer.async_wait(as_tuple(use_awaitable));
    if (port->closed)
        co_return;
    write(*device, port, std::move(answer->reply));
}

asio::awaitable<void> Emulator::run_events(Device* device, unsigned generation)
{
    auto timer = device->events;
    for (;;) {
        if (device->generation != generation || !device->model)
            co_return;
        auto deadline = device->model->next_deadline();
        timer->expires_at(deadline.value_or(Clock::now() + std::chrono::hours(24)));
        co_await timer->async_wait(as_tuple(use_awaitable));
        if (device->generation != generation || !device->model)
            co_return;
        deliver(*device, device->model->advance(Clock::now()));
    }
}

// The model has new events: the event loop re-reads its deadline.
void Emulator::kick(Device& device)
{
    if (device.events)
        device.events->cancel();
}

// The carrier's own address, 100.64.0.1, before the modem has a bearer: a /32, so that it
// routes nothing and modems sharing a carrier namespace do not claim each other's blocks.
constexpr Ipv4Prefix carrier_idle_address {0x64400001, 32};

// The modem's TUN in the router's namespace and the carrier's in the carrier's. carrier<k> holds
// the gateway of the modem's IPv4 bearer with its /30 (sync_data_plane), so the carrier routes
// that block, and only that one, back through this modem.
Result<void> Emulator::create_data_plane(Device& device)
{
    if (!device.spec.data_path)
        return {};
    DataPlaneSetup setup;
    setup.router_namespace = device.spec.data_path->namespace_name;
    setup.router_interface = fmt::format("wwan{}", device.layout.wdm_number);
    setup.carrier_namespace = device.spec.data_path->carrier_namespace;
    setup.carrier_interface = fmt::format("carrier{}", device.layout.wdm_number);
    setup.carrier_address = carrier_idle_address;
    device.carrier_address = carrier_idle_address;
    std::string message;
    auto plane = DataPlane::create(context_, std::move(setup), message);
    if (!plane) {
        log(LogLevel::Error, "uplink-sim", "{}: no data path: {}", device.spec.id, message);
        return plane.error();
    }
    device.data_plane.emplace(std::move(*plane));
    device.data_plane->set_link(device.link);
    sync_data_plane(device);
    return {};
}

// Packets cross while the modem has a bearer; the link follows the serving cell's signal.
// carrier<k> moves to the gateway of the first IPv4 bearer's /30 and stays there after the
// bearer ends (downlink packets to it count as dropped, bearer down).
void Emulator::sync_data_plane(Device& device)
{
    if (!device.data_plane || !device.model)
        return;
    const auto& radio = device.model->radio();
    device.data_plane->set_signal(Signal {radio.primary.rsrp, radio.primary.sinr, radio.primary.bandwidth_mhz});
    const auto& bearers = device.model->bearers();
    auto ipv4 = std::find_if(bearers.begin(), bearers.end(),
        [](const Bearer& bearer) { return bearer.family == IpFamily::V4; });
    if (ipv4 != bearers.end()) {
        Ipv4Prefix gateway {ipv4->addresses.ipv4_gateway, 30};
        std::string message;
        if (gateway != device.carrier_address) {
            if (!device.data_plane->set_carrier_address(gateway, message))
                log(LogLevel::Error, "uplink-sim", "{}: no route to the bearer: {}", device.spec.id,
                    message);
            device.carrier_address = gateway; // tried once: a failure is logged, not repeated
        }
    }
    auto up = !bearers.empty() ? BearerState::Up : BearerState::Down;
    if (device.data_plane->bearer() != up) {
        log(LogLevel::Info, "uplink-sim", "{}: data path {}", device.spec.id, to_string(up));
        device.data_plane->set_bearer(up);
    }
}

// URCs go to the ports that answer AT (EC25: the USB AT port and the modem port) and every AT
// socket connection, QMI indications to the QMI port. Every model step ends here, so the data
// path follows the bearers from here too.
void Emulator::deliver(Device& device, const std::vector<std::string>& urcs)
{
    sync_data_plane(device);
    std::string bytes;
    for (const auto& urc : urcs)
        bytes += urc;
    if (!bytes.empty()) {
        for (const auto& port : device.ports)
            if (port && answers_at(port))
                write(device, port, bytes);
        for (const auto& connection : device.connections)
            write(device, connection, bytes);
    }
    auto qmi = qmi_port(device);
    if (!device.model || !qmi)
        return;
    for (const auto& message : device.model->take_indications()) {
        log(LogLevel::Debug, "uplink-sim", "{} {} -> {}", device.spec.id, qmi->name,
            qmi::describe(message));
        auto frame = qmi::encode(message);
        if (!frame) {
            log(LogLevel::Error, "uplink-sim", "{}: not sent: {}", qmi::describe(message), frame.error().message());
            continue;
        }
        write(device, qmi, std::string(frame->begin(), frame->end()));
    }
}

std::shared_ptr<Emulator::PortIo> Emulator::qmi_port(const Device& device)
{
    for (const auto& port : device.ports)
        if (port && carries_qmi(port))
            return port;
    return nullptr;
}

// QMI requests are taken as they come (clients such as ModemManager keep several in flight);
// each response waits in `due` for the modem's latency.
void Emulator::take_qmi_bytes(
    Device& device, const std::shared_ptr<PortIo>& port, std::span<const std::uint8_t> bytes)
{
    for (auto& event : port->framer.feed(bytes)) {
        auto* modem = device.model.get();
        if (modem == nullptr)
            return;
        if (!event.message) {
            log(LogLevel::Debug, "uplink-sim", "{} {}: dropped bytes: {}", device.spec.id,
                port->name, event.error.message());
            continue;
        }
        log(LogLevel::Debug, "uplink-sim", "{} {} <- {}", device.spec.id, port->name,
            qmi::describe(*event.message));
        auto now = Clock::now();
        deliver(device, modem->advance(now));
        auto answer = modem->qmi_request(*event.message, now);
        kick(device);
        if (!answer)
            continue; // still booting: the port does not answer
        log(LogLevel::Debug, "uplink-sim", "{} {} -> {}", device.spec.id, port->name,
            qmi::describe(answer->response));
        auto frame = qmi::encode(answer->response);
        if (!frame) {
            log(LogLevel::Error, "uplink-sim", "{}: not sent: {}", qmi::describe(answer->response),
                frame.error().message());
            continue;
        }
        port->due.emplace(now + answer->delay, std::string(frame->begin(), frame->end()));
        port->reply_timer.cancel(); // send_qmi() looks at the earliest due time again
    }
}

asio::awaitable<void> Emulator::send_qmi(
    Device* device, std::shared_ptr<PortIo> port, unsigned generation)
{
    for (;;) {
        if (port->closed || device->generation != generation)
            co_return;
        port->reply_timer.expires_at(
            port->due.empty() ? Clock::now() + std::chrono::hours(24) : port->due.begin()->first);
        co_await port->reply_timer.async_wait(as_tuple(use_awaitable));
        if (port->closed || device->generation != generation)
            co_return;
        auto now = Clock::now();
        while (!port->due.empty() && port->due.begin()->first <= now) {
            auto node = port->due.extract(port->due.begin());
            write(*device, port, std::move(node.mapped()));
        }
    }
}

void Emulator::write(
    Device& device, const std::shared_ptr<PortIo>& port, std::string bytes, Delivery delivery)
{
    if (port->closed || (port->hung && delivery == Delivery::Normal) || bytes.empty())
        return;
    if (port->outbox.size() + bytes.size() > max_outbox) {
        log(LogLevel::Warning, "uplink-sim", "{} {}: nobody reads, {} bytes dropped",
            device.spec.id, port->name, bytes.size());
        return;
    }
    device.bytes_out += static_cast<long>(bytes.size());
    if (carries_qmi(port))
        capture(device, Sender::Modem, bytes);
    port->outbox += bytes;
    if (!port->writing)
        start_write(port);
}

// Flushed line by line: a test reads the file while the emulator runs, or after it is killed.
void Emulator::capture(const Device& device, Sender sender, std::string_view bytes)
{
    if (!qmi_capture_.is_open())
        return;
    std::string line = device.spec.id + (sender == Sender::Host ? " host " : " modem ");
    for (unsigned char byte : bytes)
        line += fmt::format("{:02x}", byte);
    qmi_capture_ << line << '\n' << std::flush;
}

void Emulator::start_write(std::shared_ptr<PortIo> port)
{
    port->writing = true;
    auto data = std::make_shared<std::string>(std::exchange(port->outbox, {}));
    asio::async_write(port->stream, asio::buffer(*data),
        [port, data](boost::system::error_code error, std::size_t) {
            port->writing = false;
            if (error || port->closed)
                return;
            if (!port->outbox.empty())
                start_write(port);
        });
}

} // namespace uplink::sim
