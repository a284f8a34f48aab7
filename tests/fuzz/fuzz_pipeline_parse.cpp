// libFuzzer target: parse_pipeline either returns stages that each have a command and
// redirections of descriptors 0-9, or throws ParseError with a column inside the input (+1
// for "at the end"). Only ~ (a home directory) makes a word longer than its text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <forkline/pipeline.hpp>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto longest =
        size + static_cast<std::size_t>(std::count(text.begin(), text.end(), '~')) * 4096;
    auto descriptor = [](int fd) { return fd >= 0 && fd <= 9; };
    try {
        for (const auto& stage : forkline::parse_pipeline(text)) {
            if (stage.argv.empty()) std::abort();
            for (const auto& redirect : stage.redirects) {
                using Kind = forkline::Redirect::Kind;
                if (redirect.path.size() > longest || !descriptor(redirect.fd)) std::abort();
                if ((redirect.kind == Kind::duplicate) != descriptor(redirect.from)) std::abort();
            }
            for (const auto& assignment : stage.assignments) {
                if (assignment.size() > longest || assignment.find('=') == std::string::npos)
                    std::abort();
            }
        }
    } catch (const forkline::ParseError& e) {
        if (e.column() < 1 || e.column() > size + 1) std::abort();
    }
    return 0;
}
