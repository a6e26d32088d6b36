// The codec against real frames: libqmi's own test vectors (test-generated.c, test-fixture.c,
// quoted in modem-protocols.md §1.4), split at every byte for the framer.
#include "qmi/qmi.hpp"

#include <gtest/gtest.h>

namespace uplink::qmi {
namespace {

std::vector<std::uint8_t> bytes_of(std::initializer_list<int> values)
{
    std::vector<std::uint8_t> out;
    for (int value : values)
        out.push_back(static_cast<std::uint8_t>(value));
    return out;
}

std::vector<std::uint8_t> text_bytes(std::string_view text)
{
    return {text.begin(), text.end()};
}

// DMS Get IDs request, client 1, tid 0xFFFF: no TLVs.
const auto get_ids_request = bytes_of({0x01, 0x0c, 0x00, 0x00, 0x02, 0x01, 0x00, 0xff, 0xff, 0x25, 0x00, 0x00, 0x00});

// Its response: result OK, IMEI SV "B", MEID, ESN, IMEI.
std::vector<std::uint8_t> get_ids_response()
{
    auto frame = bytes_of({0x01, 0x45, 0x00, 0x80, 0x02, 0x01, 0x02, 0xff, 0xff, 0x25, 0x00, 0x39, 0x00,
        0x02, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13, 0x01, 0x00, 0x42, 0x12, 0x0e, 0x00});
    auto meid = text_bytes("35922505003997");
    frame.insert(frame.end(), meid.begin(), meid.end());
    for (int byte : {0x10, 0x08, 0x00})
        frame.push_back(static_cast<std::uint8_t>(byte));
    auto esn = text_bytes("80997874");
    frame.insert(frame.end(), esn.begin(), esn.end());
    for (int byte : {0x11, 0x0f, 0x00})
        frame.push_back(static_cast<std::uint8_t>(byte));
    auto imei = text_bytes("359225050039973");
    frame.insert(frame.end(), imei.begin(), imei.end());
    return frame;
}

TEST(QmiDecode, LibqmiDmsGetIdsRequest)
{
    auto message = decode(get_ids_request);
    ASSERT_TRUE(message) << message.error().message();
    EXPECT_EQ(message->service, Service::Dms);
    EXPECT_EQ(message->client, 1);
    EXPECT_EQ(message->type, MessageType::Request);
    EXPECT_EQ(message->transaction, 0xffff);
    EXPECT_EQ(message->id, dms::get_ids);
    EXPECT_TRUE(message->tlvs.empty());
    EXPECT_EQ(encode(*message).value(), get_ids_request);
}

TEST(QmiDecode, LibqmiDmsGetIdsResponse)
{
    auto frame = get_ids_response();
    auto message = decode(frame);
    ASSERT_TRUE(message) << message.error().message();
    EXPECT_EQ(message->type, MessageType::Response);
    EXPECT_FALSE(result_of(*message));
    EXPECT_EQ(string_tlv(*message, 0x11), "359225050039973");
    EXPECT_EQ(string_tlv(*message, 0x10), "80997874");
    EXPECT_EQ(string_tlv(*message, 0x12), "35922505003997");
    EXPECT_EQ(string_tlv(*message, 0x13), "B");
    EXPECT_EQ(encode(*message).value(), frame);
}

TEST(QmiDecode, CtlAllocateCidHasAOneByteTransaction)
{
    // libqmi test-fixture.c: allocate a NAS (3) client with tid 0x07; the response grants cid 0x05.
    auto request = bytes_of({0x01, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x22, 0x00, 0x04, 0x00, 0x01, 0x01, 0x00, 0x03});
    auto message = decode(request);
    ASSERT_TRUE(message) << message.error().message();
    EXPECT_EQ(message->service, Service::Ctl);
    EXPECT_EQ(message->transaction, 7);
    EXPECT_EQ(message->id, ctl::allocate_cid);
    ASSERT_NE(message->find(0x01), nullptr);
    EXPECT_EQ(message->find(0x01)->value, bytes_of({0x03}));
    EXPECT_EQ(encode(*message).value(), request);

    Message response {Service::Ctl, 0, MessageType::Response, 7, ctl::allocate_cid, {}};
    response.add(0x02, result_value());
    response.add(0x01, bytes_of({0x03, 0x05}));
    EXPECT_EQ(encode(response).value(),
        bytes_of({0x01, 0x17, 0x00, 0x80, 0x00, 0x00, 0x01, 0x07, 0x22, 0x00, 0x0c, 0x00, 0x02, 0x04, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x03, 0x05}));
}

TEST(QmiDecode, IndicationFlags)
{
    Message indication {Service::Wds, 4, MessageType::Indication, 0, wds::packet_service_status_indication, {}};
    indication.add(0x01, bytes_of({0x01, 0x00}));
    auto frame = encode(indication).value();
    EXPECT_EQ(frame[6], 0x04);
    auto back = decode(frame);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->type, MessageType::Indication);

    Message sync {Service::Ctl, 0, MessageType::Indication, 0, ctl::sync, {}};
    auto ctl_frame = encode(sync).value();
    EXPECT_EQ(ctl_frame[6], 0x02);
    EXPECT_EQ(decode(ctl_frame)->type, MessageType::Indication);
}

// The length fields are 16 bits and cdc-wdm takes 4096 bytes: what does not fit is refused, never
// sent with its lengths cut (a 65536-byte APN would go out as an empty one).
TEST(QmiEncode, WhatDoesNotFitIsRefused)
{
    Message start {Service::Wds, 1, MessageType::Request, 1, wds::start_network, {}};
    start.add(0x14, std::vector<std::uint8_t>(0x10000, 'a'));
    EXPECT_EQ(encode(start).error(), Errc::TooLong);
    start.tlvs.clear();
    start.add(0x14, std::vector<std::uint8_t>(Framer::max_frame, 'a'));
    EXPECT_EQ(encode(start).error(), Errc::TooLong);
    // The largest frame that fits: 1 marker + 5 QMUX + 7 header (2+2+2 and a flag) + 3 TLV header.
    start.tlvs.clear();
    start.add(0x14, std::vector<std::uint8_t>(Framer::max_frame - 1 - 5 - 7 - 3, 'a'));
    auto largest = encode(start);
    ASSERT_TRUE(largest) << largest.error().message();
    EXPECT_EQ(largest->size(), Framer::max_frame);
    EXPECT_TRUE(decode(*largest));
}

TEST(QmiDecode, MalformedFramesAreErrors)
{
    EXPECT_EQ(decode(bytes_of({0x01, 0x0c})).error(), Errc::Truncated);
    auto wrong_marker = get_ids_request;
    wrong_marker[0] = 0x02;
    EXPECT_EQ(decode(wrong_marker).error(), Errc::BadMarker);
    auto wrong_length = get_ids_request;
    wrong_length[1] = 0x0d;
    EXPECT_EQ(decode(wrong_length).error(), Errc::BadLength);
    // The TLV length field says 4 bytes of TLVs follow, but none do.
    auto tlv_length = get_ids_request;
    tlv_length[11] = 0x04;
    EXPECT_EQ(decode(tlv_length).error(), Errc::BadLength);
    // A TLV whose value runs past the frame (libqmi 93e65e48's case).
    auto frame = get_ids_response();
    frame[frame.size() - 17] = 0x40;
    EXPECT_EQ(decode(frame).error(), Errc::Truncated);
    // A CTL frame too short for its 6-byte header.
    EXPECT_EQ(decode(bytes_of({0x01, 0x08, 0x00, 0x80, 0x00, 0x00, 0x01, 0x01, 0x22})).error(), Errc::Truncated);
}

TEST(QmiResult, SuccessFailureAndMissing)
{
    Message response {Service::Wds, 1, MessageType::Response, 3, wds::start_network, {}};
    EXPECT_EQ(result_of(response), Errc::MissingTlv);
    response.add(0x02, result_value(ProtocolError::CallFailed));
    EXPECT_EQ(result_of(response), ProtocolError::CallFailed);
    EXPECT_EQ(result_of(response).message(), "call failed");
    response.tlvs[0].value = result_value();
    EXPECT_FALSE(result_of(response));
    response.tlvs[0].value = bytes_of({0x01, 0x00});
    EXPECT_EQ(result_of(response), Errc::Truncated);
}

TEST(QmiDescribe, NamesServiceMessageAndTlvs)
{
    auto message = decode(get_ids_response());
    ASSERT_TRUE(message);
    EXPECT_EQ(describe(*message), "DMS 0x0025 response tid 65535 client 1: 02[4] 13[1] 12[14] 10[8] 11[15]");
}

// ---------------------------------------------------------------- framing

std::vector<Framer::Event> feed_split(Framer& framer, const std::vector<std::uint8_t>& stream, std::size_t split)
{
    auto first = framer.feed(std::span(stream).first(split));
    auto second = framer.feed(std::span(stream).subspan(split));
    first.insert(first.end(), std::make_move_iterator(second.begin()), std::make_move_iterator(second.end()));
    return first;
}

TEST(QmiFramer, TwoFramesSplitAtEveryByte)
{
    auto stream = get_ids_request;
    auto response = get_ids_response();
    stream.insert(stream.end(), response.begin(), response.end());
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        Framer framer;
        auto events = feed_split(framer, stream, split);
        ASSERT_EQ(events.size(), 2u) << "split at " << split;
        ASSERT_TRUE(events[0].message);
        ASSERT_TRUE(events[1].message);
        EXPECT_EQ(events[0].message->type, MessageType::Request);
        EXPECT_EQ(events[1].message->type, MessageType::Response);
        EXPECT_EQ(framer.buffered(), 0u);
    }
}

TEST(QmiFramer, GarbageBeforeAFrameIsDroppedAndReported)
{
    Framer framer;
    auto stream = bytes_of({'A', 'T', '\r', 0x00});
    stream.insert(stream.end(), get_ids_request.begin(), get_ids_request.end());
    auto events = framer.feed(stream);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].error, Errc::BadMarker);
    ASSERT_TRUE(events[1].message);
    EXPECT_EQ(events[1].message->id, dms::get_ids);
}

TEST(QmiFramer, ImpossibleLengthDropsTheMarkerAndResynchronizes)
{
    Framer framer;
    // A 0x01 whose length (2) is shorter than any header, then a real frame.
    auto stream = bytes_of({0x01, 0x02, 0x00});
    stream.insert(stream.end(), get_ids_request.begin(), get_ids_request.end());
    auto events = framer.feed(stream);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front().error, Errc::BadLength);
    ASSERT_TRUE(events.back().message);
    EXPECT_EQ(events.back().message->id, dms::get_ids);
}

TEST(QmiFramer, AFrameThatFailsToDecodeIsConsumedWhole)
{
    Framer framer;
    auto bad = get_ids_request;
    bad[11] = 0x01; // TLV length 1, but no TLV bytes
    bad.insert(bad.end(), get_ids_request.begin(), get_ids_request.end());
    auto events = framer.feed(bad);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].error, Errc::BadLength);
    EXPECT_TRUE(events[1].message);
}

TEST(QmiFramer, PartialFrameWaitsForTheRest)
{
    Framer framer;
    EXPECT_TRUE(framer.feed(std::span(get_ids_request).first(5)).empty());
    EXPECT_EQ(framer.buffered(), 5u);
    auto events = framer.feed(std::span(get_ids_request).subspan(5));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_TRUE(events[0].message);
}

// ---------------------------------------------------------------- TLV fields

TEST(QmiTlv, LittleEndianFieldsRoundTrip)
{
    auto value = TlvWriter()
                     .u8(0x12)
                     .u16(0x3456)
                     .u32(0x0a000001) // 10.0.0.1 as WDS sends IPv4: bytes 01 00 00 0a
                     .u64(0x0102030405060708)
                     .i16(-105)
                     .u16_big_endian(0x2001)
                     .string_u8("internet")
                     .fixed_string("26", 3, 0xff)
                     .string_rest("tail")
                     .take();
    EXPECT_EQ(std::vector<std::uint8_t>(value.begin() + 3, value.begin() + 7), bytes_of({0x01, 0x00, 0x00, 0x0a}));
    TlvReader reader(value);
    EXPECT_EQ(reader.u8(), 0x12);
    EXPECT_EQ(reader.u16(), 0x3456);
    EXPECT_EQ(reader.u32(), 0x0a000001u);
    EXPECT_EQ(reader.u64(), 0x0102030405060708u);
    EXPECT_EQ(reader.i16(), -105);
    EXPECT_EQ(reader.u16_big_endian(), 0x2001);
    EXPECT_EQ(reader.string_u8(), "internet");
    EXPECT_EQ(reader.fixed_string(3), std::string("26\xff"));
    EXPECT_EQ(reader.string_rest(), "tail");
    EXPECT_TRUE(reader.finish());
    EXPECT_EQ(reader.remaining(), 0u);
}

TEST(QmiTlv, ReadingPastTheEndFailsOnce)
{
    auto value = bytes_of({0x05, 'a', 'b'});
    TlvReader reader(value);
    EXPECT_EQ(reader.string_u8(), ""); // claims 5 bytes, has 2
    EXPECT_TRUE(reader.failed());
    EXPECT_EQ(reader.u32(), 0u);
    EXPECT_EQ(reader.finish().error(), Errc::Truncated);
}

TEST(QmiEnums, NamesOfServicesAndTypes)
{
    for (auto service : {Service::Ctl, Service::Wds, Service::Dms, Service::Nas, Service::Uim, Service::Wda})
        EXPECT_NE(to_string(service), "service");
    EXPECT_EQ(to_string(MessageType::Indication), "indication");
    EXPECT_EQ(make_error_code(ProtocolError::NoEffect).message(), "no effect");
    EXPECT_EQ(make_error_code(static_cast<ProtocolError>(999)).message(), "QMI protocol error 999");
}

} // namespace
} // namespace uplink::qmi
