// Running a tool as another user (nobody) in a test. The build tree may be out of that
// user's reach (a checkout in root's 0700 home), so the tool and its workers are copied
// into a directory of their own that every user can reach; they are static executables
// and find their workers beside themselves.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace test_support {

// The prefix that runs a command as nobody:nogroup, with no supplementary groups.
inline const std::vector<std::string> kAsNobody = {"/usr/bin/setpriv", "--reuid=nobody",
                                                   "--regid=nogroup", "--clear-groups"};

// A mkdtemp directory under /tmp (mode 0755) holding copies of `tool` and `workers` (names
// of executables beside `tool`); removed with everything in it at the end.
class ReachableTools {
  public:
    ReachableTools(const std::filesystem::path& tool, const std::vector<std::string>& workers) {
        namespace fs = std::filesystem;
        char dir[] = "/tmp/forkline-tools-XXXXXX";
        REQUIRE(::mkdtemp(dir) != nullptr);
        dir_ = dir;
        fs::permissions(dir_, fs::perms(0755));
        fs::copy_file(tool, dir_ / tool.filename());
        for (const auto& worker : workers)
            fs::copy_file(tool.parent_path() / worker, dir_ / worker);
        tool_ = (dir_ / tool.filename()).string();
    }
    ~ReachableTools() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    ReachableTools(const ReachableTools&) = delete;
    ReachableTools& operator=(const ReachableTools&) = delete;

    // The copy of the tool.
    const std::string& tool() const { return tool_; }

  private:
    std::filesystem::path dir_;
    std::string tool_;
};

}  // namespace test_support
