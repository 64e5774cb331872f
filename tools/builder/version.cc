// `builder version [--format json]`: the client's version facts (there is no server).
#include <sys/utsname.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"

namespace builder::cli {

void RegisterVersion(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("version", "Show the builder version information");
  static std::string format;
  cmd->add_option("-f,--format", format, "json");
  cmd->callback([status] {
    struct utsname u {};
    ::uname(&u);
    nlohmann::ordered_json client = {{"Version", "0.1.0"},
                                     {"ApiVersion", "none (daemonless)"},
                                     {"Os", "linux"},
                                     {"Arch", u.machine},
                                     {"KernelVersion", u.release},
                                     {"Compiler", "g++ " __VERSION__}};
    if (format == "json") {
      std::cout << nlohmann::ordered_json{{"Client", client}}.dump() << '\n';
    } else if (format.empty()) {
      std::cout << "Client:\n";
      for (const auto& [k, v] : client.items()) std::cout << " " << k << ": " << v.get<std::string>() << '\n';
    } else {
      *status = ReportError(Error(ErrorCode::kInvalidArgument, "--format: only json is supported"));
    }
  });
}

}  // namespace builder::cli
