// The sysfs-like tree on its own: layout, numbering, removal, and a root that is not ours.
#include "sim/tree.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>

namespace uplink::sim {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path)
{
    std::ifstream file(path);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class TreeTest : public ::testing::Test {
protected:
    TreeTest()
    {
        char pattern[] = "/tmp/uplink-tree-test.XXXXXX";
        root_ = ::mkdtemp(pattern);
    }
    ~TreeTest() override
    {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }

    DeviceLayout layout(std::string path, int first_tty, int wdm) const
    {
        DeviceLayout layout;
        layout.usb.path = std::move(path);
        layout.usb.devnum = 3;
        layout.usb.serial = "a1b2";
        layout.tty_numbers = {first_tty, first_tty + 1, first_tty + 2, first_tty + 3};
        layout.wdm_number = wdm;
        layout.pty_paths
            = {"/dev/pts/90", "/dev/pts/91", "/dev/pts/92", "/dev/pts/93", "/dev/pts/94"};
        return layout;
    }

    fs::path root_;
};

TEST_F(TreeTest, SecondModemGetsTheNextNumbers)
{
    Tree tree(root_);
    ASSERT_TRUE(tree.create());
    ASSERT_TRUE(tree.plug(layout("1-1", 0, 0)));
    ASSERT_TRUE(tree.plug(layout("1-2", 4, 1)));
    auto devices = root_ / "sys/bus/usb/devices";
    EXPECT_EQ(slurp(devices / "1-2/devnum"), "3\n");
    EXPECT_EQ(slurp(devices / "1-2/serial"), "a1b2\n");
    EXPECT_EQ(slurp(devices / "1-2:1.0/bInterfaceNumber"), "00\n");
    EXPECT_EQ(slurp(devices / "1-2:1.0/bInterfaceSubClass"), "ff\n");
    EXPECT_EQ(slurp(devices / "1-2:1.3/bInterfaceSubClass"), "00\n");
    EXPECT_EQ(slurp(devices / "1-2:1.2/ttyUSB6/tty/ttyUSB6/dev"), "188:6\n");
    EXPECT_TRUE(fs::is_directory(devices / "1-2:1.4/usbmisc/cdc-wdm1"));
    EXPECT_TRUE(fs::is_directory(root_ / "sys/class/tty/ttyUSB6"));
    EXPECT_EQ(fs::read_symlink(root_ / "dev/ttyUSB6"), "/dev/pts/92");
    EXPECT_EQ(fs::read_symlink(root_ / "dev/cdc-wdm1"), "/dev/pts/94");
    EXPECT_EQ(fs::read_symlink(devices / "1-2"), "../../../devices/platform/uplink-sim/usb1/1-2");

    tree.unplug_sysfs(layout("1-1", 0, 0));
    EXPECT_FALSE(fs::exists(devices / "1-1"));
    EXPECT_FALSE(fs::exists(devices / "1-1:1.2"));
    EXPECT_FALSE(fs::exists(root_ / "sys/devices/platform/uplink-sim/usb1/1-1"));
    EXPECT_TRUE(fs::is_symlink(root_ / "dev/ttyUSB2")); // /dev goes after the ports close
    EXPECT_TRUE(fs::is_symlink(root_ / "dev/cdc-wdm0"));
    tree.unplug_dev(layout("1-1", 0, 0));
    EXPECT_FALSE(fs::is_symlink(root_ / "dev/ttyUSB2"));
    EXPECT_FALSE(fs::is_symlink(root_ / "dev/cdc-wdm0"));
    EXPECT_TRUE(fs::is_symlink(root_ / "dev/cdc-wdm1"));
    EXPECT_TRUE(fs::exists(devices / "1-2"));

    tree.remove();
    EXPECT_FALSE(fs::exists(root_ / "sys"));
    EXPECT_FALSE(fs::exists(root_ / "dev"));
}

TEST_F(TreeTest, RefusesARootItDidNotMake)
{
    fs::create_directories(root_ / "sys");
    Tree tree(root_);
    EXPECT_FALSE(tree.create());
    EXPECT_TRUE(fs::exists(root_ / "sys"));
}

TEST_F(TreeTest, ClearsItsOwnLeftovers)
{
    {
        Tree tree(root_);
        ASSERT_TRUE(tree.create());
        ASSERT_TRUE(tree.plug(layout("1-1", 0, 0)));
    }
    Tree again(root_);
    ASSERT_TRUE(again.create());
    EXPECT_FALSE(fs::exists(root_ / "sys/bus/usb/devices/1-1"));
    EXPECT_TRUE(again.plug(layout("1-1", 0, 0)));
}

} // namespace
} // namespace uplink::sim
