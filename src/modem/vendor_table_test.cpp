#include "modem/vendor_table.hpp"

#include <gtest/gtest.h>

namespace uplink::modem {
namespace {

std::string all_messages(const std::vector<ConfigDiagnostic>& diagnostics)
{
    std::string text;
    for (const auto& diagnostic : diagnostics)
        text += std::to_string(diagnostic.line) + ": " + diagnostic.message + "\n";
    return text;
}

TEST(ModemVendorTable, TheEmbeddedTableIsValidAndCoversTheListedModems)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto table = parse_vendor_table(embedded_vendor_table(), diagnostics);
    ASSERT_TRUE(table) << all_messages(diagnostics);
    struct Expected {
        std::string_view vendor, product, id;
        Protocol protocol;
    };
    for (auto [vendor, product, id, protocol] : {
             Expected {"2c7c", "0125", "quectel_ec25", Protocol::Qmi},
             Expected {"05c6", "9215", "quectel_ec20", Protocol::Qmi},
             Expected {"2c7c", "0306", "quectel_ep06", Protocol::Qmi},
             Expected {"2c7c", "0512", "quectel_em12", Protocol::Qmi},
             Expected {"2c7c", "0800", "quectel_rm500q", Protocol::Qmi},
             Expected {"2c7c", "0801", "quectel_rm520n", Protocol::Qmi},
             Expected {"1199", "9071", "sierra_mc74xx", Protocol::Qmi},
             Expected {"1199", "9079", "sierra_em74xx", Protocol::Qmi},
             Expected {"12d1", "15c1", "huawei_me909s", Protocol::Ncm},
             Expected {"12d1", "1506", "huawei_e3372_stick", Protocol::Ncm},
             Expected {"12d1", "14dc", "huawei_e3372_hilink", Protocol::Ecm},
             Expected {"1bc7", "1900", "telit_ln940", Protocol::Qmi},
             Expected {"1bc7", "1201", "telit_le910", Protocol::Qmi},
             Expected {"1e0e", "9001", "simcom_sim7600", Protocol::Qmi},
             Expected {"1546", "1143", "ublox_toby_l2", Protocol::Ecm},
         }) {
        const auto* entry = table->find(vendor, product);
        ASSERT_NE(entry, nullptr) << vendor << ":" << product;
        EXPECT_EQ(entry->id, id);
        EXPECT_EQ(entry->protocol, protocol) << id;
        EXPECT_FALSE(entry->name.empty()) << id;
    }
    EXPECT_EQ(table->find("2C7C", "0125")->id, "quectel_ec25"); // sysfs case does not matter
    EXPECT_EQ(table->find("dead", "beef"), nullptr);
}

TEST(ModemVendorTable, EntriesMapInterfacesToRolesAndCarryQuirks)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto table = parse_vendor_table(embedded_vendor_table(), diagnostics);
    ASSERT_TRUE(table);
    const auto* ec25 = table->find("2c7c", "0125");
    EXPECT_EQ(ec25->role_of(2, "ff/ff/ff"), PortRole::At);
    EXPECT_EQ(ec25->role_of(3, "ff/ff/ff"), PortRole::Modem);
    EXPECT_EQ(ec25->role_of(0, "ff/ff/ff"), PortRole::Diag);
    EXPECT_EQ(ec25->role_of(4, "ff/ff/ff"), PortRole::Qmi);
    EXPECT_EQ(ec25->role_of(7, "ff/ff/ff"), PortRole::Unknown);
    EXPECT_TRUE(ec25->has_quirk("qeng"));
    EXPECT_FALSE(ec25->has_quirk("hilink"));
    EXPECT_EQ(ec25->iccid_command, "AT+QCCID");
    const auto* me909s = table->find("12d1", "15c1");
    EXPECT_EQ(me909s->role_of(2, "ff/06/12"), PortRole::At);
    EXPECT_EQ(me909s->role_of(0, "ff/06/10"), PortRole::Modem);
    EXPECT_TRUE(table->find("12d1", "14dc")->has_quirk("hilink"));
    EXPECT_FALSE(table->find("12d1", "14dc")->note.empty());
}

struct BadTable {
    std::string_view name;
    std::string_view text;
    std::string_view message; // a part of the diagnostic a person reads
};

void PrintTo(const BadTable& table, std::ostream* out)
{
    *out << table.name;
}

class ModemVendorTableErrors : public ::testing::TestWithParam<BadTable> { };

TEST_P(ModemVendorTableErrors, AreNamedWithTheirLine)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto table = parse_vendor_table(GetParam().text, diagnostics);
    ASSERT_FALSE(table);
    ASSERT_FALSE(diagnostics.empty());
    auto messages = all_messages(diagnostics);
    EXPECT_NE(messages.find(GetParam().message), std::string::npos) << messages;
    EXPECT_GT(diagnostics.front().line, 0) << messages;
}

constexpr std::string_view header
    = "config modem 'x'\n\toption vendor_id '2c7c'\n\toption product_id '0125'\n"
      "\toption name 'X'\n\toption protocol 'qmi'\n";

INSTANTIATE_TEST_SUITE_P(Malformed, ModemVendorTableErrors,
    ::testing::Values(
        BadTable {"unknown_role",
            "config modem 'x'\n\toption vendor_id '2c7c'\n\toption product_id '0125'\n"
            "\toption name 'X'\n\toption protocol 'qmi'\n\tlist port '2=modulator'\n",
            "unknown role 'modulator'"},
        BadTable {"bad_interface",
            "config modem 'x'\n\toption vendor_id '2c7c'\n\toption product_id '0125'\n"
            "\toption name 'X'\n\toption protocol 'qmi'\n\tlist port 'two=at'\n",
            "'two' is neither"},
        BadTable {"bad_vendor_id",
            "config modem 'x'\n\toption vendor_id 'quectel'\n\toption product_id '0125'\n"
            "\toption name 'X'\n\toption protocol 'qmi'\n",
            "vendor_id 'quectel' is not 4 hex digits"},
        BadTable {"unknown_quirk",
            "config modem 'x'\n\toption vendor_id '2c7c'\n\toption product_id '0125'\n"
            "\toption name 'X'\n\toption protocol 'qmi'\n\tlist quirk 'teleport'\n",
            "unknown quirk 'teleport'"},
        BadTable {"duplicate",
            "config modem 'x'\n\toption vendor_id '2c7c'\n\toption product_id '0125'\n"
            "\toption name 'X'\n\toption protocol 'qmi'\n"
            "config modem 'y'\n\toption vendor_id '2c7c'\n\toption product_id '0125'\n"
            "\toption name 'Y'\n\toption protocol 'qmi'\n",
            "2c7c:0125 is already in the table"},
        BadTable {"unknown_protocol",
            "config modem 'x'\n\toption vendor_id '2c7c'\n\toption product_id '0125'\n"
            "\toption name 'X'\n\toption protocol 'carrier-pigeon'\n",
            "protocol"},
        BadTable {"missing_name",
            "config modem 'x'\n\toption vendor_id '2c7c'\n\toption product_id '0125'\n"
            "\toption protocol 'qmi'\n",
            "name"},
        BadTable {"syntax", "config modem 'x\n", ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ModemVendorTable, AValidMinimalTableParses)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto table = parse_vendor_table(header, diagnostics);
    ASSERT_TRUE(table) << all_messages(diagnostics);
    ASSERT_EQ(table->entries.size(), 1u);
    EXPECT_TRUE(table->entries[0].ports.empty());
}

} // namespace
} // namespace uplink::modem
