// cli::write_json_string against nlohmann's own dump with error_handler_t::replace: the
// streamed JSON of runpipe --json must be what the whole-object dump wrote before.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "json_string.hpp"

namespace {

std::string streamed(std::string_view bytes, std::size_t* largest_piece = nullptr) {
    std::string out;
    cli::write_json_string(bytes, [&](std::string_view piece) {
        if (largest_piece != nullptr && piece.size() > *largest_piece)
            *largest_piece = piece.size();
        out.append(piece);
    });
    return out;
}

std::string by_nlohmann(const std::string& bytes) {
    return nlohmann::json(bytes).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string hex(const std::string& bytes) {
    std::string out;
    for (const char c : bytes) {
        char text[4];
        std::snprintf(text, sizeof text, "%02X ", static_cast<unsigned char>(c));
        out += text;
    }
    return out;
}

}  // namespace

TEST_CASE("valid UTF-8 is kept, quotes, backslashes and control bytes are escaped") {
    CHECK(streamed("") == "\"\"");
    CHECK(streamed("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(streamed(std::string("\b\f\n\r\t\x01\x1f\x7f", 8)) ==
          "\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
    CHECK(streamed(std::string("\0", 1)) == "\"\\u0000\"");
    CHECK(streamed("h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
          "\"h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST_CASE("invalid and truncated sequences: one U+FFFD each, the breaking byte read again") {
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(streamed("\xFF") == "\"" + fffd + "\"");
    CHECK(streamed("\xC3") == "\"" + fffd + "\"");      // truncated at the end
    CHECK(streamed("\xE2\x82") == "\"" + fffd + "\"");  // one for the prefix
    CHECK(streamed("\xE2\x82"
                   "A") == "\"" + fffd + "A\"");                          // A read again
    CHECK(streamed("\xE0\x80") == "\"" + fffd + fffd + "\"");             // overlong: E0 needs A0+
    CHECK(streamed("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");  // a surrogate
    CHECK(streamed("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
    CHECK(streamed("\xC0\xAF") == "\"" + fffd + fffd + "\"");
}

TEST_CASE("every string of one or two bytes is written as nlohmann writes it") {
    for (int a = 0; a < 256; ++a) {
        const std::string one(1, static_cast<char>(a));
        REQUIRE_MESSAGE(streamed(one) == by_nlohmann(one), hex(one));
        for (int b = 0; b < 256; ++b) {
            const std::string two = one + static_cast<char>(b);
            REQUIRE_MESSAGE(streamed(two) == by_nlohmann(two), hex(two));
        }
    }
}

TEST_CASE("every string of three and four bytes from the boundary values matches nlohmann") {
    // The bytes where UTF-8's rules change: ASCII specials, continuation ranges, lead bytes.
    const std::vector<unsigned char> values = {
        0x00, 0x0A, 0x22, 0x41, 0x5C, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
        0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
    std::string text(4, '\0');
    for (const auto a : values)
        for (const auto b : values)
            for (const auto c : values) {
                text = {char(a), char(b), char(c)};
                REQUIRE_MESSAGE(streamed(text) == by_nlohmann(text), hex(text));
                for (const auto d : values) {
                    text = {char(a), char(b), char(c), char(d)};
                    REQUIRE_MESSAGE(streamed(text) == by_nlohmann(text), hex(text));
                }
            }
}

TEST_CASE("long random strings match nlohmann across piece boundaries; pieces stay small") {
    std::mt19937 random(16);
    for (const std::size_t size :
         {cli::kJsonStringPiece - 7, cli::kJsonStringPiece + 3, std::size_t{300'000}}) {
        for (const int alphabet : {256, 4}) {  // any byte; or few, to make long runs
            std::string bytes(size, '\0');
            const std::string few = "a\xE2\x82\xAC";
            for (auto& c : bytes)
                c = alphabet == 256 ? static_cast<char>(random() & 0xFF) : few[random() % 4];
            std::size_t largest = 0;
            CHECK(streamed(bytes, &largest) == by_nlohmann(bytes));
            CHECK(largest <= cli::kJsonStringPiece);
        }
    }
}
