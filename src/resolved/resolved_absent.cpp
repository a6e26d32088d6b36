// resolved.hpp in a build without libsystemd (UPLINK_SYSTEMD=OFF: OpenWrt has no systemd, and no
// systemd-resolved to tell): there is never a bus to connect to, and uplinkd says so once and
// writes its resolv file alone, as on a Debian machine where resolved does not run.
#include "resolved/resolved.hpp"

#include <boost/system/errc.hpp>

namespace uplink::resolved {

struct Resolved::Bus {};

Result<Resolved> Resolved::connect()
{
    return make_error_code(boost::system::errc::function_not_supported);
}

Resolved::Resolved(std::unique_ptr<Bus> bus) : bus_(std::move(bus)) {}
Resolved::Resolved(Resolved&&) noexcept = default;
Resolved& Resolved::operator=(Resolved&&) noexcept = default;
Resolved::~Resolved() = default;

Result<void> Resolved::configure(const LinkDns&)
{
    return make_error_code(boost::system::errc::function_not_supported);
}

Result<void> Resolved::revert(int)
{
    return make_error_code(boost::system::errc::function_not_supported);
}

} // namespace uplink::resolved
