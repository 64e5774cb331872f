// `builder login [-u USER] [-p PASS | --password-stdin] [REGISTRY]` and `builder logout
// [REGISTRY]`: credentials checked against the registry, then kept as docker keeps them.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "commands.h"
#include "registry/credential_store.h"
#include "registry/curl_transport.h"
#include "registry/docker_config.h"
#include "registry/login.h"

namespace builder::cli {
namespace {

// "https://index.docker.io/v1/", "index.docker.io", "" -> "docker.io"; "http://h:5000/x" -> "h:5000".
std::string RegistryDomain(std::string server) {
  if (auto p = server.find("://"); p != std::string::npos) server.erase(0, p + 3);
  if (auto p = server.find('/'); p != std::string::npos) server.erase(p);
  if (server.empty() || server == "index.docker.io" || server == "registry-1.docker.io") return "docker.io";
  return server;
}

std::string TrimNewline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// One line from the terminal on stdin; `hidden` turns echo off for it (a password).
Result<std::string> Prompt(const std::string& label, bool hidden) {
  std::cout << label << std::flush;
  termios saved{};
  bool restore = false;
  if (hidden && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    restore = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (restore) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cout << '\n';
  }
  if (!got) return Fail(ErrorCode::kInvalidArgument, "no input for " + label.substr(0, label.find(':')));
  return TrimNewline(line);
}

}  // namespace

void RegisterLogin(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("login", "Log in to a registry");
  static std::string server, username, password;
  static bool password_stdin = false;
  cmd->add_option("SERVER", server, "Registry (default: docker.io)");
  cmd->add_option("-u,--username", username, "Username");
  cmd->add_option("-p,--password", password, "Password or Personal Access Token (PAT)");
  cmd->add_flag("--password-stdin", password_stdin, "Take the Password or Personal Access Token (PAT) from stdin");
  cmd->callback([status] {
    auto run = [&]() -> Result<void> {
      if (!password.empty()) {
        std::cerr << "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n";
        if (password_stdin)
          return Fail(ErrorCode::kInvalidArgument, "--password and --password-stdin are mutually exclusive");
      }
      if (password_stdin) {
        if (username.empty()) return Fail(ErrorCode::kInvalidArgument, "Must provide --username with --password-stdin");
        std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        password = TrimNewline(std::move(all));
      }
      std::string domain = RegistryDomain(server);
      bool tty = ::isatty(STDIN_FILENO) == 1;
      if ((username.empty() || password.empty()) && !tty)
        return Fail(ErrorCode::kInvalidArgument, "Cannot perform an interactive login from a non TTY device");
      if (username.empty()) username = BUILDER_TRY(Prompt("Username: ", false));
      if (username.empty()) return Fail(ErrorCode::kInvalidArgument, "Username is required");
      if (password.empty()) password = BUILDER_TRY(Prompt("Password: ", true));
      if (password.empty()) return Fail(ErrorCode::kInvalidArgument, "Password is required");
      registry::RegistryCredentials given{username, password, {}};
      auto transport = registry::MakeCurlTransport();
      auto verified = registry::VerifyLogin(*transport, domain, given);
      if (!verified) return Fail(std::move(verified.error()).Context("login " + domain));
      auto stored = registry::StoreCredentials(domain, *verified);
      if (!stored) return Fail(std::move(stored.error()).Context("login " + domain + ": store credentials"));
      if (stored->helper.empty())
        std::cerr << "WARNING! Your password will be stored unencrypted in " << stored->config_path << ".\n"
                  << "Configure a credential helper to remove this warning. See\n"
                  << "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n";
      std::cout << "Login Succeeded" << std::endl;
      return {};
    };
    auto done = run();
    password.assign(password.size(), '\0');
    if (!done) *status = ReportError(done.error());
  });
}

void RegisterLogout(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("logout", "Log out from a registry");
  static std::string server;
  cmd->add_option("SERVER", server, "Registry (default: docker.io)");
  cmd->callback([status] {
    std::string domain = RegistryDomain(server);
    std::string shown = registry::CredentialKey(domain);
    auto erased = registry::EraseCredentials(domain);
    if (!erased) {
      *status = ReportError(std::move(erased.error()).Context("logout " + domain));
      return;
    }
    if (!*erased) {
      std::cout << "Not logged in to " << shown << '\n';
      return;
    }
    std::cout << "Removing login credentials for " << shown << '\n';
  });
}

}  // namespace builder::cli
