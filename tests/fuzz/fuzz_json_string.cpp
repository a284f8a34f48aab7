// libFuzzer target: cli::write_json_string, runpipe --json's escaper for captured output,
// must write byte for byte what nlohmann's dump with error_handler_t::replace writes, in
// pieces that are never larger than promised.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "json_string.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    std::string streamed;
    cli::write_json_string(bytes, [&](std::string_view piece) {
        if (piece.size() > cli::kJsonStringPiece) std::abort();
        streamed.append(piece);
    });
    const auto expected =
        nlohmann::json(bytes).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (streamed != expected) std::abort();
    return 0;
}
