// Hotplug by kernel uevents (netns tier: root). The emulator's tree is watched by inotify, so only
// here does the NETLINK_KOBJECT_UEVENT path meet the kernel. Each test runs on a thread of its
// own in a new network namespace and a private mount namespace (both affect that thread alone
// and vanish with it), where it asks the kernel for a uevent of the namespace's own loopback
// device: writing "change" to /sys/class/net/lo/uevent makes the kernel send
// "change@/devices/virtual/net/lo ... SUBSYSTEM=net", and a net device's uevents go only to
// sockets in its own namespace. Nothing of the machine's devices is touched.
#include "modem/fake_sysfs.hpp"
#include "modem/hotplug.hpp"
#include "modem/modem.hpp"

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <sched.h>
#include <string_view>
#include <sys/mount.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace uplink::modem {
namespace {

namespace asio = boost::asio;
using namespace std::string_view_literals;

// The namespace's own sysfs (its /sys/class/net shows its own links), mounted beside the /sys
// the code under test is given.
class KernelUevents : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto pattern
            = (std::filesystem::temp_directory_path() / "uplink-kernel-sys-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
        kernel_sysfs_ = pattern;
    }
    void TearDown() override
    {
        // An empty mount point by now: the mount went with the thread's namespace.
        std::error_code ignored;
        std::filesystem::remove(kernel_sysfs_, ignored);
    }

    // Runs `body` on a thread in new network and mount namespaces; "" when it ran, else why it
    // could not (the test then skips, which UPLINK_REQUIRE_EVERY_TEST turns into a failure).
    std::string in_private_namespaces(const std::function<void()>& body)
    {
        std::string unavailable;
        std::thread thread([&] {
            auto fail = [&](const std::string& step) {
                unavailable = step + ": " + std::strerror(errno) + " (needs root)";
            };
            if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
                return fail("unshare(CLONE_NEWNET | CLONE_NEWNS)");
            if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
                return fail("mount --make-rprivate /");
            if (::mount("sysfs", kernel_sysfs_.c_str(), "sysfs", 0, nullptr) != 0)
                return fail("mount -t sysfs " + kernel_sysfs_.string());
            body();
        });
        thread.join();
        return unavailable;
    }

    // The kernel sends a uevent for the namespace's loopback device.
    void request_kernel_uevent() const
    {
        std::ofstream file(kernel_sysfs_ / "class/net/lo/uevent");
        file << "change" << std::flush;
        ASSERT_TRUE(file) << "cannot write " << (kernel_sysfs_ / "class/net/lo/uevent");
    }

    // Runs the loop until `done` holds; the deadline only guards against a hang.
    static bool run_until(asio::io_context& context, const std::function<bool()>& done)
    {
        auto end = Clock::now() + 20s;
        while (!done() && Clock::now() < end)
            context.run_one_for(std::chrono::milliseconds(50));
        return done();
    }

    std::filesystem::path kernel_sysfs_;
};

// A message in the uevent format sent to the kernel's broadcast group, as only root may: the
// kernel sends no uevent that names only an unrelated subsystem into a private namespace
// without touching the machine's devices (a net device's queues have read-only uevent files).
void broadcast_uevent(std::string_view message)
{
    int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    sockaddr_nl group {};
    group.nl_family = AF_NETLINK;
    group.nl_groups = 1;
    auto sent = ::sendto(
        fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&group), sizeof group);
    auto error = errno;
    ::close(fd);
    ASSERT_EQ(sent, static_cast<ssize_t>(message.size())) << std::strerror(error);
}

TEST_F(KernelUevents, AKernelUeventTellsTheWatcherOfTheRealSys)
{
    auto unavailable = in_private_namespaces([this] {
        asio::io_context context;
        int changes = 0;
        auto watcher = std::make_shared<HotplugWatcher>(
            context.get_executor(), "/sys", [&changes] { ++changes; });
        watcher->start();

        // Delivered at once (a broadcast is queued on every listener before sendto returns), so
        // the next handler the loop runs is the watcher's read of it.
        broadcast_uevent(
            "change@/devices/virtual/thermal/thermal_zone0\0ACTION=change\0"
            "DEVPATH=/devices/virtual/thermal/thermal_zone0\0SUBSYSTEM=thermal\0SEQNUM=1"sv);
        context.run_one_for(std::chrono::seconds(5));
        EXPECT_EQ(changes, 0) << "a thermal zone's uevent is no modem's";

        request_kernel_uevent();
        EXPECT_TRUE(run_until(context, [&changes] { return changes > 0; }))
            << "no callback for the kernel's uevent of lo (SUBSYSTEM=net)";
        watcher->stop();
    });
    if (!unavailable.empty())
        GTEST_SKIP() << "netns test skipped: " << unavailable;
}

// The manager rescans on a uevent alone. Its /sys is a made-up tree bound over /sys in the
// thread's mount namespace: an unknown device whose serial function has no driver yet, which is
// no modem; then cdc_acm binds to it (the `driver` link appears inside the device's directory,
// where inotify does not look, as on the real /sys where inotify sees nothing at all). Only the
// kernel's uevent makes the manager look again and find the modem.
TEST_F(KernelUevents, AUeventMakesTheManagerRescan)
{
    testing::FakeSysfs tree;
    tree.add_device("1-2", "1e2d", "00b7");
    tree.add_interface("1-2", 0, "02/02/01", "", {"tty/ttyACM0"});
    auto state_dir = std::filesystem::path(tree.root()) / "state";
    std::filesystem::create_directories(state_dir);

    auto unavailable = in_private_namespaces([&] {
        ASSERT_EQ(::mount(tree.sysfs_root().c_str(), "/sys", nullptr, MS_BIND, nullptr), 0)
            << "mount --bind " << tree.sysfs_root() << " /sys: " << std::strerror(errno);
        asio::io_context context;
        Options options;
        options.sysfs_root = "/sys";
        options.dev_root = tree.dev_root();
        options.state_dir = state_dir.string();
        Manager manager(context.get_executor(), options);
        std::vector<std::string> added;
        auto subscription = manager.subscribe([&added](const Event& event) {
            if (event.kind == Event::Kind::Added)
                added.push_back(event.modem_id);
        });
        manager.start();
        ASSERT_TRUE(manager.modems().empty()) << "a device with no driver is no modem yet";

        tree.bind_driver("1-2", 0, "cdc_acm");
        request_kernel_uevent();
        EXPECT_TRUE(run_until(context, [&added] { return !added.empty(); }))
            << "the manager did not rescan on the kernel's uevent";
        EXPECT_EQ(added, std::vector<std::string> {"1-2"});
        manager.stop();
    });
    if (!unavailable.empty())
        GTEST_SKIP() << "netns test skipped: " << unavailable;
}

} // namespace
} // namespace uplink::modem
