// The net module's error category and the names of its enums.
#include "net/message.hpp"

#include <string>

namespace uplink::net {

namespace {

class NetCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "net"; }
    std::string message(int code) const override
    {
        switch (static_cast<Errc>(code)) {
        case Errc::Truncated:
            return "netlink message shorter than its headers say";
        case Errc::Malformed:
            return "netlink attribute of an unexpected size or value";
        case Errc::MissingAttribute:
            return "netlink reply lacks a required attribute";
        case Errc::DumpInterrupted:
            return "netlink dump interrupted by a change; dump again";
        case Errc::Timeout:
            return "no netlink reply within the timeout";
        case Errc::InvalidArgument:
            return "invalid netlink request argument";
        }
        return "unknown net error " + std::to_string(code);
    }
};

} // namespace

const boost::system::error_category& net_category()
{
    static const NetCategory category;
    return category;
}

Error make_error_code(Errc code)
{
    return {static_cast<int>(code), net_category()};
}

Error kernel_error(int error_number)
{
    return {error_number, boost::system::system_category()};
}

std::string_view to_string(Family family)
{
    switch (family) {
    case Family::Ipv4:
        return "ipv4";
    case Family::Ipv6:
        return "ipv6";
    }
    return "family";
}

std::string_view to_string(OperState state)
{
    // The names `ip link` prints (iproute2's oper_states[]).
    switch (state) {
    case OperState::Unknown:
        return "UNKNOWN";
    case OperState::NotPresent:
        return "NOTPRESENT";
    case OperState::Down:
        return "DOWN";
    case OperState::LowerLayerDown:
        return "LOWERLAYERDOWN";
    case OperState::Testing:
        return "TESTING";
    case OperState::Dormant:
        return "DORMANT";
    case OperState::Up:
        return "UP";
    }
    return "operstate";
}

std::string_view to_string(AdminState state)
{
    switch (state) {
    case AdminState::Down:
        return "down";
    case AdminState::Up:
        return "up";
    }
    return "admin-state";
}

std::string_view to_string(Carrier carrier)
{
    switch (carrier) {
    case Carrier::Down:
        return "no-carrier";
    case Carrier::Up:
        return "carrier";
    }
    return "carrier-state";
}

std::string_view to_string(LinkKind kind)
{
    switch (kind) {
    case LinkKind::Dummy:
        return "dummy";
    case LinkKind::Bridge:
        return "bridge";
    }
    return "link-kind";
}

std::string_view to_string(AddressScope scope)
{
    switch (scope) {
    case AddressScope::Global:
        return "global";
    case AddressScope::Site:
        return "site";
    case AddressScope::Link:
        return "link";
    case AddressScope::Host:
        return "host";
    case AddressScope::Nowhere:
        return "nowhere";
    }
    return "scope";
}

std::string_view to_string(RouteType type)
{
    switch (type) {
    case RouteType::Unicast:
        return "unicast";
    case RouteType::Local:
        return "local";
    case RouteType::Broadcast:
        return "broadcast";
    case RouteType::Anycast:
        return "anycast";
    case RouteType::Multicast:
        return "multicast";
    case RouteType::Blackhole:
        return "blackhole";
    case RouteType::Unreachable:
        return "unreachable";
    case RouteType::Prohibit:
        return "prohibit";
    case RouteType::Throw:
        return "throw";
    }
    return "route-type";
}

std::string_view to_string(RuleAction action)
{
    switch (action) {
    case RuleAction::Lookup:
        return "lookup";
    case RuleAction::Blackhole:
        return "blackhole";
    case RuleAction::Unreachable:
        return "unreachable";
    case RuleAction::Prohibit:
        return "prohibit";
    }
    return "rule-action";
}

namespace rtnetlink {

std::string_view to_string(Operation operation)
{
    switch (operation) {
    case Operation::Add:
        return "add";
    case Operation::Replace:
        return "replace";
    case Operation::Delete:
        return "delete";
    }
    return "operation";
}

} // namespace rtnetlink

} // namespace uplink::net
