// forkline::codec<T>: which types travel as bytes, which as contents, which not at all, and
// that every ready codec gives back what it was given.
#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <forkline/codec.hpp>
#include <forkline/json_codec.hpp>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using forkline::has_codec;
using forkline::detail::Shape;
using forkline::detail::top_level_shape;

struct Point {
    double x;
    double y;
};
struct Named {
    std::uint32_t id;
    char name[12];  // an array field is plain: its characters are the value
    Point where[2];
};
struct WithPointer {
    std::uint64_t n;
    const char* name;
};
struct WithView {
    Point p;
    std::string_view label;
};
struct Inner {
    std::uint64_t n;
    const int* p;  // after a plain field: brace elision must not hide it
};
struct Outer {
    Inner inner;
};
struct WithSpan {
    std::span<const int> values;
};
struct WithReferenceWrapper {
    std::reference_wrapper<const int> r;
};
struct WithPointerArray {
    const char* names[2];
};
class Money {
  public:
    explicit Money(long cents) : cents_(cents) {}
    long cents() const { return cents_; }

  private:
    long cents_;
};
class Opaque {
    int value_ = 0;

  public:
    int value() const { return value_; }
};

}  // namespace

// Opted in: its bytes are its value.
template <>
inline constexpr bool forkline::sent_as_bytes<Money> = true;

namespace shop {
struct Order {
    std::string customer;
    std::vector<std::string> items;
    bool operator==(const Order&) const = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Order, customer, items)

// A codec found by argument-dependent lookup: a count as text.
struct Tally {
    int count;
};
std::span<const std::byte> forkline_encode(const Tally& t, std::vector<std::byte>& scratch) {
    const auto text = std::to_string(t.count);
    for (const char c : text) scratch.push_back(static_cast<std::byte>(c));
    return scratch;
}
Tally forkline_decode(std::span<const std::byte> bytes, std::type_identity<Tally>) {
    return {std::stoi(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()))};
}

// A specialisation: one byte.
struct Level {
    std::uint8_t value;
};
}  // namespace shop

template <>
struct forkline::codec<shop::Level> {
    static std::span<const std::byte> encode(const shop::Level& l,
                                             std::vector<std::byte>& scratch) {
        scratch.push_back(static_cast<std::byte>(l.value + 100));
        return scratch;
    }
    static shop::Level decode(std::span<const std::byte> bytes) {
        return {static_cast<std::uint8_t>(static_cast<std::uint8_t>(bytes[0]) - 100)};
    }
};

// What is refused, and why (the reason picks the compile error's advice).
static_assert(top_level_shape<const char*>() == Shape::address);
static_assert(top_level_shape<int Point::*>() == Shape::address);
static_assert(top_level_shape<std::reference_wrapper<int>>() == Shape::address);
static_assert(top_level_shape<std::span<const int>>() == Shape::view);
static_assert(top_level_shape<std::vector<int>::const_iterator>() == Shape::view);
static_assert(top_level_shape<WithPointer>() == Shape::field_address);
static_assert(top_level_shape<WithView>() == Shape::field_address);
#if !defined(__clang__) || __clang_major__ > 14
// Clang 14 elides the braces of `Outer{probe}` into Inner even though the probe's
// conversion to Inner is deleted (GCC, rightly, does not): a known gap with that compiler.
static_assert(top_level_shape<Outer>() == Shape::field_address);
static_assert(!has_codec<Outer>);
#endif
static_assert(top_level_shape<WithSpan>() == Shape::field_address);
static_assert(top_level_shape<WithReferenceWrapper>() == Shape::field_address);
static_assert(top_level_shape<WithPointerArray>() == Shape::field_address);
static_assert(top_level_shape<char[4]>() == Shape::c_array);
static_assert(top_level_shape<int[4]>() == Shape::c_array);
static_assert(top_level_shape<Opaque>() == Shape::needs_opt_in);
static_assert(top_level_shape<std::vector<int>>() == Shape::not_trivial);
// What is sent as bytes.
static_assert(top_level_shape<std::uint64_t>() == Shape::plain);
static_assert(top_level_shape<Point>() == Shape::plain);
static_assert(top_level_shape<Named>() == Shape::plain);
static_assert(top_level_shape<std::array<Point, 3>>() == Shape::plain);
static_assert(top_level_shape<Money>() == Shape::plain);
static_assert(top_level_shape<std::chrono::milliseconds>() == Shape::plain);
static_assert(top_level_shape<std::chrono::steady_clock::time_point>() == Shape::plain);

static_assert(!has_codec<const char*> && !has_codec<std::reference_wrapper<int>>);
static_assert(!has_codec<std::span<const int>> && !has_codec<WithPointer>);
static_assert(!has_codec<Opaque> && !has_codec<char[4]> && !has_codec<int[4]> &&
              !has_codec<std::vector<WithPointer>>);
static_assert(!has_codec<std::vector<bool>>);
static_assert(has_codec<std::string> && has_codec<std::string_view>);
static_assert(has_codec<std::span<const char>> && forkline::encodable<std::span<std::byte>> &&
              has_codec<std::span<const unsigned char, 4>>);
static_assert(has_codec<std::vector<Point>> && has_codec<shop::Order> && has_codec<Money>);

namespace {

template <typename T>
std::vector<std::byte> encoded(const T& value) {
    std::vector<std::byte> scratch;
    const auto bytes = forkline::encode(value, scratch);
    return {bytes.begin(), bytes.end()};
}

std::string text_of(const std::vector<std::byte>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

TEST_CASE("string_view, spans of characters and std::string are sent as their contents") {
    const std::string text = "hello, worker";
    CHECK(text_of(encoded(std::string_view(text))) == text);
    CHECK(text_of(encoded(std::span<const char>(text))) == text);
    CHECK(text_of(encoded(std::as_bytes(std::span(text)))) == text);
    CHECK(text_of(encoded(text)) == text);
    CHECK(encoded(std::string()).empty());
}

TEST_CASE("the ready codecs give back what they were given") {
    const std::string text("a\0b", 3);
    CHECK(forkline::decode<std::string>(encoded(text)) == text);
    const auto bytes = encoded(text);
    CHECK(forkline::decode<std::string_view>(bytes) == text);
    CHECK(forkline::decode<std::span<const char>>(bytes).size() == 3);

    const Named named{7, "seven", {{1, 2}, {3, 4}}};
    const auto back = forkline::decode<Named>(encoded(named));
    CHECK(back.id == 7);
    CHECK(std::string_view(back.name) == "seven");
    CHECK(back.where[1].y == 4);

    const std::vector<Point> points{{1, 2}, {3, 4}, {5, 6}};
    const auto points_back = forkline::decode<std::vector<Point>>(encoded(points));
    REQUIRE(points_back.size() == 3);
    CHECK(points_back[2].x == 5);
    CHECK(forkline::decode<std::vector<std::uint32_t>>(encoded(std::vector<std::uint32_t>{}))
              .empty());

    CHECK(forkline::decode<Money>(encoded(Money(1234))).cents() == 1234);
    const std::array<std::uint16_t, 3> array{1, 2, 3};
    CHECK(forkline::decode<std::array<std::uint16_t, 3>>(encoded(array)) == array);
}

TEST_CASE("types with to_json/from_json travel as JSON text") {
    const shop::Order order{"ada", {"tea", "scones"}};
    const auto bytes = encoded(order);
    CHECK(text_of(bytes) == R"({"customer":"ada","items":["tea","scones"]})");
    CHECK(forkline::decode<shop::Order>(bytes) == order);
}

TEST_CASE("a codec found by argument-dependent lookup, and a specialisation, are used") {
    CHECK(text_of(encoded(shop::Tally{42})) == "42");
    CHECK(forkline::decode<shop::Tally>(encoded(shop::Tally{42})).count == 42);
    CHECK(encoded(shop::Level{1}) == std::vector<std::byte>{std::byte{101}});
    CHECK(forkline::decode<shop::Level>(encoded(shop::Level{1})).value == 1);
}

TEST_CASE("bytes that are not a T are refused with forkline::Error") {
    const auto eight = encoded(std::uint64_t{1});
    CHECK_THROWS_WITH_AS(forkline::decode<std::uint32_t>(eight), "8 bytes, expected 4",
                         forkline::Error);
    CHECK_THROWS_WITH_AS(
        forkline::decode<std::vector<std::uint32_t>>(encoded(std::string("abcde"))),
        "5 bytes, not a whole number of 4-byte elements", forkline::Error);
    CHECK_THROWS_AS(forkline::decode<shop::Order>(encoded(std::string("{\"customer\":"))),
                    forkline::Error);
    CHECK_THROWS_AS(forkline::decode<shop::Order>(encoded(std::string("[1,2]"))), forkline::Error);
    CHECK_THROWS_AS((forkline::decode<std::span<const char, 4>>(encoded(std::string("abc")))),
                    forkline::Error);
}
