// Tests for LoadCurl: libcurl resolves once, on demand.
#include "registry/curl_library.h"

#include <doctest/doctest.h>

namespace builder::registry {
namespace {

TEST_CASE("libcurl loads once and every entry point resolves") {
  auto first = LoadCurl();
  REQUIRE(first);
  auto second = LoadCurl();
  REQUIRE(second);
  CHECK(*first == *second);
  const CurlLibrary& lib = **first;
  CURL* c = lib.easy_init();
  REQUIRE(c != nullptr);
  CHECK(lib.easy_setopt(c, CURLOPT_URL, "http://127.0.0.1/") == CURLE_OK);
  CHECK(std::string(lib.easy_strerror(CURLE_COULDNT_CONNECT)).find("connect") != std::string::npos);
  lib.easy_cleanup(c);
}

}  // namespace
}  // namespace builder::registry
