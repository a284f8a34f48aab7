// libFuzzer target: parse_pipeline either returns stages that each have a command, or
// throws ParseError with a column inside the input (+1 for "at the end").
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <forkline/pipeline.hpp>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        for (const auto& stage : forkline::parse_pipeline(text)) {
            if (stage.argv.empty()) std::abort();
            for (const auto& redirect : stage.redirects) {
                if (redirect.kind != forkline::Redirect::Kind::error_to_output &&
                    redirect.path.size() > size)
                    std::abort();
            }
        }
    } catch (const forkline::ParseError& e) {
        if (e.column() < 1 || e.column() > size + 1) std::abort();
    }
    return 0;
}
