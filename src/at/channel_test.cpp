// The Channel against a scripted modem on a pty: the test drives the master side from a peer
// coroutine on the same io_context. No sleeps: io_context::run_for() is only the watchdog,
// and the few short command timeouts are the behaviour under test.
#include "at/at.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <memory>
#include <pty.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace uplink::at {
namespace {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto watchdog = 10s;

// The fixture's members are public: the peer and client coroutines below drive them.
class AtChannel : public ::testing::Test {
public:
    void SetUp() override
    {
        ASSERT_NO_FATAL_FAILURE(open_pty());
        channel_ = std::make_unique<Channel>(io_.get_executor(), "pty", take_channel_fd());
    }

    void open_pty()
    {
        int master = -1;
        int slave = -1;
        ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
        slave_path_ = ::ttyname(slave);
        auto fd = open_serial_port(slave_path_);
        ASSERT_TRUE(fd) << fd.error().message();
        ::close(slave);
        channel_fd_ = *fd;
        ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
        master_ = std::make_unique<asio::posix::stream_descriptor>(io_, master);
        peer_buffer_.clear();
    }

    int take_channel_fd() { return std::exchange(channel_fd_, -1); }

    void TearDown() override
    {
        if (channel_fd_ >= 0)
            ::close(channel_fd_);
    }

    // Runs the client and the peer; the client's end stops the io_context.
    void run(asio::awaitable<void> client, asio::awaitable<void> peer)
    {
        asio::co_spawn(io_, std::move(peer), [this](std::exception_ptr error) {
            if (error)
                peer_failed_ = true;
        });
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

    // The next command the channel wrote, without its "\r".
    asio::awaitable<std::string> next_command()
    {
        auto [error, size] = co_await asio::async_read_until(
            *master_, asio::dynamic_buffer(peer_buffer_), '\r', use_tuple);
        if (error)
            co_return std::string("<") + error.message() + ">";
        auto command = peer_buffer_.substr(0, size - 1);
        peer_buffer_.erase(0, size);
        co_return command;
    }

    asio::awaitable<void> send(std::string bytes)
    {
        co_await asio::async_write(*master_, asio::buffer(bytes), use_tuple);
    }

    // Answers each expected command with its reply, in order.
    asio::awaitable<void> script(std::vector<std::pair<std::string, std::string>> steps)
    {
        for (auto& [expected, reply] : steps) {
            auto command = co_await next_command();
            EXPECT_EQ(command, expected);
            if (!reply.empty())
                co_await send(reply);
        }
    }

    asio::awaitable<void> idle_peer() { co_return; }

    asio::io_context io_;
    std::unique_ptr<asio::posix::stream_descriptor> master_;
    std::unique_ptr<Channel> channel_;
    std::string slave_path_;
    std::string peer_buffer_;
    int channel_fd_ = -1;
    bool finished_ = false;
    bool client_failed_ = false;
    bool peer_failed_ = false;
};

// ---------------------------------------------------------------- replies

asio::awaitable<void> expect_csq(Channel* channel)
{
    auto reply = co_await channel->transact("AT+CSQ", 2s);
    EXPECT_TRUE(reply);
    if (!reply)
        co_return;
    EXPECT_EQ(reply->lines, std::vector<std::string> {"+CSQ: 17,99"});
    EXPECT_EQ(reply->final.kind, FinalKind::Ok);
}

TEST_F(AtChannel, ReplyWithEcho)
{
    run(expect_csq(channel_.get()), script({{"AT+CSQ", "AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n"}}));
    EXPECT_EQ(channel_->stats().commands, 1u);
}

TEST_F(AtChannel, ReplyWithoutEcho)
{
    run(expect_csq(channel_.get()), script({{"AT+CSQ", "\r\n+CSQ: 17,99\r\n\r\nOK\r\n"}}));
}

TEST_F(AtChannel, UrcBetweenCommandAndReply)
{
    std::vector<std::string> urcs;
    channel_->set_urc_handler([&](const std::string& line) { urcs.push_back(line); });
    run(expect_csq(channel_.get()),
        script({{"AT+CSQ", "AT+CSQ\r\r\n+CEREG: 5\r\n\r\n+CSQ: 17,99\r\n\r\nOK\r\n"}}));
    EXPECT_EQ(urcs, std::vector<std::string> {"+CEREG: 5"});
    EXPECT_EQ(channel_->stats().urcs, 1u);
}

TEST_F(AtChannel, GarbageThenANormalReply)
{
    using namespace std::string_literals;
    run(expect_csq(channel_.get()),
        script({{"AT+CSQ", "\0\0\xff\xfe\x01\x02\r\n\r\n+CSQ: 17,99\r\n\r\nOK\r\n"s}}));
    EXPECT_GE(channel_->stats().garbage, 1u);
}

asio::awaitable<void> expect_cme_10(Channel* channel)
{
    auto reply = co_await channel->transact("AT+CPIN?", 2s);
    EXPECT_TRUE(reply);
    if (reply) {
        EXPECT_EQ(reply->final.kind, FinalKind::CmeError);
    }
    auto failed = co_await channel->command("AT+CPIN?", 2s);
    EXPECT_FALSE(failed);
    if (!failed)
        co_return;
    EXPECT_EQ(failed.error(), cme_error(10));
}

TEST_F(AtChannel, CommandTurnsAnErrorFinalIntoAnError)
{
    run(expect_cme_10(channel_.get()),
        script({{"AT+CPIN?", "\r\n+CME ERROR: 10\r\n"}, {"AT+CPIN?", "\r\n+CME ERROR: 10\r\n"}}));
}

// A modem that answers one command with lines without end: they are not all kept, the
// command fails rather than hand a cut reply to its parser, and the next command is answered.
asio::awaitable<void> expect_too_long_then_csq(Channel* channel)
{
    auto flooded = co_await channel->transact("AT+COPS=?", 2s);
    EXPECT_FALSE(flooded);
    if (!flooded) {
        EXPECT_EQ(flooded.error(), make_error_code(Errc::ReplyTooLong));
    }
    co_await expect_csq(channel);
}

TEST_F(AtChannel, AReplyOfEndlessLinesIsCutAndFails)
{
    std::string flood;
    for (std::size_t line = 0; line < Channel::max_reply_lines + 50; ++line)
        flood += "\r\n+COPS: (2,\"Operator " + std::to_string(line) + "\",\"\",\"23415\",7)\r\n";
    std::size_t traced = 0;
    channel_->set_trace_handler([&](std::string_view direction, std::string_view) { traced += direction == "<"; });
    run(expect_too_long_then_csq(channel_.get()),
        script({{"AT+COPS=?", flood + "\r\nOK\r\n"}, {"AT+CSQ", "\r\n+CSQ: 17,99\r\n\r\nOK\r\n"}}));
    // The lines kept, its final, and the next command's line and final.
    EXPECT_EQ(traced, Channel::max_reply_lines + 3);
}

// ---------------------------------------------------------------- queue

asio::awaitable<void> numbered_command(Channel* channel, int number, std::vector<int>* done)
{
    auto command = "AT+Q" + std::to_string(number);
    auto reply = co_await channel->transact(command, 2s);
    EXPECT_TRUE(reply);
    if (!reply)
        co_return;
    EXPECT_EQ(reply->lines,
        std::vector<std::string> {"+Q" + std::to_string(number) + ": " + std::to_string(number)});
    done->push_back(number);
}

// Five coroutines started in order, each calling transact() at once: the calls queue.
asio::awaitable<void> five_at_once(Channel* channel, std::vector<int>* done)
{
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
    int finished = 0;
    for (int i = 0; i < 5; ++i)
        asio::co_spawn(executor, numbered_command(channel, i, done),
            [&finished, &all_done](std::exception_ptr error) {
                EXPECT_FALSE(error);
                if (++finished == 5)
                    all_done.cancel();
            });
    co_await all_done.async_wait(use_tuple);
    EXPECT_EQ(finished, 5);
}

asio::awaitable<void> one_at_a_time_peer(AtChannel* test, std::string* order, bool* overlapped);

TEST_F(AtChannel, FiveConcurrentCommandsRunInCallOrderOneAtATime)
{
    std::vector<int> done;
    std::string order;
    bool overlapped = false;
    run(five_at_once(channel_.get(), &done), one_at_a_time_peer(this, &order, &overlapped));
    EXPECT_EQ(order, "01234");
    EXPECT_FALSE(overlapped) << "a command was written before the previous one was answered";
    EXPECT_EQ(done, (std::vector<int> {0, 1, 2, 3, 4}));
}

// ---------------------------------------------------------------- timeouts

asio::awaitable<void> timeout_then_next(Channel* channel)
{
    auto first = co_await channel->transact("AT+A", 100ms);
    EXPECT_FALSE(first);
    if (!first) {
        EXPECT_EQ(first.error(), Errc::Timeout);
    }
    auto second = co_await channel->transact("AT+B", 2s);
    EXPECT_TRUE(second);
    if (!second)
        co_return;
    EXPECT_EQ(second->lines, std::vector<std::string> {"+B: 2"});
    EXPECT_FALSE(channel->hung());
}

TEST_F(AtChannel, ATimedOutCommandsLateReplyIsNotTheNextCommandsReply)
{
    // The peer holds AT+A's reply until AT+B arrives, then sends both.
    run(timeout_then_next(channel_.get()),
        script({{"AT+A", ""}, {"AT+B", "\r\n+A: 1\r\n\r\nOK\r\n\r\n+B: 2\r\n\r\nOK\r\n"}}));
    EXPECT_EQ(channel_->stats().timeouts, 1u);
    EXPECT_EQ(channel_->stats().consecutive_timeouts, 0);
}

asio::awaitable<void> pin_timeout_then_csq(Channel* channel)
{
    auto first = co_await channel->transact("AT+CPIN=\"1234\"", 100ms);
    EXPECT_FALSE(first);
    co_await expect_csq(channel);
}

TEST_F(AtChannel, ALateEchoOfAPinIsRedactedLikeTheCommand)
{
    std::vector<std::string> traced;
    channel_->set_trace_handler([&traced](std::string_view direction, std::string_view text) {
        traced.push_back(std::string(direction) + " " + std::string(text));
    });
    // A busy SIM: the echo and OK of AT+CPIN come after its timeout, ahead of AT+CSQ's reply.
    run(pin_timeout_then_csq(channel_.get()),
        script({{"AT+CPIN=\"1234\"", ""},
                {"AT+CSQ", "AT+CPIN=\"1234\"\r\r\nOK\r\nAT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n"}}));
    EXPECT_NE(std::find(traced.begin(), traced.end(), "> AT+CPIN=***"), traced.end());
    EXPECT_EQ(std::count_if(traced.begin(), traced.end(),
                  [](const std::string& line) { return line.find("AT+CPIN=***") != std::string::npos; }),
        2);
    for (const auto& line : traced)
        EXPECT_EQ(line.find("1234"), std::string::npos) << line;
}

asio::awaitable<void> ignored_then_answered(Channel* channel)
{
    auto first = co_await channel->transact("AT+A", 100ms);
    EXPECT_FALSE(first);
    auto second = co_await channel->transact("AT+B", 200ms);
    EXPECT_TRUE(second);
    if (!second)
        co_return;
    EXPECT_EQ(second->lines, std::vector<std::string> {"+B: 2"});
    EXPECT_EQ(second->final.kind, FinalKind::Ok);
}

TEST_F(AtChannel, ACommandIgnoredWhileBootingDoesNotStealTheNextReply)
{
    // A booting EC25 drops AT+A without a word; AT+B is answered. The one final that comes
    // may be AT+A's late one, until AT+B's timeout shows it was AT+B's own.
    run(ignored_then_answered(channel_.get()),
        script({{"AT+A", ""}, {"AT+B", "\r\n+B: 2\r\n\r\nOK\r\n"}}));
    EXPECT_EQ(channel_->stats().timeouts, 1u);
    EXPECT_EQ(channel_->stats().consecutive_timeouts, 0);
}

asio::awaitable<void> hang_then_reopen(AtChannel* test, Channel* channel);

TEST_F(AtChannel, HungAfterTwoTimeoutsUntilReopen)
{
    run(hang_then_reopen(this, channel_.get()),
        script({{"AT+A", ""}, {"AT+B", ""}, {"AT+E", "\r\n+E: 5\r\n\r\nOK\r\n"}}));
    EXPECT_FALSE(channel_->hung());
}

// ---------------------------------------------------------------- closing

asio::awaitable<void> port_goes_away(Channel* channel, int* closed_calls)
{
    auto reply = co_await channel->transact("AT+X", 5s);
    EXPECT_FALSE(reply);
    if (!reply) {
        EXPECT_EQ(reply.error(), Errc::PortClosed);
    }
    auto after = co_await channel->transact("AT+Y", 5s);
    EXPECT_FALSE(after);
    if (!after) {
        EXPECT_EQ(after.error(), Errc::PortClosed);
    }
    EXPECT_EQ(*closed_calls, 1);
}

asio::awaitable<void> close_master_after_command(AtChannel* test);

TEST_F(AtChannel, MasterClosedFailsWaitersAndCallsTheClosedHandlerOnce)
{
    int closed_calls = 0;
    channel_->set_closed_handler([&](Error) { ++closed_calls; });
    run(port_goes_away(channel_.get(), &closed_calls), close_master_after_command(this));
    EXPECT_EQ(closed_calls, 1);
}

asio::awaitable<void> cancelled_by_urc(Channel* channel)
{
    auto first = channel->transact("AT+SLOW", 5s);
    auto queued = channel->transact("AT+NEXT", 5s);
    auto [a, b] = co_await (std::move(first) && std::move(queued));
    EXPECT_FALSE(a);
    EXPECT_FALSE(b);
    if (!a && !b) {
        EXPECT_EQ(a.error(), Errc::Cancelled);
        EXPECT_EQ(b.error(), Errc::Cancelled);
    }
}

TEST_F(AtChannel, CloseFromAUrcHandlerCancelsEverything)
{
    channel_->set_urc_handler([this](const std::string&) { channel_->close(); });
    run(cancelled_by_urc(channel_.get()), script({{"AT+SLOW", "\r\nRING\r\n"}}));
}

TEST_F(AtChannel, CloseFromTheClosedHandlerIsSafe)
{
    int closed_calls = 0;
    channel_->set_closed_handler([&](Error) {
        ++closed_calls;
        channel_->close();
    });
    run(port_goes_away(channel_.get(), &closed_calls), close_master_after_command(this));
}

asio::awaitable<void> destroy_channel(std::unique_ptr<Channel>* owner)
{
    owner->reset();
    co_return;
}

asio::awaitable<void> destroy_while_waiting(std::unique_ptr<Channel>* channel)
{
    auto pending = (*channel)->transact("AT+WAIT", 5s);
    auto reply = co_await (std::move(pending) && destroy_channel(channel));
    EXPECT_FALSE(reply);
    if (!reply) {
        EXPECT_EQ(reply.error(), Errc::Cancelled);
    }
}

TEST_F(AtChannel, DestroyedWhileACommandAndTheReaderAreSuspended)
{
    run(destroy_while_waiting(&channel_), idle_peer());
    EXPECT_EQ(channel_, nullptr);
}

TEST(AtOpenSerialPort, MissingDeviceIsAnError)
{
    auto fd = open_serial_port("/dev/uplink-no-such-tty");
    ASSERT_FALSE(fd);
    EXPECT_EQ(fd.error(), boost::system::errc::no_such_file_or_directory);
}

TEST(AtOpenSerialPort, AReplyLeftForThePreviousOwnerIsDiscarded)
{
    int master = -1;
    int slave = -1;
    ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    std::string path = ::ttyname(slave);
    // A daemon stopped while its ATE0 was in flight: the modem's OK waits in the queue.
    const std::string stale = "\r\nOK\r\n";
    ASSERT_EQ(::write(master, stale.data(), stale.size()), static_cast<ssize_t>(stale.size()));
    auto fd = open_serial_port(path);
    ::close(slave);
    ASSERT_TRUE(fd) << fd.error().message();
    char byte = 0;
    EXPECT_EQ(::read(*fd, &byte, 1), -1) << "the stale reply is still readable";
    EXPECT_EQ(errno, EAGAIN);
    ::close(*fd);
    ::close(master);
}

// ---------------------------------------------------------------- peers and clients used above

asio::awaitable<void> one_at_a_time_peer(AtChannel* test, std::string* order, bool* overlapped)
{
    for (int i = 0; i < 5; ++i) {
        auto command = co_await test->next_command();
        *order += command.substr(4);
        if (!test->peer_buffer_.empty())
            *overlapped = true;
        auto number = command.substr(4);
        co_await test->send("\r\n+Q" + number + ": " + number + "\r\n\r\nOK\r\n");
    }
}

asio::awaitable<void> close_master_after_command(AtChannel* test)
{
    auto command = co_await test->next_command();
    EXPECT_EQ(command, "AT+X");
    test->master_->close();
}

asio::awaitable<void> hang_then_reopen(AtChannel* test, Channel* channel)
{
    auto first = co_await channel->transact("AT+A", 100ms);
    EXPECT_EQ(first.error(), Errc::Timeout);
    EXPECT_FALSE(channel->hung());
    // AT+B times out too while AT+C waits behind it: the port is hung, AT+C fails fast.
    auto [second, third]
        = co_await (channel->transact("AT+B", 100ms) && channel->transact("AT+C", 2s));
    EXPECT_EQ(second.error(), Errc::Timeout);
    EXPECT_EQ(third.error(), Errc::PortHung);
    EXPECT_TRUE(channel->hung());
    EXPECT_EQ(channel->stats().consecutive_timeouts, 2);
    auto fourth = co_await channel->transact("AT+D", 2s);
    EXPECT_EQ(fourth.error(), Errc::PortHung);
    // The owner reopens the same device: framing and counters start over.
    auto fd = open_serial_port(test->slave_path_);
    EXPECT_TRUE(fd);
    if (!fd)
        co_return;
    EXPECT_TRUE(channel->reopen(*fd));
    EXPECT_FALSE(channel->hung());
    auto fifth = co_await channel->transact("AT+E", 2s);
    EXPECT_TRUE(fifth);
    if (fifth) {
        EXPECT_EQ(fifth->lines, std::vector<std::string> {"+E: 5"});
    }
}

} // namespace
} // namespace uplink::at
