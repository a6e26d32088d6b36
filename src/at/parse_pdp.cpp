// PDP context parsers: AT+CGDCONT?.
#include "at/at.hpp"
#include "at/parse_util.hpp"

namespace uplink::at {

// 3GPP TS 27.007 §10.1.1: +CGDCONT: <cid>,<PDP_type>,<APN>,<PDP_addr>,<d_comp>,<h_comp>
// [,<IPv4AddrAlloc>,<request_type>,...]; Quectel EC2x prints 8 fields, older phones 6 with
// empty unquoted APN and address. No context defined is an empty list.
Result<std::vector<PdpContext>> parse_cgdcont_read(const std::vector<std::string>& lines)
{
    std::vector<PdpContext> contexts;
    for (auto rest : all_prefixed(lines, "+CGDCONT:")) {
        auto fields = split_fields(rest);
        if (fields.size() < 2)
            return parse_error();
        auto cid = to_int(fields[0]);
        if (!cid || *cid < 0)
            return parse_error();
        PdpContext context;
        context.cid = *cid;
        context.pdp_type = std::string(unquote(fields[1]));
        if (fields.size() > 2)
            context.apn = std::string(unquote(fields[2]));
        if (fields.size() > 3)
            context.address = std::string(unquote(fields[3]));
        contexts.push_back(std::move(context));
    }
    return contexts;
}

} // namespace uplink::at
