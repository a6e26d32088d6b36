// The unix-socket transport against a real socket in a temporary directory.
#include "api/api.hpp"
#include "api/fake_source.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace uplink::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::as_tuple;
using asio::use_awaitable;
using asio::local::stream_protocol;

constexpr const char* end_of_stream = "<end of stream>";

// One line without its '\n', or end_of_stream. The caller awaits it, so the pointers stay valid.
asio::awaitable<std::string> read_line(stream_protocol::socket* socket, std::string* buffer)
{
    auto [error, size] = co_await asio::async_read_until(*socket, asio::dynamic_buffer(*buffer), '\n',
                                                         as_tuple(use_awaitable));
    if (error)
        co_return end_of_stream;
    std::string line = buffer->substr(0, size - 1);
    buffer->erase(0, size);
    co_return line;
}

// Connects, writes `requests`, and reads reply lines until `replies` lines or the end of stream.
asio::awaitable<std::vector<std::string>> exchange(std::string path, std::string requests, std::size_t replies)
{
    stream_protocol::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(stream_protocol::endpoint(path), use_awaitable);
    co_await asio::async_write(socket, asio::buffer(requests), as_tuple(use_awaitable));
    std::vector<std::string> lines;
    std::string buffer;
    while (lines.size() < replies) {
        lines.push_back(co_await read_line(&socket, &buffer));
        if (lines.back() == end_of_stream)
            break;
    }
    co_return lines;
}

// Follows the event stream: reads the reply, has the source emit one event, reads it, then
// either closes (stop_server == nullptr) or stops the server and reads on to the end.
asio::awaitable<std::vector<std::string>> follow(std::string path, testing::FakeModemSource* source,
                                                 Server* stop_server)
{
    stream_protocol::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(stream_protocol::endpoint(path), use_awaitable);
    std::string request = R"({"method":"GET","path":"/v1/events"})"
                          "\n";
    co_await asio::async_write(socket, asio::buffer(request), use_awaitable);
    std::vector<std::string> lines;
    std::string buffer;
    lines.push_back(co_await read_line(&socket, &buffer));
    lines.push_back("subscribers: " + std::to_string(source->subscriber_count()));
    source->emit({modem::Event::Kind::StateChanged, "1-1", "searching -> registered",
                  std::chrono::system_clock::time_point(std::chrono::seconds(1714564800)), {}});
    lines.push_back(co_await read_line(&socket, &buffer));
    if (stop_server) {
        stop_server->stop();
        lines.push_back(co_await read_line(&socket, &buffer));
    }
    co_return lines;
}

class ServerTest : public ::testing::Test {
protected:
    ServerTest()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "uplink-api-XXXXXX").string();
        directory = ::mkdtemp(pattern.data());
        socket_path = directory + "/run/uplink/uplink.sock";
        source.snapshots = {testing::registered_ec25("1-1")};
    }
    ~ServerTest() override { std::filesystem::remove_all(directory); }

    ServerOptions options() const { return options_at(socket_path); }
    static ServerOptions options_at(std::string path)
    {
        ServerOptions options;
        options.socket_path = std::move(path);
        options.info = DaemonInfo{"0.1.0", Clock::now()};
        return options;
    }

    // Runs `client` against a started server, then stops the server.
    std::vector<std::string> run(Server& server, asio::awaitable<std::vector<std::string>> client)
    {
        std::vector<std::string> lines;
        asio::co_spawn(io, std::move(client), [&](std::exception_ptr exception, std::vector<std::string> result) {
            if (exception) {
                try {
                    std::rethrow_exception(exception);
                } catch (const std::exception& caught) {
                    ADD_FAILURE() << "client failed: " << caught.what();
                }
            }
            lines = std::move(result);
            server.stop();
        });
        io.run();
        return lines;
    }

    std::string directory;
    std::string socket_path;
    asio::io_context io;
    testing::FakeModemSource source;
};

mode_t mode_of(const std::string& path)
{
    struct stat status {};
    EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
    return status.st_mode & 07777;
}

TEST_F(ServerTest, CreatesTheDirectoryAndASocketOnlyItsOwnerMayUse)
{
    Server server(io.get_executor(), options(), source);
    ASSERT_TRUE(server.start());
    EXPECT_EQ(mode_of(socket_path), 0600u);
    EXPECT_EQ(mode_of(directory + "/run/uplink"), 0755u);
    server.stop();
    EXPECT_FALSE(std::filesystem::exists(socket_path)) << "stop() removes the socket";
}

// "nobody" and its group (65534 on Debian and OpenWrt): a user who is not root.
constexpr unsigned nobody = 65534;

TEST_F(ServerTest, WithAGroupTheSocketIsItsGroupsToo)
{
    auto grouped = options();
    grouped.group = nobody;
    Server server(io.get_executor(), grouped, source);
    ASSERT_TRUE(server.start());
    EXPECT_EQ(mode_of(socket_path), 0660u);
    struct stat status {};
    ASSERT_EQ(::stat(socket_path.c_str(), &status), 0);
    EXPECT_EQ(status.st_gid, nobody);
}

// What a user of the socket's group gets: replies to reads, a 403 for a change. The client is
// a child process that became nobody (root's tests; the credentials are the kernel's).
TEST_F(ServerTest, APeerThatIsNotRootMayReadButNotChange)
{
    ASSERT_EQ(::geteuid(), 0u) << "the test needs root, to become another user";
    ::chmod(directory.c_str(), 0755);   // mkdtemp's 0700 would keep nobody from the socket's path
    auto grouped = options();
    grouped.group = nobody;
    Server server(io.get_executor(), grouped, source);
    ASSERT_TRUE(server.start());
    int pipe_ends[2];
    ASSERT_EQ(::pipe(pipe_ends), 0);
    std::string replies;
    std::thread client([&] {
        pid_t child = ::fork();
        if (child == 0) {
            ::close(pipe_ends[0]);
            if (::setgid(nobody) != 0 || ::setuid(nobody) != 0)
                ::_exit(2);
            int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un address {};
            address.sun_family = AF_UNIX;
            std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
            if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0)
                ::_exit(3);
            const char requests[] = "{\"method\":\"GET\",\"path\":\"/v1/status\"}\n"
                                    "{\"method\":\"POST\",\"path\":\"/v1/modems/1-1/disconnect\"}\n"
                                    "{\"method\":\"GET\",\"path\":\"/v1/tokens\"}\n"
                                    "{\"method\":\"POST\",\"path\":\"/v1/tokens\",\"body\":{\"name\":\"mine\"}}\n";
            if (::write(fd, requests, sizeof(requests) - 1) < 0)
                ::_exit(4);
            std::string received;
            char chunk[4096];
            while (std::count(received.begin(), received.end(), '\n') < 4) {
                auto size = ::read(fd, chunk, sizeof(chunk));
                if (size <= 0)
                    break;
                received.append(chunk, static_cast<std::size_t>(size));
            }
            (void)!::write(pipe_ends[1], received.data(), received.size());
            ::_exit(0);
        }
        ::close(pipe_ends[1]);
        char chunk[4096];
        ssize_t size = 0;
        while ((size = ::read(pipe_ends[0], chunk, sizeof(chunk))) > 0)
            replies.append(chunk, static_cast<std::size_t>(size));
        ::close(pipe_ends[0]);
        int status = 0;
        ::waitpid(child, &status, 0);
        asio::post(io, [&] { server.stop(); });
    });
    io.run();
    client.join();
    std::vector<json::value> lines;
    for (std::size_t start = 0, end; (end = replies.find('\n', start)) != std::string::npos; start = end + 1)
        lines.push_back(json::parse(replies.substr(start, end - start)));
    ASSERT_EQ(lines.size(), 4u) << replies;
    EXPECT_EQ(lines[0].at("status"), 200) << replies;
    // A change, and the API tokens (listed or made): each refused with who was refused.
    for (std::size_t refused = 1; refused < lines.size(); ++refused) {
        EXPECT_EQ(lines[refused].at("status"), 403) << replies;
        EXPECT_NE(std::string(lines[refused].at("error").as_string()).find("uid 65534"), std::string::npos) << replies;
    }
    EXPECT_TRUE(source.connection_requests.empty()) << "the disconnect reached the modem";
}

// A client that connects and says nothing gives its slot back.
TEST_F(ServerTest, AClientThatSendsNothingIsClosed)
{
    auto quick = options();
    quick.idle_timeout = std::chrono::milliseconds(100);
    Server server(io.get_executor(), quick, source);
    ASSERT_TRUE(server.start());
    auto lines = run(server, exchange(socket_path, "", 1));
    EXPECT_EQ(lines, std::vector<std::string> {end_of_stream});
}

TEST_F(ServerTest, AnswersSeveralRequestsInOrderOnOneConnection)
{
    Server server(io.get_executor(), options(), source);
    ASSERT_TRUE(server.start());
    auto lines = run(server, exchange(socket_path,
                                      "{\"method\":\"GET\",\"path\":\"/v1/modems\"}\n"
                                      "\n"
                                      "{\"method\":\"GET\",\"path\":\"/v1/modems/5-5\"}\r\n"
                                      "{\"method\":\"POST\",\"path\":\"/v1/modems/1-1/at\",\"body\":{\"command\":\"ATI\"}}\n"
                                      "not json\n",
                                      4));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(json::parse(lines[0]).at("status"), 200);
    EXPECT_EQ(json::parse(lines[1]).at("status"), 404);
    EXPECT_EQ(json::parse(lines[2]).at("status"), 200);
    EXPECT_EQ(json::parse(lines[3]).at("status"), 400);
    EXPECT_EQ(source.commands_sent, std::vector<std::string>{"1-1 ATI"});
}

TEST_F(ServerTest, OverlongLineIs413ThenTheConnectionCloses)
{
    Server server(io.get_executor(), options(), source);
    ASSERT_TRUE(server.start());
    auto lines = run(server, exchange(socket_path, std::string(max_request_line + 10, 'x') + "\n", 2));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(json::parse(lines[0]).at("status"), 413);
    EXPECT_EQ(lines[1], end_of_stream);
}

TEST_F(ServerTest, LineOfExactlyTheLimitIsAnswered)
{
    Server server(io.get_executor(), options(), source);
    ASSERT_TRUE(server.start());
    std::string request = R"({"method":"GET","path":"/v1/status"})";
    request += std::string(max_request_line - request.size(), ' ');
    auto lines = run(server, exchange(socket_path, request + "\n", 1));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(json::parse(lines[0]).at("status"), 200);
}

TEST_F(ServerTest, StreamsEventsUntilTheClientCloses)
{
    Server server(io.get_executor(), options(), source);
    ASSERT_TRUE(server.start());
    auto lines = run(server, follow(socket_path, &source, nullptr));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(json::parse(lines[0]), json::parse(R"({"status":200,"body":{"stream":"events"}})"));
    EXPECT_EQ(lines[1], "subscribers: 1");
    EXPECT_EQ(json::parse(lines[2]), json::parse(R"({"event":{"kind":"state-changed","modem_id":"1-1",
        "message":"searching -> registered","time":"2024-05-01T12:00:00.000Z"}})"));
    EXPECT_EQ(source.subscriber_count(), 0u);
}

TEST_F(ServerTest, StopEndsEveryStream)
{
    Server server(io.get_executor(), options(), source);
    ASSERT_TRUE(server.start());
    auto lines = run(server, follow(socket_path, &source, &server));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[3], end_of_stream);
    EXPECT_EQ(source.subscriber_count(), 0u);
    EXPECT_FALSE(std::filesystem::exists(socket_path));
}

TEST_F(ServerTest, ReplacesAStaleSocket)
{
    std::filesystem::create_directories(directory + "/run/uplink");
    {
        // A socket file nobody listens on, as a daemon that was killed leaves it.
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        socket_path.copy(address.sun_path, sizeof(address.sun_path) - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
        ::close(fd);
    }
    Server server(io.get_executor(), options(), source);
    ASSERT_TRUE(server.start());
    auto lines = run(server, exchange(socket_path, "{\"method\":\"GET\",\"path\":\"/v1/status\"}\n", 1));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(json::parse(lines[0]).at("status"), 200);
}

TEST_F(ServerTest, RefusesToTakeOverALiveDaemonsSocket)
{
    Server first(io.get_executor(), options(), source);
    ASSERT_TRUE(first.start());
    Server second(io.get_executor(), options(), source);
    auto started = second.start();
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error(), boost::system::errc::address_in_use);
    EXPECT_TRUE(std::filesystem::exists(socket_path));
}

TEST_F(ServerTest, LeavesAFileThatIsNotASocketAlone)
{
    std::filesystem::create_directories(directory + "/run/uplink");
    std::ofstream(socket_path) << "precious";
    Server server(io.get_executor(), options(), source);
    auto started = server.start();
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error(), boost::system::errc::file_exists);
    std::ifstream file(socket_path);
    std::string content;
    file >> content;
    EXPECT_EQ(content, "precious");
}

TEST_F(ServerTest, RejectsARelativeOrOverlongPath)
{
    Server relative(io.get_executor(), options_at("uplink.sock"), source);
    EXPECT_FALSE(relative.start());
    Server overlong(io.get_executor(), options_at("/tmp/" + std::string(200, 'x')), source);
    EXPECT_FALSE(overlong.start());
}

} // namespace
} // namespace uplink::api
