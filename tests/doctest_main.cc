// The single doctest main shared by every module's test executable. It exits 77 (ctest's
// SKIP_RETURN_CODE) when every test case it ran skipped itself for a missing conformance corpus,
// so that ctest, which runs one test case per process, reports those cases as skipped.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "support/conformance.h"

namespace {

int g_cases_run = 0;
int g_cases_skipped = 0;

// Counts the test cases run and those that skipped themselves (see support/conformance.h).
struct SkipCounter : doctest::IReporter {
  explicit SkipCounter(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override {
    builder::testing::g_conformance_skipped = false;
  }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {
    ++g_cases_run;
    if (builder::testing::g_conformance_skipped) ++g_cases_skipped;
  }
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("builder_skip_counter", 1, SkipCounter);

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int status = context.run();
  if (context.shouldExit()) return status;
  if (status == 0 && g_cases_run > 0 && g_cases_skipped == g_cases_run) return 77;
  return status;
}
