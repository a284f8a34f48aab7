// JSON for typed jobs and results: any type with to_json/from_json (nlohmann_json, e.g. by
// NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE) found beside it by argument-dependent lookup travels
// as JSON text, unless a ready codec already sends it as its bytes (codec.hpp). Include
// this header in the supervisor and in the worker: a type it encodes has no codec without
// it (a compile error, never different bytes).
//
// To send a plain struct as JSON all the same (e.g. for a worker written in another
// language), name the codec:
//   template <> struct forkline::codec<Point> : forkline::json_codec<Point> {};
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <forkline/codec.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace forkline {

namespace detail {

// Unqualified, so only the type's own to_json/from_json count (nlohmann's built-in ones
// for std types are function objects, which argument-dependent lookup does not find).
template <typename T>
concept json_convertible = requires(nlohmann::json& json, const T& value, T& target) {
    to_json(json, value);
    from_json(std::as_const(json), target);
};

}  // namespace detail

// JSON text; decoding throws Error when the text is not JSON or not a T.
template <typename T>
struct json_codec {
    static std::span<const std::byte> encode(const T& value, std::vector<std::byte>& scratch) {
        const auto text = nlohmann::json(value).dump();
        scratch.resize(text.size());
        std::memcpy(scratch.data(), text.data(), text.size());
        return scratch;
    }
    static T decode(std::span<const std::byte> bytes) {
        const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        try {
            return nlohmann::json::parse(text).get<T>();
        } catch (const nlohmann::json::exception& e) {
            throw Error(std::string("not the JSON of this type: ") + e.what());
        }
    }
};

template <typename T>
requires detail::json_convertible<T> &&
    (!detail::plain<T>)&&(!detail::adl_codable<T>)struct codec<T> : json_codec<T> {
};

}  // namespace forkline
