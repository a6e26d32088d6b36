// The D-Bus calls of resolved.hpp, with libsystemd's sd-bus.
#include "resolved/resolved.hpp"

#include <systemd/sd-bus.h>

#include <cerrno>
#include <chrono>
#include <sys/socket.h>

namespace uplink::resolved {

namespace {

constexpr const char* service = "org.freedesktop.resolve1";
constexpr const char* manager_path = "/org/freedesktop/resolve1";
constexpr const char* manager_interface = "org.freedesktop.resolve1.Manager";

Error errno_error(int number)
{
    return Error(number, boost::system::system_category());
}

// An sd-bus call's outcome: its negative errno, or the D-Bus error's, as an error code. resolved's
// own errors (bus-common-errors.h) are not in libsystemd's map: they are named here.
Result<void> outcome(int result, const sd_bus_error& error)
{
    if (result >= 0)
        return {};
    if (sd_bus_error_has_name(&error, "org.freedesktop.resolve1.LinkBusy"))
        return errno_error(EBUSY);
    if (sd_bus_error_has_name(&error, "org.freedesktop.resolve1.NoSuchLink"))
        return errno_error(ENXIO);
    return errno_error(-result);
}

struct ErrorGuard {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    ~ErrorGuard() { sd_bus_error_free(&error); }
};

struct MessageGuard {
    sd_bus_message* message = nullptr;
    ~MessageGuard() { sd_bus_message_unref(message); }
};

} // namespace

struct Resolved::Bus {
    sd_bus* bus = nullptr;
    ~Bus() { sd_bus_flush_close_unref(bus); }
};

Result<Resolved> Resolved::connect()
{
    auto bus = std::make_unique<Bus>();
    if (auto opened = sd_bus_open_system(&bus->bus); opened < 0)
        return errno_error(-opened);
    sd_bus_set_method_call_timeout(bus->bus, std::chrono::duration_cast<std::chrono::microseconds>(call_timeout).count());
    ErrorGuard error;
    MessageGuard reply;
    auto called = sd_bus_call_method(bus->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "NameHasOwner", &error.error, &reply.message, "s", service);
    if (auto failed = outcome(called, error.error); !failed)
        return failed.error();
    int owned = 0;
    if (auto read = sd_bus_message_read(reply.message, "b", &owned); read < 0)
        return errno_error(-read);
    if (!owned)
        return errno_error(ESRCH);
    return Resolved(std::move(bus));
}

Resolved::Resolved(std::unique_ptr<Bus> bus)
    : bus_(std::move(bus))
{
}

Resolved::Resolved(Resolved&&) noexcept = default;
Resolved& Resolved::operator=(Resolved&&) noexcept = default;
Resolved::~Resolved() = default;

Result<void> Resolved::configure(const LinkDns& link)
{
    // SetLinkDNS(i ifindex, a(iay) addresses): each an address family and its bytes.
    MessageGuard message;
    if (auto made = sd_bus_message_new_method_call(bus_->bus, &message.message, service, manager_path,
            manager_interface, "SetLinkDNS");
        made < 0)
        return errno_error(-made);
    int appended = sd_bus_message_append(message.message, "i", link.index);
    if (appended >= 0)
        appended = sd_bus_message_open_container(message.message, 'a', "(iay)");
    for (const auto& server : link.servers) {
        if (appended < 0)
            break;
        appended = sd_bus_message_open_container(message.message, 'r', "iay");
        if (appended >= 0)
            appended = sd_bus_message_append(
                message.message, "i", server.family == net::Family::Ipv4 ? AF_INET : AF_INET6);
        if (appended >= 0)
            appended = sd_bus_message_append_array(message.message, 'y', server.bytes.data(), server.size());
        if (appended >= 0)
            appended = sd_bus_message_close_container(message.message);
    }
    if (appended >= 0)
        appended = sd_bus_message_close_container(message.message);
    if (appended < 0)
        return errno_error(-appended);
    ErrorGuard error;
    if (auto set = outcome(sd_bus_call(bus_->bus, message.message, 0, &error.error, nullptr), error.error); !set)
        return set;
    ErrorGuard route_error;
    auto routed = sd_bus_call_method(bus_->bus, service, manager_path, manager_interface, "SetLinkDefaultRoute",
        &route_error.error, nullptr, "ib", link.index, static_cast<int>(link.default_route));
    return outcome(routed, route_error.error);
}

Result<void> Resolved::revert(int index)
{
    ErrorGuard error;
    auto reverted
        = sd_bus_call_method(bus_->bus, service, manager_path, manager_interface, "RevertLink", &error.error, nullptr, "i", index);
    auto result = outcome(reverted, error.error);
    if (!result && result.error() == errno_error(ENXIO))
        return {};
    return result;
}

} // namespace uplink::resolved
