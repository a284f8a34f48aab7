#include "json_string.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

namespace cli {

namespace {

// What a byte becomes when it is the whole step: itself, its escape, or U+FFFD. A byte
// that starts a multi-byte sequence has length 0 and is looked at with the bytes after it.
struct ByteOutput {
    char text[8];  // copied 8 at a time: one fixed-size copy, no branch on the length
    std::uint8_t length;
    // For a lead byte (C2-F4): the sequence's length, and the range its second byte must
    // be in (second_min + 0..second_span), which is what rules out overlong forms (E0, F0),
    // surrogates (ED) and code points past U+10FFFF (F4).
    std::uint8_t sequence;
    std::uint8_t second_min;
    std::uint8_t second_span;
};

constexpr std::size_t kStepRoom = 8;  // the most one step writes (a copy of `text`)

constexpr ByteOutput output_of(unsigned byte) {
    constexpr char kHex[] = "0123456789abcdef";
    auto two = [](char letter) { return ByteOutput{{'\\', letter}, 2, 0, 0, 0}; };
    switch (byte) {
        case '"':
            return two('"');
        case '\\':
            return two('\\');
        case '\b':
            return two('b');
        case '\f':
            return two('f');
        case '\n':
            return two('n');
        case '\r':
            return two('r');
        case '\t':
            return two('t');
        case 0xE0:
            return {{}, 0, 3, 0xA0, 0x1F};
        case 0xED:
            return {{}, 0, 3, 0x80, 0x1F};
        case 0xF0:
            return {{}, 0, 4, 0x90, 0x2F};
        case 0xF4:
            return {{}, 0, 4, 0x80, 0x0F};
    }
    if (byte < 0x20) return {{'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]}, 6, 0, 0, 0};
    if (byte < 0x80) return {{static_cast<char>(byte)}, 1, 0, 0, 0};
    // 80-C1 and F5-FF never start a sequence (C0, C1 only overlong ones): U+FFFD.
    if (byte < 0xC2 || byte > 0xF4) return {{'\xEF', '\xBF', '\xBD'}, 3, 0, 0, 0};
    return {{}, 0, static_cast<std::uint8_t>(byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4), 0x80, 0x3F};
}

constexpr std::array<ByteOutput, 256> kByteOutputs = [] {
    std::array<ByteOutput, 256> table{};
    for (unsigned byte = 0; byte < 256; ++byte) table[byte] = output_of(byte);
    return table;
}();

bool continuation(unsigned char byte) {
    return (byte & 0xC0) == 0x80;
}

// How many bytes from `at` (a lead byte) form a valid sequence; 0 if they do not, with
// `consumed` the bytes one U+FFFD stands for: the byte that broke it (or the end of the
// string) starts the next step.
std::size_t valid_sequence(const unsigned char* at, const unsigned char* end,
                           std::size_t& consumed) {
    const ByteOutput& lead = kByteOutputs[at[0]];
    const auto available = static_cast<std::size_t>(end - at);
    consumed = 1;
    if (available < 2 || static_cast<std::uint8_t>(at[1] - lead.second_min) > lead.second_span)
        return 0;
    if (lead.sequence == 2) return 2;
    consumed = 2;
    if (available < 3 || !continuation(at[2])) return 0;
    if (lead.sequence == 3) return 3;
    consumed = 3;
    if (available < 4 || !continuation(at[3])) return 0;
    return 4;
}

}  // namespace

void write_json_string(std::string_view bytes,
                       const std::function<void(std::string_view piece)>& write) {
    // A table lookup and one fixed-size copy per byte into a fixed buffer: few branches
    // (random bytes would mispredict them), no allocation, hundreds of MB/s.
    std::array<char, kJsonStringPiece> buffer;
    char* out = buffer.data();
    char* const limit = buffer.data() + buffer.size() - kStepRoom;
    auto flush = [&] {
        write(std::string_view(buffer.data(), static_cast<std::size_t>(out - buffer.data())));
        out = buffer.data();
    };
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* const end = in + bytes.size();
    *out++ = '"';
    while (in != end) {
        if (out > limit) flush();
        const ByteOutput& single = kByteOutputs[*in];
        if (single.length != 0) {
            std::memcpy(out, single.text, sizeof single.text);
            out += single.length;
            ++in;
            continue;
        }
        std::size_t consumed = 0;
        if (const std::size_t length = valid_sequence(in, end, consumed); length != 0) {
            std::memcpy(out, in, length);
            out += length;
            in += length;
        } else {
            std::memcpy(out, kByteOutputs[0xFF].text, 3);  // U+FFFD
            out += 3;
            in += consumed;
        }
    }
    if (out > limit) flush();
    *out++ = '"';
    flush();
}

}  // namespace cli
