// docker top: ps filtered to a container's cgroup.
#include "runner/container_top.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "base/subprocess.h"
#include "runner/container_cgroup.h"

namespace builder::runner {
namespace {

std::vector<std::string> Fields(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) out.push_back(std::move(w));
  return out;
}

}  // namespace

Result<ProcessTable> FilterPsOutput(std::string_view output, const std::vector<pid_t>& pids) {
  ProcessTable table;
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < output.size();) {
    std::size_t end = std::min(output.find('\n', start), output.size());
    lines.push_back(output.substr(start, end - start));
    start = end + 1;
  }
  if (lines.empty()) return Fail(ErrorCode::kInvalidArgument, "ps printed nothing");
  table.titles = Fields(lines.front());
  auto pid_at = std::find(table.titles.begin(), table.titles.end(), "PID");
  if (pid_at == table.titles.end()) {
    return Fail(ErrorCode::kInvalidArgument, "Couldn't find PID field in ps output");
  }
  const std::size_t pid_index = static_cast<std::size_t>(pid_at - table.titles.begin());
  auto keep = [&](const std::vector<std::string>& fields) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < table.titles.size() && i < fields.size(); ++i) {
      if (i + 1 == table.titles.size()) {
        std::string rest = fields[i];
        for (std::size_t j = i + 1; j < fields.size(); ++j) rest += " " + fields[j];
        row.push_back(std::move(rest));
      } else {
        row.push_back(fields[i]);
      }
    }
    table.processes.push_back(std::move(row));
  };
  bool previous_kept = false;
  for (std::size_t n = 1; n < lines.size(); ++n) {
    std::vector<std::string> fields = Fields(lines[n]);
    if (fields.size() <= pid_index) continue;
    const std::string& cell = fields[pid_index];
    if (cell == "-") {
      if (previous_kept) keep(fields);
      continue;
    }
    pid_t pid = 0;
    auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), pid);
    if (ec != std::errc() || p != cell.data() + cell.size()) {
      return Fail(ErrorCode::kInvalidArgument, "Unexpected pid '" + cell + "' in ps output");
    }
    previous_kept = std::find(pids.begin(), pids.end(), pid) != pids.end();
    if (previous_kept) keep(fields);
  }
  return table;
}

Result<ProcessTable> ContainerTop(const ContainerView& view, std::vector<std::string> ps_args) {
  sandbox::Cgroup cg = BUILDER_TRY(ContainerCgroup(view));
  const std::vector<pid_t> pids = BUILDER_TRY(cg.Pids());
  if (ps_args.empty()) ps_args = {"-ef"};
  SpawnOptions options;
  options.argv = {"ps"};
  options.argv.insert(options.argv.end(), ps_args.begin(), ps_args.end());
  options.pipe_stdout = true;
  options.pipe_stderr = true;
  RunResult ran = BUILDER_TRY(RunProcess(std::move(options)));
  if (!ran.status.ok()) {
    std::string err = ran.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    return Fail(ErrorCode::kInvalidArgument, "ps: " + ran.status.ToString() + (err.empty() ? "" : ": " + err));
  }
  return FilterPsOutput(ran.out, pids);
}

}  // namespace builder::runner
