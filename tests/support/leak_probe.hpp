// What a test case can leave behind in this process: descriptors (handles on Windows), child
// processes, shared-memory segments. tests/main.cpp takes a probe before each test case and
// asks it afterwards. One implementation per platform: leak_probe_posix.cpp (/proc, /dev/shm),
// leak_probe_windows.cpp (the handle values, a Toolhelp32 process snapshot).
#pragma once

#include <string>
#include <vector>

namespace test_support {

class LeakProbe {
  public:
    // Notes what the process holds now.
    LeakProbe();

    // What it holds now and did not then, each as what a test "left" ("a file descriptor
    // open"); empty when nothing leaked.
    std::vector<std::string> leaks() const;

  private:
    std::vector<long long> held_;  // the open fd numbers (Windows: handle values)
};

}  // namespace test_support
