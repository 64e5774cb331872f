// Parses a generated ~10 MB Dockerfile and prints time, throughput and peak memory against input size.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "parser/ast.h"
#include "parser/instructions.h"

namespace {

// A mix shaped like real files: ARG before FROM, many stages, long RUN chains with continuations
// and comments, ENV/LABEL pairs, JSON forms and heredocs.
std::string MakeDockerfile(size_t target_bytes) {
  std::string out = "# syntax=docker/dockerfile:1\nARG BASE=debian:bookworm\n";
  for (int stage = 0; out.size() < target_bytes; ++stage) {
    out += "FROM ${BASE} AS stage" + std::to_string(stage) + "\n";
    out += "ENV A=1 B=\"two words\" C=three\\ four\nLABEL a.b.c=\"x\" d.e=f\n";
    out += "RUN apt-get update \\\n";
    for (int i = 0; i < 40; ++i)
      out += "    # step " + std::to_string(i) + "\n    && echo \"installing package-" + std::to_string(i) + "\" \\\n";
    out += "    && true\n";
    out += "COPY --chown=1000:1000 --chmod=644 src/ /app/src/\n";
    out += "RUN <<EOT bash\nset -eux\nfor i in 1 2 3; do echo $i; done\nEOT\n";
    out += "CMD [\"/app/run\", \"--flag\", \"value\"]\nEXPOSE 8080/tcp 9000-9010/udp\n";
  }
  return out;
}

long PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10;
  std::string text = MakeDockerfile(mb * 1000 * 1000);
  long rss_before = PeakRssKb();
  auto t0 = std::chrono::steady_clock::now();
  auto ast = builder::parser::ParseDockerfile(text, "bench.Dockerfile");
  auto t1 = std::chrono::steady_clock::now();
  if (!ast) {
    std::fprintf(stderr, "parse failed: %s\n", ast.error().Describe().c_str());
    return 1;
  }
  auto typed = builder::parser::ParseInstructions(*ast);
  auto t2 = std::chrono::steady_clock::now();
  if (!typed) {
    std::fprintf(stderr, "instructions failed: %s\n", typed.error().Describe().c_str());
    return 1;
  }
  long rss_after = PeakRssKb();
  double lex_s = std::chrono::duration<double>(t1 - t0).count();
  double typed_s = std::chrono::duration<double>(t2 - t1).count();
  double input_mb = text.size() / 1e6;
  std::printf("input            %.1f MB, %zu instructions\n", input_mb, ast->children.size());
  std::printf("lex + AST        %.3f s  (%.0f MB/s)\n", lex_s, input_mb / lex_s);
  std::printf("typed            %.3f s  (%.0f MB/s)\n", typed_s, input_mb / typed_s);
  std::printf("peak RSS growth  %.1f MB  (%.1fx the input)\n", (rss_after - rss_before) / 1e3,
              (rss_after - rss_before) / 1e3 / input_mb);
  return 0;
}
