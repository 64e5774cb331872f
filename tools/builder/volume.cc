// `builder volume create|ls|rm|inspect|prune`: docker's volume commands over runner::VolumeStore.
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "format_template.h"
#include "human.h"
#include "runner/volume_store.h"
#include "table.h"

namespace builder::cli {
namespace {

Result<runner::VolumeStore> OpenVolumes() {
  std::string root = BUILDER_TRY(oci::ImageStore::DefaultRoot());
  return runner::VolumeStore::Open(std::move(root));
}

// "K=V" flags into a map; a bare "K" means an empty value, as docker's --label.
Result<std::map<std::string, std::string>> KeyValues(const std::vector<std::string>& items,
                                                     const char* flag) {
  std::map<std::string, std::string> out;
  for (const std::string& item : items) {
    const std::size_t eq = item.find('=');
    if (eq == 0 || item.empty()) {
      return Fail(ErrorCode::kInvalidArgument, std::string("bad ") + flag + " \"" + item + "\"");
    }
    out[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
  }
  return out;
}

// docker volume inspect's object.
nlohmann::json InspectJson(const runner::VolumeInfo& v) {
  return {{"CreatedAt", v.created_at}, {"Driver", "local"},   {"Labels", v.labels},
          {"Mountpoint", v.mountpoint}, {"Name", v.name},      {"Options", v.options},
          {"Scope", "local"}};
}

std::string LabelText(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

void RegisterVolumeCreate(CLI::App& volume, int* status) {
  auto* cmd = volume.add_subcommand("create", "Create a volume");
  static std::string name;
  static std::vector<std::string> labels, opts;
  static std::string driver = "local";
  cmd->add_option("NAME", name, "Volume name (default: a random 64-hex name)");
  cmd->add_option("--label", labels, "Set metadata on the volume (K=V)")->allow_extra_args(false);
  cmd->add_option("-o,--opt", opts, "Driver options (K=V)")->allow_extra_args(false);
  cmd->add_option("-d,--driver", driver, "Volume driver (only \"local\")");
  cmd->callback([status] {
    auto run = [&]() -> Result<void> {
      if (driver != "local") {
        return Fail(ErrorCode::kUnsupported, "volume driver \"" + driver + "\" is not supported (only local)");
      }
      auto label_map = BUILDER_TRY(KeyValues(labels, "--label"));
      auto opt_map = BUILDER_TRY(KeyValues(opts, "--opt"));
      runner::VolumeStore store = BUILDER_TRY(OpenVolumes());
      runner::VolumeInfo info = BUILDER_TRY(store.Create(name, label_map, opt_map));
      std::cout << info.name << '\n';
      return {};
    };
    if (auto r = run(); !r) *status = ReportError(r.error());
  });
}

void RegisterVolumeLs(CLI::App& volume, int* status) {
  auto* cmd = volume.add_subcommand("ls", "List volumes");
  cmd->alias("list");
  static bool quiet = false;
  static std::string format;
  cmd->add_flag("-q,--quiet", quiet, "Only display volume names");
  cmd->add_option("--format", format,
                  "json, or a template: {{.Name}} {{.Driver}} {{.Mountpoint}} {{.Labels}} "
                  "{{.Scope}} {{.CreatedAt}}, 'table ...' for columns");
  cmd->callback([status] {
    auto run = [&]() -> Result<void> {
      runner::VolumeStore store = BUILDER_TRY(OpenVolumes());
      std::vector<runner::VolumeInfo> volumes = BUILDER_TRY(store.List());
      std::vector<std::map<std::string, std::string>> rows;
      for (const auto& v : volumes) {
        rows.push_back({{"Name", v.name}, {"Driver", "local"}, {"Mountpoint", v.mountpoint},
                        {"Labels", LabelText(v.labels)}, {"Scope", "local"},
                        {"CreatedAt", v.created_at}, {"Links", "N/A"}, {"Size", "N/A"}});
      }
      if (format == "json") {
        for (const auto& row : rows) std::cout << nlohmann::json(row).dump() << '\n';
        return {};
      }
      std::string text = quiet ? "{{.Name}}" : format.empty() ? "table {{.Driver}}\\t{{.Name}}" : format;
      const std::vector<std::string> fields = {"Name",      "Driver",    "Mountpoint", "Labels",
                                               "Scope",     "CreatedAt", "Links",      "Size"};
      FormatTemplate tmpl = BUILDER_TRY(FormatTemplate::Parse(text, fields));
      if (!tmpl.table()) {
        for (const auto& row : rows) std::cout << tmpl.Render(row) << '\n';
        return {};
      }
      auto split = [](const std::string& line) {
        std::vector<std::string> cells;
        std::size_t start = 0;
        for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
          cells.push_back(line.substr(start, tab - start));
        }
        cells.push_back(line.substr(start));
        return cells;
      };
      TabWriter table;
      table.AddRow(split(tmpl.Header({{"Name", "VOLUME NAME"}, {"CreatedAt", "CREATED"}})));
      for (const auto& row : rows) table.AddRow(split(tmpl.Render(row)));
      table.Print(std::cout);
      return {};
    };
    if (auto r = run(); !r) *status = ReportError(r.error());
  });
}

void RegisterVolumeRm(CLI::App& volume, int* status) {
  auto* cmd = volume.add_subcommand("rm", "Remove one or more volumes");
  cmd->alias("remove");
  static std::vector<std::string> names;
  static bool force = false;
  cmd->add_option("NAME", names, "Volumes to remove")->required();
  // As docker: -f ignores missing volumes; one in use is still refused.
  cmd->add_flag("-f,--force", force, "Do not fail for a volume that does not exist");
  cmd->callback([status] {
    auto store = OpenVolumes();
    if (!store) {
      *status = ReportError(store.error());
      return;
    }
    for (const std::string& name : names) {
      auto r = store->Remove(name, false);
      if (r || (force && r.error().code() == ErrorCode::kNotFound)) {
        if (r) std::cout << name << '\n';
        continue;
      }
      *status = ReportError(r.error());
    }
  });
}

void RegisterVolumeInspect(CLI::App& volume, int* status) {
  auto* cmd = volume.add_subcommand("inspect", "Display detailed information on one or more volumes");
  static std::vector<std::string> names;
  cmd->add_option("NAME", names, "Volumes to inspect")->required();
  cmd->callback([status] {
    auto store = OpenVolumes();
    if (!store) {
      *status = ReportError(store.error());
      return;
    }
    nlohmann::json out = nlohmann::json::array();
    std::vector<Error> errors;
    for (const std::string& name : names) {
      auto info = store->Get(name);
      if (info) {
        out.push_back(InspectJson(*info));
      } else {
        errors.push_back(std::move(info.error()));
      }
    }
    // docker prints what it found, then the errors, and exits 1 when any name failed.
    std::cout << out.dump(4) << '\n';
    for (const Error& e : errors) *status = ReportError(e);
  });
}

void RegisterVolumePrune(CLI::App& volume, int* status) {
  auto* cmd = volume.add_subcommand("prune", "Remove unused volumes (anonymous ones unless -a)");
  static bool all = false, force = false;
  cmd->add_flag("-a,--all", all, "Remove all unused volumes, not just anonymous ones");
  cmd->add_flag("-f,--force", force, "Do not prompt for confirmation");
  cmd->callback([status] {
    // As `builder prune`: ask only when someone can answer.
    if (!force && ::isatty(STDIN_FILENO)) {
      std::cout << (all ? "WARNING! This will remove all local volumes not used by at least one "
                          "container.\n"
                        : "WARNING! This will remove anonymous local volumes not used by at least "
                          "one container.\n")
                << "Are you sure you want to continue? [y/N] " << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") return;
    }
    auto run = [&]() -> Result<void> {
      runner::VolumeStore store = BUILDER_TRY(OpenVolumes());
      std::uint64_t freed = 0;
      std::vector<std::string> removed = BUILDER_TRY(store.Prune(all, &freed));
      if (!removed.empty()) {
        std::cout << "Deleted Volumes:\n";
        for (const std::string& name : removed) std::cout << name << '\n';
        std::cout << '\n';
      }
      std::cout << "Total reclaimed space: " << DockerSize(static_cast<std::int64_t>(freed), 4)
                << '\n';
      return {};
    };
    if (auto r = run(); !r) *status = ReportError(r.error());
  });
}

}  // namespace

void RegisterVolume(CLI::App& app, int* status) {
  auto* volume = app.add_subcommand("volume", "Manage volumes");
  volume->require_subcommand(1);
  RegisterVolumeCreate(*volume, status);
  RegisterVolumeLs(*volume, status);
  RegisterVolumeRm(*volume, status);
  RegisterVolumeInspect(*volume, status);
  RegisterVolumePrune(*volume, status);
}

}  // namespace builder::cli
