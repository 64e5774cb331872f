// `builder cp [-a] [-L] CONTAINER:SRC DEST|-` and `builder cp [-a] [-L] SRC|- CONTAINER:DEST`:
// files between a container and the host, or a tar stream.
#include <signal.h>

#include <optional>

#include "commands.h"
#include "runner/container_copy.h"

namespace builder::cli {
namespace {

struct CopyArg {
  std::string container;  // empty: a host path
  std::string path;
};

// docker's rule: a path that starts with '/' or '.' is local even with a ':' in it.
CopyArg SplitArg(const std::string& arg) {
  if (arg.empty() || arg.front() == '/' || arg.front() == '.') return {"", arg};
  std::size_t colon = arg.find(':');
  if (colon == std::string::npos) return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

Result<void> Copy(const std::string& src_arg, const std::string& dest_arg, const runner::CopyOptions& options) {
  CopyArg src = SplitArg(src_arg), dest = SplitArg(dest_arg);
  if (src.container.empty() == dest.container.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                src.container.empty() ? "must specify at least one container source"
                                      : "copying between containers is not supported");
  }
  runner::ContainerStore store = BUILDER_TRY(OpenContainers());
  // A reader that stops early must not kill us mid-copy; the write reports EPIPE instead.
  ::signal(SIGPIPE, SIG_IGN);
  if (!src.container.empty()) {
    const std::string id = BUILDER_TRY(store.Resolve(src.container));
    return runner::CopyFromContainer(store, id, src.path, dest.path, options);
  }
  const std::string id = BUILDER_TRY(store.Resolve(dest.container));
  return runner::CopyToContainer(store, id, src.path, dest.path, options);
}

}  // namespace

void RegisterCp(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("cp", "Copy files/folders between a container and the local filesystem");
  static std::string src, dest;
  static runner::CopyOptions options;
  cmd->add_flag("-a,--archive", options.archive, "Archive mode (copy all uid/gid information)");
  cmd->add_flag("-L,--follow-link", options.follow_link, "Always follow symbol link in SRC_PATH");
  cmd->add_option("SRC", src, "CONTAINER:SRC_PATH, a host path, or - (a tar on stdin)")->required();
  cmd->add_option("DEST", dest, "CONTAINER:DEST_PATH, a host path, or - (a tar on stdout)")->required();
  cmd->callback([status] {
    auto r = Copy(src, dest, options);
    *status = r ? 0 : ReportError(r.error());
  });
}

}  // namespace builder::cli
