// Large byte strings (a pipeline's captured output) written as JSON strings without a copy
// of their own: escaped piece by piece straight to the output.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace cli {

// Writes `bytes` as one JSON string, quotes included, through `write`, in pieces of at most
// kJsonStringPiece bytes. The text is byte for byte what nlohmann::json::dump(-1, ' ', false,
// error_handler_t::replace) writes for the same bytes: valid UTF-8 is kept as is; '"', '\\'
// and control bytes are escaped (\b \f \n \r \t, else \u00xx); each invalid or truncated
// sequence becomes one U+FFFD (its longest valid prefix is replaced, and the byte that broke
// it is read again as the start of the next sequence, as Unicode's "maximal subpart" rule).
void write_json_string(std::string_view bytes,
                       const std::function<void(std::string_view piece)>& write);

inline constexpr std::size_t kJsonStringPiece = 64 * 1024;

}  // namespace cli
