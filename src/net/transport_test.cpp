// transact() on a socketpair that stands in for the kernel: the replies are queued on the test's
// end before the request is sent (the kernel, too, has queued its answer by the time sendmsg()
// returns), so no thread and no sleep is needed. No root: these run in the unit tier.
#include "net/message.hpp"

#include <array>
#include <cerrno>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

namespace uplink::net::rtnetlink {
namespace {

constexpr std::uint32_t port = 77;

class SocketPair {
public:
    SocketPair()
    {
        int descriptors[2] = {-1, -1};
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, descriptors), 0) << errno;
        ours_ = descriptors[0];
        kernel_ = descriptors[1];
    }
    ~SocketPair()
    {
        ::close(ours_);
        ::close(kernel_);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;

    int ours() const { return ours_; }
    void reply(const Bytes& datagram) const
    {
        ASSERT_EQ(::send(kernel_, datagram.data(), datagram.size(), 0),
            static_cast<ssize_t>(datagram.size()));
    }
    Bytes received_request() const
    {
        Bytes buffer(4096);
        auto size = ::recv(kernel_, buffer.data(), buffer.size(), MSG_DONTWAIT);
        buffer.resize(size < 0 ? 0 : static_cast<std::size_t>(size));
        return buffer;
    }

private:
    int ours_ = -1;
    int kernel_ = -1;
};

Bytes ack(std::uint32_t sequence, int error)
{
    alignas(8) std::array<std::uint8_t, 64> buffer {};
    auto* header = mnl_nlmsg_put_header(buffer.data());
    header->nlmsg_type = NLMSG_ERROR;
    header->nlmsg_seq = sequence;
    header->nlmsg_pid = port;
    auto* body = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(header, sizeof(nlmsgerr)));
    body->error = error;
    body->msg.nlmsg_len = sizeof(nlmsghdr);
    return Bytes(buffer.begin(), buffer.begin() + header->nlmsg_len);
}

Bytes link_message(std::uint32_t sequence, int index, const char* name)
{
    alignas(8) std::array<std::uint8_t, 128> buffer {};
    auto* header = mnl_nlmsg_put_header(buffer.data());
    header->nlmsg_type = RTM_NEWLINK;
    header->nlmsg_flags = NLM_F_MULTI;
    header->nlmsg_seq = sequence;
    header->nlmsg_pid = port;
    static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)))->ifi_index
        = index;
    mnl_attr_put_strz(header, IFLA_IFNAME, name);
    return Bytes(buffer.begin(), buffer.begin() + header->nlmsg_len);
}

Bytes done(std::uint32_t sequence)
{
    alignas(8) std::array<std::uint8_t, 32> buffer {};
    auto* header = mnl_nlmsg_put_header(buffer.data());
    header->nlmsg_type = NLMSG_DONE;
    header->nlmsg_flags = NLM_F_MULTI;
    header->nlmsg_seq = sequence;
    header->nlmsg_pid = port;
    mnl_nlmsg_put_extra_header(header, sizeof(int));
    return Bytes(buffer.begin(), buffer.begin() + header->nlmsg_len);
}

TEST(NetTransport, SendsTheRequestAndReadsItsAck)
{
    SocketPair pair;
    pair.reply(ack(5, 0));
    auto request = set_link_mtu_request(5, 3, 1400);
    Exchange exchange(5, port);
    auto reply = transact(pair.ours(), request, exchange, 1000ms);
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_TRUE(reply->empty());
    EXPECT_EQ(pair.received_request(), request);
}

TEST(NetTransport, SkipsLateRepliesToEarlierRequests)
{
    SocketPair pair;
    pair.reply(ack(4, -EEXIST)); // the previous request, which had timed out
    pair.reply(link_message(4, 9, "old0"));
    pair.reply(ack(5, -ENODEV));
    Exchange exchange(5, port);
    auto reply = transact(pair.ours(), get_link_request(5, 9), exchange, 1000ms);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error(), boost::system::errc::no_such_device);
}

TEST(NetTransport, CollectsADumpOverSeveralDatagrams)
{
    SocketPair pair;
    pair.reply(link_message(6, 1, "lo"));
    pair.reply(link_message(6, 4, "wwan0"));
    pair.reply(done(6));
    Exchange exchange(6, port);
    auto reply
        = transact(pair.ours(), dump_request(6, RTM_GETLINK, Family::Ipv4), exchange, 1000ms);
    ASSERT_TRUE(reply) << reply.error().message();
    ASSERT_EQ(reply->size(), 2u);
    EXPECT_EQ(parse_newlink((*reply)[1]).value().name, "wwan0");
}

TEST(NetTransport, TimesOutWhenNobodyAnswers)
{
    SocketPair pair;
    pair.reply(ack(99, 0)); // someone else's: must not end the wait
    Exchange exchange(7, port);
    auto started = Clock::now();
    auto reply = transact(pair.ours(), get_link_request(7, 1), exchange, 50ms);
    auto waited = Clock::now() - started;
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error(), Errc::Timeout);
    EXPECT_GE(waited, 50ms);
    EXPECT_LT(waited, 2000ms); // bounded; generous for a loaded CI machine
}

TEST(NetTransport, ADatagramLargerThanTheBufferIsTruncated)
{
    SocketPair pair;
    int size = 1 << 17;
    ASSERT_EQ(::setsockopt(pair.ours(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size), 0);
    Bytes huge(40000, 0);
    pair.reply(huge);
    Exchange exchange(8, port);
    auto reply = transact(pair.ours(), get_link_request(8, 1), exchange, 1000ms);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error(), Errc::Truncated);
}

TEST(NetTransport, SendFailureIsASystemError)
{
    Exchange exchange(9, port);
    auto reply = transact(-1, get_link_request(9, 1), exchange, 50ms);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error(), boost::system::errc::bad_file_descriptor);
}

} // namespace
} // namespace uplink::net::rtnetlink
