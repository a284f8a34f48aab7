// The platform-free part of run_command.hpp; run_command_posix.cpp and run_command_windows.cpp
// start the programs.
#include "run_command.hpp"

#include <filesystem>
#include <memory>
#include <sstream>
#include <system_error>

#include "new_directory.hpp"

namespace test_support {

std::string shell_quoted(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

namespace {

// Removes its directory at exit, in the process that made it only: a forked child that calls
// exit() runs the same destructors.
class ScratchDirectory {
  public:
    explicit ScratchDirectory(std::string path) : path_(std::move(path)), owner_(process_id()) {}
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
    ~ScratchDirectory() {
        if (process_id() != owner_) return;
        std::error_code ignored;
        std::filesystem::remove_all(std::u8string(path_.begin(), path_.end()), ignored);
    }

  private:
    std::string path_;
    long long owner_;
};

}  // namespace

std::string scratch_directory(const std::string& prefix) {
    std::string path = new_directory(prefix);
    // Destroyed at exit, in reverse order of construction, like any function-local static.
    static std::vector<std::unique_ptr<ScratchDirectory>> directories;
    directories.push_back(std::make_unique<ScratchDirectory>(path));
    return path;
}

}  // namespace test_support
