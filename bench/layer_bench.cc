// Layer write throughput of builder (WriteLayer + one-pass LayerBlobWriter) against
// `tar -cf - | gzip` and `tar -cf - | zstd -T0` on the same tree, with ratios and peak RSS.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include "oci/compression.h"
#include "oci/layer_stream.h"
#include "oci/layer_writer.h"

namespace {

struct Run {
  double seconds = 0;
  long peak_rss_kb = 0;  // of the measured process (for a pipeline: its largest member)
  long long bytes = 0;   // size of the output
  bool ok = false;
};

void WriteFile(const std::string& path, const std::string& data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::exit((std::perror(path.c_str()), 1));
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
}

// A tree shaped like an image layer: many small compressible text files, some medium binaries,
// a few large incompressible blobs, nested directories and symlinks. Deterministic (fixed seed).
long long MakeTree(const std::string& root, long long target_bytes, long long* files) {
  std::mt19937_64 rng(42);
  const std::string words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do ";
  long long total = 0;
  for (int d = 0; total < target_bytes; ++d) {
    const std::string dir = root + "/usr/share/pkg" + std::to_string(d / 20) + "/d" + std::to_string(d);
    std::system(("mkdir -p " + dir).c_str());
    for (int i = 0; i < 40 && total < target_bytes; ++i) {
      std::string data;
      const int kind = static_cast<int>(rng() % 100);
      size_t size = kind < 80 ? 1024 + rng() % 16384 : kind < 97 ? 262144 : 8 << 20;
      data.reserve(size);
      // Small files are text; medium and large ones half text, half random (already compressed).
      if (kind < 80 || rng() % 2 == 0) {
        while (data.size() < size) data += words.substr(rng() % 20, 20 + rng() % 40) + "\n";
      } else {
        while (data.size() < size) {
          const auto r = rng();
          data.append(reinterpret_cast<const char*>(&r), sizeof r);
        }
      }
      WriteFile(dir + "/f" + std::to_string(i), data);
      total += static_cast<long long>(data.size());
      ++*files;
    }
    (void)::symlink("f0", (dir + "/link").c_str());
  }
  return total;
}

// Runs fn in a child process so its peak RSS is its own; returns wall time and the child's RSS.
Run Measure(const std::function<int()>& fn, const std::string& output) {
  Run run;
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) _exit(fn());
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.peak_rss_kb = ru.ru_maxrss;
  run.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  struct stat st{};
  if (::stat(output.c_str(), &st) == 0) run.bytes = st.st_size;
  return run;
}

int Builder(const std::string& dir, const std::string& out, builder::oci::Compression c) {
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 1;
  builder::oci::CompressOptions options;
  options.compression = c;
  auto writer = builder::oci::LayerBlobWriter::Create(fd, options);
  if (!writer) return 2;
  auto stats = builder::oci::WriteLayer(dir, builder::oci::LayerWriteOptions{}, **writer);
  if (!stats) {
    std::fprintf(stderr, "WriteLayer: %s\n", stats.error().ToString().c_str());
    return 3;
  }
  return (*writer)->Finish() ? 0 : 4;
}

int Shell(const std::string& command) {
  ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
  return 127;
}

void Report(const char* name, const Run& ours, const char* peer_name, const Run& peer, double mb) {
  std::printf("%-5s builder %7.2f s (%6.1f MB/s, %5.1f%% of input, peak RSS %ld MB)%s\n", name,
              ours.seconds, mb / ours.seconds, 100.0 * static_cast<double>(ours.bytes) / (mb * 1e6),
              ours.peak_rss_kb / 1024, ours.ok ? "" : " FAILED");
  std::printf("      %-14s %7.2f s (%6.1f MB/s, %5.1f%% of input)%s\n", peer_name, peer.seconds,
              mb / peer.seconds, 100.0 * static_cast<double>(peer.bytes) / (mb * 1e6),
              peer.ok ? "" : " FAILED");
  std::printf("      speed ratio builder/peer: %.2fx (above 1 = builder faster)\n",
              peer.seconds / ours.seconds);
  // One row for bench/run's table (bench/rows.sh has the format) when it asks for them.
  if (const char* rows = std::getenv("BENCH_ROWS")) {
    if (FILE* f = std::fopen(rows, "a")) {
      std::fprintf(f, "layer export %s, %.0f MB\t%.3f\t%s\t%.3f\t%ld\t%ld\n", name, mb,
                   ours.seconds, peer_name, peer.seconds, ours.peak_rss_kb, peer.peak_rss_kb);
      std::fclose(f);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long long mb = argc > 1 ? std::atoll(argv[1]) : 1024;
  std::string dir = argc > 2 ? argv[2] : "";
  char tmpl[] = "/var/tmp/builder-layer-bench-XXXXXX";
  const std::string work = ::mkdtemp(tmpl);
  long long files = 0;
  double input_mb;
  if (dir.empty()) {
    dir = work + "/tree";
    input_mb = static_cast<double>(MakeTree(dir, mb * 1000000, &files)) / 1e6;
  } else {
    input_mb = static_cast<double>(mb);
  }
  std::printf("tree %s: %.0f MB of file data, %lld files\n", dir.c_str(), input_mb, files);
  std::system(("cat $(find " + dir + " -type f) >/dev/null").c_str());  // warm the page cache

  using builder::oci::Compression;
  const std::string out = work + "/out";
  Run ours = Measure([&] { return Builder(dir, out, Compression::kGzip); }, out);
  Run peer = Measure([&] { return Shell("tar -C " + dir + " -cf - . | gzip -6 > " + out); }, out);
  Report("gzip", ours, "tar | gzip -6", peer, input_mb);
  ours = Measure([&] { return Builder(dir, out, Compression::kZstd); }, out);
  peer = Measure([&] { return Shell("tar -C " + dir + " -cf - . | zstd -q -T0 -3 > " + out); }, out);
  Report("zstd", ours, "tar | zstd -T0", peer, input_mb);
  ours = Measure([&] { return Builder(dir, out, Compression::kNone); }, out);
  peer = Measure([&] { return Shell("tar -C " + dir + " -cf - . > " + out); }, out);
  Report("none", ours, "tar", peer, input_mb);
  std::system(("rm -rf " + work).c_str());
  return 0;
}
