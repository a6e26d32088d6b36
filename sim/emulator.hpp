// uplink-sim's Asio side: the modems' ptys (AT ports and the QMI port) and tree entries, their
// AT sockets, their event timers, and the control requests. One thread, one io_context; every
// activity is a coroutine owned here. The process ignores SIGPIPE (sim/main.cpp): an AT socket
// connection is written through a descriptor, and a client may close it first.
#pragma once

#include "sim/control.hpp"
#include "sim/data_plane.hpp"
#include "sim/modem.hpp"
#include "sim/pty.hpp"
#include "sim/scenario.hpp"
#include "sim/tree.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace uplink::sim {

class ControlServer;

// The power of a modem's USB hub port, as the host switches it through the port's `disable` file.
enum class PortPower { On, Off };
std::string_view to_string(PortPower power); // "on", "off"

class Emulator {
public:
    Emulator(boost::asio::io_context& context, Scenario scenario, std::filesystem::path root,
        std::filesystem::path control_path);
    ~Emulator();
    Emulator(const Emulator&) = delete;
    Emulator& operator=(const Emulator&) = delete;

    // The tree, the modems that start plugged, the control socket. An error leaves nothing behind.
    Result<void> start();
    // Unplugs everything, closes the control socket and removes the tree.
    void stop();

    // Appends every byte that crosses a QMI port to `path`, as it crossed: one line per read
    // or write, "<modem id> host|modem <hex>" (docs/scenario.md "Capturing the QMI dialogue").
    // Set before start(), which fails when the file cannot be opened.
    void capture_qmi(std::filesystem::path path) { qmi_capture_path_ = std::move(path); }

    // One control request line -> one reply line (without the newline).
    std::string handle_control(std::string_view line);

    const std::filesystem::path& root() const { return tree_.root(); }
    const std::filesystem::path& control_path() const { return control_path_; }

private:
    // One port of one plugged modem; shared with its reader coroutine, which may outlive the plug.
    struct PortIo {
        PortIo(boost::asio::io_context& context, int descriptor)
            : stream(context, descriptor)
            , reply_timer(context)
        {
        }
        boost::asio::posix::stream_descriptor stream;
        boost::asio::steady_timer reply_timer;
        // The USB function behind the port; none for a connection on the AT socket.
        const UsbFunction* function = nullptr;
        int interface = 0; // its bInterfaceNumber; from 256 an AT socket connection
        std::string name; // ttyUSB2, cdc-wdm0
        bool hung = false;
        bool closed = false;
        bool writing = false;
        std::string outbox;
        std::string line; // AT: command bytes not yet ended by '\r'
        qmi::Framer framer; // QMI: request bytes into frames
        std::multimap<Clock::time_point, std::string> due; // QMI: responses and their time
    };
    // Whether the modem sits in its USB port: the control socket's unplug takes it out and
    // replug puts it back. It is on the bus (plugged) while it sits there and the port has power.
    enum class Presence { Out, In };
    struct Device {
        ModemSpec spec;
        Presence presence = Presence::Out;
        std::unique_ptr<Modem> model; // while plugged
        Surroundings surroundings; // kept across a replug
        std::optional<SimCard> card; // in the slot while unplugged
        std::optional<std::string> removed_sim; // the card sim-remove took out
        DeviceLayout layout;
        std::vector<std::shared_ptr<PortIo>> ports; // one per USB function, in interface order
        std::vector<Pty> ptys;
        // While plugged: <root>/<id>-at.sock, where each connection is one more AT port
        // (ModemManager's test profile takes AT ports as unix sockets). Shared with accept_at().
        std::shared_ptr<boost::asio::local::stream_protocol::acceptor> at_socket;
        std::vector<std::shared_ptr<PortIo>> connections;
        int next_interface = 0; // the next connection's interface number
        std::shared_ptr<boost::asio::steady_timer> events; // shared with run_events()
        unsigned generation = 0; // a new plug invalidates the old coroutines
        long bytes_in = 0, bytes_out = 0;
        std::optional<DataPlane> data_plane; // while plugged, when the scenario gives a data_path
        Ipv4Prefix carrier_address; // what carrier<k> holds now
        LinkOverrides link; // the control socket's "link": kept across a replug
        // The hub port (port_power.cpp): its `disable` file and that file's inotify watch, its
        // power, and what `counters` shows of its switching.
        std::filesystem::path port_switch;
        int port_switch_watch = -1;
        PortPower port_power = PortPower::On;
        Clock::time_point port_off_since {};
        int port_switched_off = 0;
        std::optional<Duration> last_port_off; // how long the port was off the last time
    };

    Result<void> plug(Device& device);
    void unplug(Device& device);
    void allocate_numbers(Device& device);
    Result<void> open_ports(Device& device);
    void close_ports(Device& device);
    std::filesystem::path at_socket_path(const Device& device) const;
    Result<void> listen_at(Device& device);
    boost::asio::awaitable<void> accept_at(Device* device,
        std::shared_ptr<boost::asio::local::stream_protocol::acceptor> acceptor,
        unsigned generation);
    void close_connection(Device& device, const std::shared_ptr<PortIo>& port);
    static std::shared_ptr<PortIo> qmi_port(const Device& device);

    boost::asio::awaitable<void> read_port(
        Device* device, std::shared_ptr<PortIo> port, unsigned generation);
    boost::asio::awaitable<void> take_line(
        Device* device, std::shared_ptr<PortIo> port, std::string line);
    void take_qmi_bytes(
        Device& device, const std::shared_ptr<PortIo>& port, std::span<const std::uint8_t> bytes);
    boost::asio::awaitable<void> send_qmi(
        Device* device, std::shared_ptr<PortIo> port, unsigned generation);
    boost::asio::awaitable<void> run_events(Device* device, unsigned generation);
    void kick(Device& device);
    void deliver(Device& device, const std::vector<std::string>& urcs);
    enum class Delivery { Normal, EvenIfHung };
    void write(Device& device, const std::shared_ptr<PortIo>& port, std::string bytes,
        Delivery delivery = Delivery::Normal);
    static void start_write(std::shared_ptr<PortIo> port);
    enum class Sender { Host, Modem };
    void capture(const Device& device, Sender sender, std::string_view bytes);

    // The hub ports' power switches (port_power.cpp).
    Result<void> watch_port_switches();
    boost::asio::awaitable<void> read_port_switches(
        std::shared_ptr<boost::asio::posix::stream_descriptor> switches);
    void port_switch_written(Device& device);

    // Control requests (emulator_control.cpp).
    Result<Device*> find_device(const ControlRequest& request, std::string& message);
    std::string execute(const ControlRequest& request, Device& device);
    std::string change(const ControlRequest& request, Device& device);
    std::string status() const;
    std::string counters(const Device& device) const;
    std::string port_action(const ControlRequest& request, Device& device);
    std::string sim_insert(const ControlRequest& request, Device& device);
    std::string sim_remove(Device& device);
    std::string bearer_drop(const ControlRequest& request, Device& device);
    std::string set_link(const ControlRequest& request, Device& device);
    Result<void> create_data_plane(Device& device);
    void sync_data_plane(Device& device);

    boost::asio::io_context& context_;
    Scenario scenario_;
    Tree tree_;
    std::filesystem::path control_path_;
    std::unique_ptr<ControlServer> control_;
    std::vector<std::unique_ptr<Device>> devices_;
    std::map<std::string, SimCard> loose_cards_; // SIMs in no modem, by id
    // inotify on every hub port's `disable` file; shared with read_port_switches().
    std::shared_ptr<boost::asio::posix::stream_descriptor> port_switches_;
    Clock::time_point start_;
    bool running_ = false;
    std::filesystem::path qmi_capture_path_;
    std::ofstream qmi_capture_;
};

} // namespace uplink::sim
