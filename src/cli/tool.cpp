#include "tool.hpp"

#include <cerrno>
#include <cstdio>
#include <exception>

#include "options.hpp"
#include "output.hpp"
#include "output_failure.hpp"
#include "standard_fds.hpp"
#include "usage_error.hpp"

namespace cli {

std::string escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02X", byte);
            out += hex;
        } else {
            out += c;
        }
    }
    return out;
}

namespace {

void print_error(const Tool& tool, const std::string& what, const char* hint = "") {
    const std::string line = tool.name + ": error: " + escaped(what) + hint + "\n";
    std::fflush(stdout);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::string quoted(std::string_view text) {
    std::string out(1, '\'');
    out.append(escaped(text)).push_back('\'');
    return out;
}

int run_tool(const Tool& tool, const std::function<int()>& body) {
    forkline::ensure_standard_fds();
    try {
        int status = 0;
        try {
            status = body();
        } catch (const Finished& finished) {  // after --help or --version
            status = finished.status;
        }
        check_output(stdout);
        return status;
    } catch (const UsageError& e) {
        print_error(tool, e.what(), (" (see " + tool.name + " --help)").c_str());
        return tool.usage_status;
    } catch (const OutputError& e) {
        if (e.error() == EPIPE) die_of_sigpipe();
        // If stdout is the broken one, drop what stdio still holds of it, so that neither
        // exit() nor an enclosing run_tool (forkline's subcommands) tries and reports it again.
        if (std::ferror(stdout) != 0) drop_unwritten(stdout);
        print_error(tool, e.what());
        return tool.error_status;
    } catch (const std::exception& e) {
        print_error(tool, e.what());
        return tool.error_status;
    }
}

void print_version(const std::string& name) {
    std::printf("%s (forkline) %s\n", name.c_str(), FORKLINE_VERSION);
}

}  // namespace cli
