// How a typed job or result travels as bytes: forkline::codec<T>.
//
// Pool::submit(const T&), JobResult::as<T>() and serve_typed<Job, Result>() all go through
// codec<T>, so the supervisor and the worker agree on the bytes. Ready codecs:
//   - plain values, sent as their bytes: arithmetic types, enums, std::array of plain
//     values, aggregates (structs without constructors) whose fields are all plain, C arrays
//     of them included (walked with Boost.PFR, which stops at an aggregate with a base
//     class: opt it in or give it a codec), std::chrono durations and time points, and any
//     type opted in with sent_as_bytes<T>;
//   - std::string and std::string_view: their characters (a decoded string_view points into
//     the bytes it came from: valid as long as they are, e.g. during the callback);
//   - spans of bytes (std::span of char, unsigned char, std::byte): their contents;
//   - std::vector<T> of a plain T (not bool): its elements' bytes;
//   - types with to_json/from_json (nlohmann_json) as JSON text: include
//     <forkline/json_codec.hpp>.
//
// Never sent as bytes: a pointer, a std::reference_wrapper, a view or a span of non-bytes
// (std::string_view and byte spans aside), an iterator, or an aggregate holding one of them
// in a field: its bytes are an address, meaningless in another process. Such a submit()
// does not compile, with a message that says what to send instead.
//
// Your own codec, either way:
//   - specialise forkline::codec (the specialisation wins over every ready codec):
//       template <> struct forkline::codec<Point> {
//           static std::span<const std::byte> encode(const Point& p, std::vector<std::byte>&
//           scratch); static Point decode(std::span<const std::byte> bytes);
//       };
//   - or declare, beside your type (found by argument-dependent lookup):
//       std::span<const std::byte> forkline_encode(const Point& p, std::vector<std::byte>&
//       scratch); Point forkline_decode(std::span<const std::byte> bytes,
//       std::type_identity<Point>);
// encode() returns the bytes to send: a view of the value itself, or of `scratch` after
// writing them there (scratch is empty on entry and may keep its capacity between calls).
// decode() throws (forkline::Error is best) when the bytes are not a valid T; the pool
// reports that as the job's failure on the worker side, and as<T>() throws it.
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <array>
#include <bit>
#include <boost/pfr/core.hpp>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <forkline/error.hpp>
#include <functional>
#include <iterator>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace forkline {

// Opt-in for a class that is not an aggregate (private fields, constructors…): true says its
// bytes are its whole value (no pointer, handle or view inside), so it may be sent as them.
//   template <> inline constexpr bool forkline::sent_as_bytes<Money> = true;
template <typename T>
inline constexpr bool sent_as_bytes = false;
// The standard's own such classes: a duration is its count, a time_point its duration.
template <typename Rep, typename Period>
inline constexpr bool sent_as_bytes<std::chrono::duration<Rep, Period>> = std::is_arithmetic_v<Rep>;
template <typename Clock, typename Duration>
inline constexpr bool sent_as_bytes<std::chrono::time_point<Clock, Duration>> =
    sent_as_bytes<Duration>;

// The encoding of T; see the top of this file. Undefined for a type without one.
template <typename T>
struct codec;

namespace detail {

// Why a type is (not) plain bytes.
enum class Shape {
    plain,          // its bytes are its value
    address,        // a pointer, reference or reference_wrapper
    view,           // a view, span or iterator: a pointer and a size inside
    field_address,  // an aggregate with such a field (maybe nested)
    c_array,        // a C array on its own (a string literal?): not returnable by value
    needs_opt_in,   // a trivially copyable class we cannot look inside
    not_trivial,    // not trivially copyable: needs a codec
};

template <typename T>
inline constexpr bool is_reference_wrapper = false;
template <typename T>
inline constexpr bool is_reference_wrapper<std::reference_wrapper<T>> = true;

template <typename T>
inline constexpr bool is_std_array = false;
template <typename T, std::size_t N>
inline constexpr bool is_std_array<std::array<T, N>> = true;

template <typename T>
constexpr Shape shape_of();

// Converts only to field types whose shape passes `Accept`: aggregate initialisation of
// T from N of these (N = fields after brace elision, as Boost.PFR counts them) compiles
// exactly when every field passes.
// A refused field type matches the deleted conversion, so the compiler cannot fall back to
// brace elision into a refused nested aggregate (which would hide its later fields).
template <bool (*Accept)(Shape)>
struct field_probe {
    template <typename U>
    requires(Accept(shape_of<std::remove_cv_t<U>>())) operator U() const;
    template <typename U>
    requires(!Accept(shape_of<std::remove_cv_t<U>>())) operator U() const = delete;
};

constexpr bool is_plain(Shape s) {
    return s == Shape::plain;
}
constexpr bool holds_no_address(Shape s) {
    return s != Shape::address && s != Shape::view && s != Shape::field_address;
}

template <typename T, bool (*Accept)(Shape), std::size_t... I>
constexpr bool fields_pass(std::index_sequence<I...>) {
    return requires {
        T{(static_cast<void>(I), field_probe<Accept>{})...};
    };
}

// Only a trivially copyable aggregate is walked: anything else needs a codec anyway.
template <typename T>
constexpr Shape aggregate_shape() {
    if (!std::is_trivially_copyable_v<T>) return Shape::not_trivial;
    using Fields = std::make_index_sequence<boost::pfr::tuple_size_v<T>>;
    if (!fields_pass<T, holds_no_address>(Fields{})) return Shape::field_address;
    return fields_pass<T, is_plain>(Fields{}) ? Shape::plain : Shape::needs_opt_in;
}

template <typename T>
constexpr Shape shape_of() {
    if constexpr (sent_as_bytes<T>) {
        return Shape::plain;
    } else if constexpr (std::is_pointer_v<T> || std::is_member_pointer_v<T> ||
                         std::is_null_pointer_v<T> || std::is_reference_v<T> ||
                         is_reference_wrapper<std::remove_cv_t<T>>) {
        return Shape::address;
    } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
        return Shape::plain;
    } else if constexpr (std::is_array_v<T>) {
        const auto element = shape_of<std::remove_cv_t<std::remove_all_extents_t<T>>>();
        return element == Shape::address || element == Shape::view ? Shape::field_address : element;
    } else if constexpr (std::ranges::view<T> || std::input_or_output_iterator<T>) {
        return Shape::view;
    } else if constexpr (is_std_array<T>) {
        return shape_of<typename T::value_type[1]>();
    } else if constexpr (std::is_aggregate_v<T> && std::is_class_v<T>) {
        return aggregate_shape<T>();
    } else {
        return std::is_trivially_copyable_v<T> ? Shape::needs_opt_in : Shape::not_trivial;
    }
}

template <typename T>
inline constexpr bool is_byte_like = std::is_same_v<std::remove_cv_t<T>, char> ||
                                     std::is_same_v<std::remove_cv_t<T>, unsigned char> ||
                                     std::is_same_v<std::remove_cv_t<T>, std::byte>;

template <typename T>
concept adl_codable = requires(const T& value, std::vector<std::byte>& scratch,
                               std::span<const std::byte> bytes) {
    { forkline_encode(value, scratch) } -> std::convertible_to<std::span<const std::byte>>;
    { forkline_decode(bytes, std::type_identity<T>{}) } -> std::same_as<T>;
};

// As shape_of, but a C array on its own is refused: it cannot be returned by value, and for
// a string literal the worker would have to guess whether the NUL is part of the text.
template <typename T>
constexpr Shape top_level_shape() {
    if constexpr (std::is_array_v<T>) {
        return Shape::c_array;
    } else {
        return shape_of<T>();
    }
}

template <typename T>
concept plain = !adl_codable<T> && top_level_shape<T>() == Shape::plain;

[[noreturn]] inline void wrong_size(std::size_t size, std::size_t expected) {
    throw Error(std::to_string(size) + " bytes, expected " + std::to_string(expected));
}

template <typename T>
std::span<const std::byte> bytes_of(const T& value) {
    return std::as_bytes(std::span<const T, 1>(&value, 1));
}

}  // namespace detail

// codec<T> can encode a T (every codec) / decode one (all but spans of mutable bytes).
template <typename T>
concept encodable = requires(const T& value, std::vector<std::byte>& scratch) {
    { codec<T>::encode(value, scratch) } -> std::convertible_to<std::span<const std::byte>>;
};
template <typename T>
concept decodable = requires(std::span<const std::byte> bytes) {
    { codec<T>::decode(bytes) } -> std::convertible_to<T>;
};
template <typename T>
concept has_codec = encodable<T> && decodable<T>;

// Plain values: their bytes, and exactly sizeof(T) of them back.
template <typename T>
requires detail::plain<T>
struct codec<T> {
    static std::span<const std::byte> encode(const T& value, std::vector<std::byte>&) {
        return detail::bytes_of(value);
    }
    static T decode(std::span<const std::byte> bytes) {
        if (bytes.size() != sizeof(T)) detail::wrong_size(bytes.size(), sizeof(T));
        std::array<std::byte, sizeof(T)> copy;  // T may have no default constructor
        std::memcpy(copy.data(), bytes.data(), sizeof(T));
        return std::bit_cast<T>(copy);
    }
};

// Types that declare forkline_encode / forkline_decode beside them.
template <typename T>
requires detail::adl_codable<T>
struct codec<T> {
    static std::span<const std::byte> encode(const T& value, std::vector<std::byte>& scratch) {
        return forkline_encode(value, scratch);
    }
    static T decode(std::span<const std::byte> bytes) {
        return forkline_decode(bytes, std::type_identity<T>{});
    }
};

template <>
struct codec<std::string_view> {
    static std::span<const std::byte> encode(std::string_view text, std::vector<std::byte>&) {
        return std::as_bytes(std::span(text));
    }
    static std::string_view decode(std::span<const std::byte> bytes) {
        return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }
};

template <>
struct codec<std::string> {
    static std::span<const std::byte> encode(const std::string& text, std::vector<std::byte>&) {
        return std::as_bytes(std::span(text));
    }
    static std::string decode(std::span<const std::byte> bytes) {
        return std::string(codec<std::string_view>::decode(bytes));
    }
};

// Spans of bytes: their contents. Decoding gives a view of the bytes (const elements only).
template <typename T, std::size_t N>
requires detail::is_byte_like<T>
struct codec<std::span<T, N>> {
    static std::span<const std::byte> encode(std::span<T, N> bytes, std::vector<std::byte>&) {
        return std::as_bytes(bytes);
    }
    static std::span<T, N> decode(std::span<const std::byte> bytes) requires std::is_const_v<T> {
        if (N != std::dynamic_extent && bytes.size() != N) detail::wrong_size(bytes.size(), N);
        return std::span<T, N>(reinterpret_cast<T*>(bytes.data()), bytes.size());
    }
};

// Vectors of plain values: the elements' bytes, back in a vector of as many as fit exactly.
template <typename T, typename Allocator>
requires detail::plain<T> &&(!std::is_same_v<T, bool>)struct codec<std::vector<T, Allocator>> {
    static std::span<const std::byte> encode(const std::vector<T, Allocator>& values,
                                             std::vector<std::byte>&) {
        return std::as_bytes(std::span(values));
    }
    static std::vector<T, Allocator> decode(std::span<const std::byte> bytes) {
        if (bytes.size() % sizeof(T) != 0) {
            throw Error(std::to_string(bytes.size()) + " bytes, not a whole number of " +
                        std::to_string(sizeof(T)) + "-byte elements");
        }
        std::vector<T, Allocator> values(bytes.size() / sizeof(T));
        if (!bytes.empty()) std::memcpy(values.data(), bytes.data(), bytes.size());
        return values;
    }
};

namespace detail {

// Called where a typed job or result is sent (encoded) or received (decoded): without a
// codec, one error that says why and what to do instead.
template <typename T, bool Decoding>
consteval bool require_codec() {
    if constexpr (Decoding ? !decodable<T> : !encodable<T>) {
        // Exactly one of these fails: the one for T's shape.
        constexpr Shape shape = top_level_shape<T>();
        static_assert(shape != Shape::address,
                      "forkline: a pointer, reference or std::reference_wrapper would be sent as "
                      "an address, meaningless in the worker: send the value itself, "
                      "std::string_view(text) for a C string, or a std::span of its bytes");
        static_assert(shape != Shape::view,
                      "forkline: a view, span or iterator would be sent as its pointer, not its "
                      "elements: send a std::vector of them, std::as_bytes(span), or "
                      "std::string_view for text");
        static_assert(shape != Shape::field_address,
                      "forkline: this type holds a pointer, reference, view or span in a field: "
                      "it would arrive as an address. Hold the data by value (std::string, "
                      "std::vector, std::array) and give the type a codec: to_json/from_json "
                      "with <forkline/json_codec.hpp>, or forkline::codec<T> (codec.hpp)");
        static_assert(shape != Shape::c_array,
                      "forkline: a C array (a string literal?) is not sent on its own: send "
                      "std::string_view(\"...\") for text (no terminating NUL) or a std::array");
        static_assert(shape != Shape::needs_opt_in,
                      "forkline: this trivially copyable class is not an aggregate, so forkline "
                      "cannot check its fields for pointers: if its bytes are its whole value, "
                      "declare template <> inline constexpr bool forkline::sent_as_bytes<T> = "
                      "true; else give it a codec");
        static_assert(shape != Shape::not_trivial && shape != Shape::plain,
                      "forkline: no codec for this type: give it to_json/from_json and include "
                      "<forkline/json_codec.hpp>, or write a forkline::codec<T> (codec.hpp)");
    }
    return true;
}

}  // namespace detail

// The value's bytes as its codec encodes them (a view of `value` or of `scratch`).
template <typename T>
std::span<const std::byte> encode(const T& value, std::vector<std::byte>& scratch) {
    static_assert(detail::require_codec<T, false>());
    scratch.clear();
    if constexpr (encodable<T>) return codec<T>::encode(value, scratch);
    return {};  // unreachable: only the static_assert's message is worth reading
}

// A T from bytes its codec encoded; throws what the codec throws (Error for the ready ones).
template <typename T>
T decode(std::span<const std::byte> bytes) {
    static_assert(detail::require_codec<T, true>());
    if constexpr (decodable<T>) return codec<T>::decode(bytes);
    throw Error("no codec");  // unreachable: only the static_assert's message is worth reading
}

}  // namespace forkline
