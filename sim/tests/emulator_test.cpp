// The real uplink-sim binary: its tree, its AT port on a pty, its control socket, its exit.
// Every wait has a deadline; nothing sleeps.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline)
{
    auto left
        = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Reads what `fd` has until `done(bytes)` or the deadline; false on EOF, error or timeout.
bool read_until(int fd, std::string& bytes, Clock::time_point deadline,
    const std::function<bool(const std::string&)>& done)
{
    while (!done(bytes)) {
        pollfd entry {fd, POLLIN, 0};
        if (::poll(&entry, 1, remaining_ms(deadline)) <= 0)
            return false;
        char buffer[4096];
        auto count = ::read(fd, buffer, sizeof buffer);
        if (count <= 0)
            return false;
        bytes.append(buffer, static_cast<std::size_t>(count));
    }
    return true;
}

std::string slurp(const fs::path& path)
{
    std::ifstream file(path);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class TemporaryDirectory {
public:
    TemporaryDirectory()
    {
        char pattern[] = "/tmp/uplink-sim-test.XXXXXX";
        path_ = ::mkdtemp(pattern);
    }
    ~TemporaryDirectory()
    {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// uplink-sim as a child process: stdout through a pipe, stderr to a file.
class Simulator {
public:
    Simulator(const fs::path& scenario, const fs::path& root, const fs::path& log)
    {
        int pipe_fds[2];
        EXPECT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(
            &actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        std::vector<std::string> arguments {
            UPLINK_SIM_BINARY, "--scenario", scenario.string(), "--root", root.string()};
        std::vector<char*> argv;
        for (auto& argument : arguments)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        EXPECT_EQ(
            ::posix_spawn(&pid_, UPLINK_SIM_BINARY, &actions, nullptr, argv.data(), environ), 0);
        posix_spawn_file_actions_destroy(&actions);
        ::close(pipe_fds[1]);
        stdout_ = pipe_fds[0];
    }

    ~Simulator()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(stdout_);
    }

    std::string ready_line(Clock::time_point deadline)
    {
        read_until(stdout_, output_, deadline,
            [](const std::string& bytes) { return bytes.find('\n') != std::string::npos; });
        return output_.substr(0, output_.find('\n'));
    }

    // SIGTERM, then the exit status once stdout closes (the process is gone).
    std::optional<int> terminate(Clock::time_point deadline)
    {
        ::kill(pid_, SIGTERM);
        if (read_until(stdout_, output_, deadline, [](const std::string&) { return false; })
            || Clock::now() >= deadline)
            return std::nullopt;
        int status = 0;
        ::waitpid(std::exchange(pid_, -1), &status, 0);
        return WIFEXITED(status) ? std::optional<int>(WEXITSTATUS(status)) : std::nullopt;
    }

    std::optional<int> wait_exit(Clock::time_point deadline)
    {
        if (read_until(stdout_, output_, deadline, [](const std::string&) { return false; })
            || Clock::now() >= deadline)
            return std::nullopt;
        int status = 0;
        ::waitpid(std::exchange(pid_, -1), &status, 0);
        return WIFEXITED(status) ? std::optional<int>(WEXITSTATUS(status)) : std::nullopt;
    }

private:
    pid_t pid_ = -1;
    int stdout_ = -1;
    std::string output_;
};

// One AT port, opened like a client opens /dev/ttyUSB2.
class AtPort {
public:
    explicit AtPort(const fs::path& device)
        : fd_(::open(device.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC))
    {
    }
    ~AtPort()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int fd() const { return fd_; }

    // Everything read up to the command's final result code (URCs included).
    std::string command(const std::string& line, Clock::time_point deadline)
    {
        auto text = line + "\r";
        EXPECT_EQ(::write(fd_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        std::string bytes;
        read_until(fd_, bytes, deadline, [](const std::string& seen) {
            for (auto final : {"\r\nOK\r\n", "\r\nERROR\r\n"})
                if (seen.find(final) != std::string::npos)
                    return true;
            auto error = seen.find("+CME ERROR:");
            return error != std::string::npos && seen.find("\r\n", error) != std::string::npos;
        });
        return bytes;
    }

    // Repeats `line` until its reply contains `expected` (the modem boots, the SIM initializes).
    std::string until(
        const std::string& line, const std::string& expected, Clock::time_point deadline)
    {
        std::string reply;
        while (Clock::now() < deadline) {
            reply = command(line, std::min(deadline, Clock::now() + 300ms));
            if (reply.find(expected) != std::string::npos)
                return reply;
        }
        return reply;
    }

private:
    int fd_;
};

// The control socket: one JSON line out, one back.
class Control {
public:
    explicit Control(const fs::path& path)
        : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
        EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << path;
    }
    ~Control() { ::close(fd_); }

    std::string call(const std::string& request)
    {
        auto line = request + "\n";
        EXPECT_EQ(
            ::send(fd_, line.data(), line.size(), MSG_NOSIGNAL), static_cast<ssize_t>(line.size()));
        read_until(fd_, buffer_, Clock::now() + 5s,
            [](const std::string& bytes) { return bytes.find('\n') != std::string::npos; });
        auto end = buffer_.find('\n');
        auto reply = buffer_.substr(0, end);
        buffer_.erase(0, end == std::string::npos ? buffer_.size() : end + 1);
        return reply;
    }

private:
    int fd_;
    std::string buffer_;
};

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

class EmulatorBinary : public ::testing::Test {
protected:
    void SetUp() override
    {
        root_ = directory_.path() / "root";
        simulator_.emplace(fs::path(UPLINK_SIM_SCENARIOS) / "ec25-test.json", root_,
            directory_.path() / "sim.log");
        auto ready = simulator_->ready_line(Clock::now() + 10s);
        ASSERT_EQ(ready,
            "uplink-sim ready root=" + root_.string()
                + " control=" + (root_ / "control.sock").string())
            << slurp(directory_.path() / "sim.log");
    }

    fs::path sys(const std::string& relative) const { return root_ / "sys" / relative; }

    TemporaryDirectory directory_;
    fs::path root_;
    std::optional<Simulator> simulator_;
};

TEST_F(EmulatorBinary, TreeLooksLikeAnEc25)
{
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/idVendor")), "2c7c\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/idProduct")), "0125\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/manufacturer")), "Quectel\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/busnum")), "1\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/bNumInterfaces")), " 5\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1:1.2/bInterfaceNumber")), "02\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1:1.2/bInterfaceClass")), "ff\n");
    EXPECT_EQ(fs::read_symlink(sys("bus/usb/devices/1-1:1.2/driver")).filename(), "option");
    EXPECT_EQ(fs::read_symlink(sys("bus/usb/devices/1-1:1.4/driver")).filename(), "qmi_wwan");
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1:1.2/ttyUSB2")));
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1:1.4/usbmisc/cdc-wdm0")));
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1:1.4/net/wwan0")));
    EXPECT_TRUE(fs::is_directory(sys("class/tty/ttyUSB3")));
    EXPECT_EQ(fs::read_symlink(root_ / "dev/ttyUSB2").string().rfind("/dev/pts/", 0), 0u);
    EXPECT_FALSE(fs::exists(root_ / "dev/cdc-wdm0")); // the QMI face comes later
}

TEST_F(EmulatorBinary, PortIsRaw)
{
    AtPort port(root_ / "dev/ttyUSB2");
    ASSERT_GE(port.fd(), 0);
    termios settings {};
    ASSERT_EQ(::tcgetattr(port.fd(), &settings), 0);
    EXPECT_EQ(settings.c_lflag & (ECHO | ICANON | ISIG), 0u);
    EXPECT_EQ(settings.c_iflag & (ICRNL | INLCR | IGNCR), 0u);
    EXPECT_EQ(settings.c_oflag & OPOST, 0u);
}

TEST_F(EmulatorBinary, AnswersAndFollowsTheControlSocket)
{
    auto deadline = Clock::now() + 20s;
    {
        AtPort port(root_ / "dev/ttyUSB2");
        ASSERT_GE(port.fd(), 0);
        ASSERT_TRUE(contains(port.until("AT", "OK", deadline), "OK"));
        EXPECT_TRUE(contains(port.command("ATI", deadline),
            "ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n"));
        EXPECT_TRUE(contains(
            port.until("AT+CPIN?", "+CPIN:", deadline), "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"));
        EXPECT_TRUE(contains(port.command("AT+CPIN=1234", deadline), "\r\nOK\r\n"));
        EXPECT_TRUE(contains(port.until("AT+CEREG?", "+CEREG: 0,1", deadline), "+CEREG: 0,1"));

        Control control(root_ / "control.sock");
        EXPECT_EQ(
            control.call(R"({"cmd":"set-signal","rsrp":-100,"rsrq":-12,"sinr":5,"rssi":-70})"),
            R"({"ok":true,"modem":"ec25"})");
        EXPECT_TRUE(contains(port.command("AT+CSQ", deadline), "+CSQ: 21,99\r\n"));
        EXPECT_TRUE(
            contains(port.command("AT+QENG=\"servingcell\"", deadline), ",D6E7,-100,-12,-70,5,"));
        auto counters = control.call(R"({"cmd":"counters","modem":"ec25"})");
        EXPECT_TRUE(contains(counters, R"("pin_attempts":1,)")) << counters;
        EXPECT_TRUE(contains(counters, R"("AT+CPIN":)")) << counters;
        EXPECT_TRUE(contains(counters, R"("AT+CSQ":1)")) << counters;
        EXPECT_TRUE(contains(control.call("nonsense"), R"("ok":false)"));
        EXPECT_EQ(control.call(R"({"cmd":"unplug","modem":"nosuch"})"),
            R"({"ok":false,"error":"unknown modem \"nosuch\""})");

        EXPECT_EQ(control.call(R"({"cmd":"unplug"})"), R"({"ok":true,"modem":"ec25"})");
        EXPECT_FALSE(fs::exists(sys("bus/usb/devices/1-1")));
        EXPECT_FALSE(fs::exists(sys("devices/platform/uplink-sim/usb1/1-1")));
        EXPECT_FALSE(fs::exists(sys("class/tty/ttyUSB2")));
        EXPECT_FALSE(fs::exists(root_ / "dev/ttyUSB2"));
        pollfd entry {port.fd(), POLLIN, 0};
        ASSERT_EQ(::poll(&entry, 1, 5000), 1);
        EXPECT_NE(entry.revents & (POLLHUP | POLLERR), 0); // the client sees the port go
        EXPECT_TRUE(contains(control.call(R"({"cmd":"status"})"), R"("plugged":false)"));

        EXPECT_EQ(control.call(R"({"cmd":"replug"})"), R"({"ok":true,"modem":"ec25"})");
        EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/idVendor")), "2c7c\n");
        EXPECT_TRUE(contains(control.call(R"({"cmd":"status"})"), R"("plugged":true)"));
    }
    AtPort replugged(root_ / "dev/ttyUSB2");
    ASSERT_GE(replugged.fd(), 0);
    EXPECT_TRUE(contains(
        replugged.until("AT+CPIN?", "+CPIN:", deadline), "+CPIN: SIM PIN")); // a fresh power-on
    EXPECT_TRUE(contains(replugged.command("AT+CSQ", deadline), "+CSQ: 99,99"));

    auto status = simulator_->terminate(Clock::now() + 10s);
    EXPECT_EQ(status, 0);
    EXPECT_FALSE(fs::exists(root_ / "sys"));
    EXPECT_FALSE(fs::exists(root_ / "dev"));
    EXPECT_FALSE(fs::exists(root_ / "control.sock"));
}

TEST(EmulatorArguments, BadScenarioExitsWith2AndNamesTheField)
{
    TemporaryDirectory directory;
    auto scenario = directory.path() / "bad.json";
    std::ofstream(scenario) << R"({"operators": [{"mcc": "001", "mnc": "01", "long_name": "x"}],
        "modems": [{"id": "m", "imei": "123", "usb": {"path": "1-1"}, "radio": {"band": 3, "earfcn": 1575}}]})";
    Simulator simulator(scenario, directory.path() / "root", directory.path() / "sim.log");
    EXPECT_EQ(simulator.wait_exit(Clock::now() + 10s), 2);
    EXPECT_TRUE(contains(slurp(directory.path() / "sim.log"), "modems[0].imei: expected 15 digits"))
        << slurp(directory.path() / "sim.log");
    EXPECT_FALSE(fs::exists(directory.path() / "root" / "sys"));
}

} // namespace
