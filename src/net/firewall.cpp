// Firewall: the net module's one user of libnftables. It builds a script (nftables.cpp), hands
// it to nft_run_cmd_from_buffer(), and turns what nft wrote to its error buffer into an Error.
#include "net/nftables.hpp"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <sys/socket.h>
#include <unistd.h>

namespace uplink::net {

void Firewall::ContextFreer::operator()(nft_ctx* context) const
{
    nft_ctx_free(context);
}

Result<Firewall> Firewall::open()
{
    // nft_ctx_new() opens its NETLINK_NETFILTER socket at once and exit()s the process when it
    // cannot (nftables 1.0.6 nft_mnl_socket_open() -> netlink_init_error()). Open one first, so
    // a kernel without nfnetlink, or no descriptor left, is an error value and not an exit.
    int probe = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (probe < 0)
        return kernel_error(errno);
    ::close(probe);

    std::unique_ptr<nft_ctx, ContextFreer> context(nft_ctx_new(NFT_CTX_DEFAULT));
    if (!context)
        return nftables::nftables_error("libnftables: nft_ctx_new() failed");
    // Without these, nft writes its output to stdout and its errors to stderr.
    if (nft_ctx_buffer_output(context.get()) != 0 || nft_ctx_buffer_error(context.get()) != 0)
        return nftables::nftables_error("libnftables: cannot buffer output and errors");
    return Firewall(std::move(context));
}

Firewall::Firewall(std::unique_ptr<nft_ctx, ContextFreer> context)
    : context_(std::move(context))
{
}

Firewall::Firewall(Firewall&&) noexcept = default;
Firewall& Firewall::operator=(Firewall&&) noexcept = default;
Firewall::~Firewall() = default;

Result<void> Firewall::run(const std::string& script)
{
    assert(context_ && "a moved-from Firewall");
    int status = nft_run_cmd_from_buffer(context_.get(), script.c_str());
    // Reading a buffer rewinds it for the next command, so both are read every time; the text
    // stays valid until then. A command that succeeds may still leave a warning: it is dropped.
    std::string errors = nft_ctx_get_error_buffer(context_.get());
    nft_ctx_get_output_buffer(context_.get());
    if (status != 0)
        return nftables::nftables_error(errors);
    return {};
}

Result<void> Firewall::ensure()
{
    auto script = nftables::ensure_script(wan_interfaces_, ttls_);
    if (!script)
        return script.error();
    return run(*script);
}

Result<void> Firewall::add_wan(std::string_view interface)
{
    auto script = nftables::add_wan_script(interface);
    if (!script)
        return script.error();
    if (auto ran = run(*script); !ran)
        return ran;
    auto position = std::ranges::lower_bound(wan_interfaces_, interface);
    if (position == wan_interfaces_.end() || *position != interface)
        wan_interfaces_.emplace(position, interface);
    return {};
}

Result<void> Firewall::remove_wan(std::string_view interface)
{
    auto script = nftables::remove_wan_script(interface);
    if (!script)
        return script.error();
    auto ttls = ttls_;
    if (auto found = ttls.find(interface); found != ttls.end()) {
        ttls.erase(found);
        auto ttl_rules = nftables::ttl_script(ttls);
        if (!ttl_rules)
            return ttl_rules.error();
        *script += *ttl_rules;
    }
    if (auto ran = run(*script); !ran)
        return ran;
    auto position = std::ranges::lower_bound(wan_interfaces_, interface);
    if (position != wan_interfaces_.end() && *position == interface)
        wan_interfaces_.erase(position);
    ttls_ = std::move(ttls);
    return {};
}

Result<void> Firewall::set_ttl(std::string_view interface, std::optional<std::uint8_t> ttl)
{
    if (!nftables::is_valid_interface_name(interface))
        return make_error_code(Errc::InvalidArgument);
    auto ttls = ttls_;
    if (ttl)
        ttls.insert_or_assign(std::string(interface), *ttl);
    else
        ttls.erase(std::string(interface));
    if (ttls == ttls_)
        return {};
    auto script = nftables::ttl_script(ttls);
    if (!script)
        return script.error();
    if (auto ran = run(*script); !ran)
        return ran;
    ttls_ = std::move(ttls);
    return {};
}

Result<void> Firewall::run_routing(const std::string& script)
{
    return run(script);
}

Result<void> Firewall::remove()
{
    if (auto ran = run(nftables::remove_script()); !ran)
        return ran;
    wan_interfaces_.clear();
    ttls_.clear();
    return {};
}

} // namespace uplink::net
