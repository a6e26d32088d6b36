// The Client against a scripted modem on the other end of a socketpair: the test drives the
// peer from a coroutine on the same io_context. No sleeps: io_context::run_for() is only the
// watchdog, and the one short request timeout is the behaviour under test.
#include "qmi/qmi.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <sys/socket.h>

namespace uplink::qmi {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto watchdog = 10s;

class QmiClient : public ::testing::Test {
public:
    void SetUp() override
    {
        int fds[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        client_ = std::make_unique<Client>(io_.get_executor(), "test", fds[0]);
        peer_ = std::make_unique<asio::local::stream_protocol::socket>(io_, asio::local::stream_protocol(), fds[1]);
    }

    void run(asio::awaitable<void> client, asio::awaitable<void> peer)
    {
        asio::co_spawn(io_, std::move(peer), [this](std::exception_ptr error) { peer_failed_ = error != nullptr; });
        asio::co_spawn(io_, std::move(client), [this](std::exception_ptr error) {
            client_failed_ = error != nullptr;
            finished_ = true;
            io_.stop();
        });
        io_.run_for(watchdog);
        EXPECT_TRUE(finished_) << "the client did not finish before the watchdog";
        EXPECT_FALSE(client_failed_);
        EXPECT_FALSE(peer_failed_);
    }

    // The next request the client wrote.
    asio::awaitable<Message> next_request()
    {
        for (;;) {
            if (!received_.empty()) {
                auto message = std::move(received_.front());
                received_.erase(received_.begin());
                co_return message;
            }
            std::array<std::uint8_t, 512> buffer {};
            auto [error, size] = co_await peer_->async_read_some(asio::buffer(buffer), use_tuple);
            if (error)
                co_return Message {};
            for (auto& event : framer_.feed(std::span(buffer.data(), size)))
                if (event.message)
                    received_.push_back(std::move(*event.message));
        }
    }

    asio::awaitable<void> send(const Message& message) { co_await send_bytes(encode(message).value()); }
    asio::awaitable<void> send_bytes(std::vector<std::uint8_t> bytes)
    {
        co_await asio::async_write(*peer_, asio::buffer(bytes), use_tuple);
    }

    static Message response_to(const Message& request, ProtocolError error = ProtocolError::None)
    {
        Message response {request.service, request.client, MessageType::Response, request.transaction, request.id, {}};
        response.add(0x02, result_value(error));
        return response;
    }

    asio::io_context io_;
    std::unique_ptr<Client> client_;
    std::unique_ptr<asio::local::stream_protocol::socket> peer_;
    Framer framer_;
    std::vector<Message> received_;
    bool finished_ = false;
    bool client_failed_ = false;
    bool peer_failed_ = false;
};

Message request(Service service, std::uint8_t client, std::uint16_t id)
{
    return Message {service, client, MessageType::Request, 0, id, {}};
}

// ---------------------------------------------------------------- matching

asio::awaitable<void> allocate_then_two_requests(Client* client)
{
    auto dms = co_await client->allocate_client(Service::Dms, 2s);
    EXPECT_TRUE(dms);
    if (!dms)
        co_return;
    EXPECT_EQ(*dms, 5);
    // Two requests in flight together; the peer answers them in reverse order.
    auto executor = co_await asio::this_coro::executor;
    std::optional<Result<Message>> ids;
    asio::steady_timer ids_done(executor, asio::steady_timer::time_point::max());
    asio::co_spawn(executor, client->call(request(Service::Dms, *dms, dms::get_ids), 2s),
        [&ids, &ids_done](std::exception_ptr, Result<Message> result) {
            ids = std::move(result);
            ids_done.cancel();
        });
    auto revision = co_await client->call(request(Service::Dms, *dms, dms::get_revision), 2s);
    if (!ids)
        co_await ids_done.async_wait(use_tuple);
    EXPECT_TRUE(revision);
    EXPECT_TRUE(ids && *ids);
    if (revision) {
        EXPECT_EQ(string_tlv(*revision, 0x01), "EC25EFAR06A06M4G");
    }
    if (ids && *ids) {
        EXPECT_EQ(string_tlv(**ids, 0x11), "867962040000001");
    }
}

asio::awaitable<void> answer_in_reverse(QmiClient* test)
{
    auto allocate = co_await test->next_request();
    EXPECT_EQ(allocate.id, ctl::allocate_cid);
    EXPECT_EQ(allocate.transaction, 1);
    auto granted = QmiClient::response_to(allocate);
    granted.add(0x01, {static_cast<std::uint8_t>(Service::Dms), 5});
    co_await test->send(granted);

    auto first = co_await test->next_request();
    auto second = co_await test->next_request();
    EXPECT_EQ(first.id, dms::get_ids);
    EXPECT_EQ(second.id, dms::get_revision);
    EXPECT_EQ(first.client, 5);
    EXPECT_NE(first.transaction, second.transaction);
    auto revision = QmiClient::response_to(second);
    revision.add(0x01, TlvWriter().string_rest("EC25EFAR06A06M4G").take());
    co_await test->send(revision);
    auto ids = QmiClient::response_to(first);
    ids.add(0x11, TlvWriter().string_rest("867962040000001").take());
    co_await test->send(ids);
}

TEST_F(QmiClient, ResponsesAreMatchedByTransactionInAnyOrder)
{
    run(allocate_then_two_requests(client_.get()), answer_in_reverse(this));
}

// ---------------------------------------------------------------- results and indications

asio::awaitable<void> failed_result(Client* client, std::vector<Message>* indications)
{
    auto start = co_await client->call(request(Service::Wds, 2, wds::start_network), 2s);
    EXPECT_FALSE(start);
    if (!start) {
        EXPECT_EQ(start.error(), ProtocolError::CallFailed);
    }
    auto raw = co_await client->transact(request(Service::Wds, 2, wds::start_network), 2s);
    EXPECT_TRUE(raw);
    if (raw) {
        EXPECT_EQ(result_of(*raw), ProtocolError::CallFailed);
    }
    EXPECT_EQ(indications->size(), 1u);
}

asio::awaitable<void> fail_and_indicate(QmiClient* test)
{
    for (int i = 0; i < 2; ++i) {
        auto start = co_await test->next_request();
        auto failure = QmiClient::response_to(start, ProtocolError::CallFailed);
        failure.add(0x11, TlvWriter().u16(6).i16(27).take()); // 3GPP cause 27: unknown APN
        if (i == 0) {
            // Noise and an indication before the first response: both handled on the way.
            std::vector<std::uint8_t> noise {0xff, 0x00, 0x13};
            co_await test->send_bytes(std::move(noise));
            Message indication {Service::Wds, 2, MessageType::Indication, 0, wds::packet_service_status_indication, {}};
            indication.add(0x01, {0x01, 0x00});
            co_await test->send(indication);
        }
        co_await test->send(failure);
    }
}

TEST_F(QmiClient, FailedResultsIndicationsAndNoise)
{
    std::vector<Message> indications;
    client_->set_indication_handler([&indications](const Message& message) { indications.push_back(message); });
    run(failed_result(client_.get(), &indications), fail_and_indicate(this));
    ASSERT_EQ(indications.size(), 1u);
    EXPECT_EQ(indications[0].id, wds::packet_service_status_indication);
}

// ---------------------------------------------------------------- timeouts

asio::awaitable<void> timeout_then_next(Client* client)
{
    auto first = co_await client->call(request(Service::Nas, 3, nas::get_signal_info), 100ms);
    EXPECT_FALSE(first);
    if (!first) {
        EXPECT_EQ(first.error(), Errc::Timeout);
    }
    auto second = co_await client->call(request(Service::Nas, 3, nas::get_signal_info), 2s);
    EXPECT_TRUE(second);
    if (second) {
        EXPECT_EQ(string_tlv(*second, 0x10), "second");
    }
}

asio::awaitable<void> late_answer(QmiClient* test)
{
    auto first = co_await test->next_request();
    auto second = co_await test->next_request(); // sent after the first timed out
    // The late answer to the first comes before the second's own: it must not be taken for it.
    auto late = QmiClient::response_to(first);
    late.add(0x10, TlvWriter().string_rest("first").take());
    co_await test->send(late);
    auto answer = QmiClient::response_to(second);
    answer.add(0x10, TlvWriter().string_rest("second").take());
    co_await test->send(answer);
}

TEST_F(QmiClient, ALateResponseIsNotTheNextRequestsResponse)
{
    run(timeout_then_next(client_.get()), late_answer(this));
}

// ---------------------------------------------------------------- closing

asio::awaitable<void> request_while_port_goes(Client* client, int* closed_calls)
{
    auto reply = co_await client->call(request(Service::Dms, 1, dms::get_ids), 5s);
    EXPECT_FALSE(reply);
    if (!reply) {
        EXPECT_EQ(reply.error(), Errc::Closed);
    }
    auto after = co_await client->call(request(Service::Dms, 1, dms::get_ids), 5s);
    EXPECT_FALSE(after);
    EXPECT_EQ(*closed_calls, 1);
}

asio::awaitable<void> hang_up(QmiClient* test)
{
    co_await test->next_request();
    test->peer_->close();
}

TEST_F(QmiClient, PortClosedFailsWaitersAndCallsTheClosedHandlerOnce)
{
    int closed_calls = 0;
    client_->set_closed_handler([&closed_calls](Error) { ++closed_calls; });
    run(request_while_port_goes(client_.get(), &closed_calls), hang_up(this));
}

asio::awaitable<void> nothing() { co_return; }

TEST_F(QmiClient, TransactionIdsWrapToOneAfter255OnCtl)
{
    std::vector<std::uint16_t> seen;
    client_->set_trace_handler([&seen](std::string_view direction, const Message& message) {
        if (direction == ">")
            seen.push_back(message.transaction);
    });
    // Each request times out at once (nobody answers); only the numbering is looked at.
    run(
        [](Client* client) -> asio::awaitable<void> {
            for (int i = 0; i < 256; ++i)
                co_await client->transact(request(Service::Ctl, 0, ctl::sync), 0ms);
        }(client_.get()),
        nothing());
    ASSERT_EQ(seen.size(), 256u);
    EXPECT_EQ(seen.front(), 1);
    EXPECT_EQ(seen[254], 255);
    EXPECT_EQ(seen[255], 1);
}

} // namespace
} // namespace uplink::qmi
