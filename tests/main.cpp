// doctest's main, plus a hygiene check after every test case: no fd (Windows: handle) left
// open that was not open before, no child process (running or zombie), no /dev/shm segment
// of this process (support/leak_probe.hpp).
// A test that leaves any of them fails the run even if its assertions passed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <optional>
#include <string>

#include "leak_probe.hpp"

namespace {

bool hygiene_failed = false;

struct HygieneListener : doctest::IReporter {
    explicit HygieneListener(const doctest::ContextOptions&) {}

    void test_case_start(const doctest::TestCaseData& test) override {
        name_ = test.m_name;
        probe_.emplace();
    }

    void test_case_end(const doctest::CurrentTestCaseStats&) override {
        for (const auto& what : probe_->leaks()) {
            std::fprintf(stderr, "hygiene: test case \"%s\" left %s\n", name_.c_str(),
                         what.c_str());
            hygiene_failed = true;
        }
    }

    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}

  private:
    std::string name_;
    std::optional<test_support::LeakProbe> probe_;
};

REGISTER_LISTENER("hygiene", 1, HygieneListener);

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int failed = context.run();
    return failed != 0 ? failed : (hygiene_failed ? 1 : 0);
}
