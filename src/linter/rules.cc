// The rule table and message formats of BuildKit's Dockerfile linter.
#include "linter/rules.h"

#include <cstdio>

namespace builder::linter {

#define BUILDER_RULE(var, name, desc, slug, ...) \
  const Rule var{name, desc, "https://docs.docker.com/go/dockerfile/rule/" slug "/", ##__VA_ARGS__}

BUILDER_RULE(kNoEmptyContinuation, "NoEmptyContinuation", "Empty continuation lines will become errors in a future release",
             "no-empty-continuation");
BUILDER_RULE(kStageNameCasing, "StageNameCasing", "Stage names should be lowercase", "stage-name-casing");
BUILDER_RULE(kFromAsCasing, "FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword",
             "from-as-casing");
BUILDER_RULE(kConsistentInstructionCasing, "ConsistentInstructionCasing",
             "All commands within the Dockerfile should use the same casing (either upper or lower)",
             "consistent-instruction-casing");
BUILDER_RULE(kDuplicateStageName, "DuplicateStageName", "Stage names should be unique", "duplicate-stage-name");
BUILDER_RULE(kReservedStageName, "ReservedStageName", "Reserved words should not be used as stage names",
             "reserved-stage-name");
BUILDER_RULE(kJSONArgsRecommended, "JSONArgsRecommended",
             "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
             "json-args-recommended");
BUILDER_RULE(kMaintainerDeprecated, "MaintainerDeprecated",
             "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
             "maintainer-deprecated");
BUILDER_RULE(kUndefinedArgInFrom, "UndefinedArgInFrom", "FROM command must use declared ARGs",
             "undefined-arg-in-from");
BUILDER_RULE(kWorkdirRelativePath, "WorkdirRelativePath",
             "Relative workdir without an absolute workdir declared within the build can have unexpected "
             "results if the base image changes",
             "workdir-relative-path");
BUILDER_RULE(kUndefinedVar, "UndefinedVar", "Variables should be defined before their use", "undefined-var");
BUILDER_RULE(kMultipleInstructionsDisallowed, "MultipleInstructionsDisallowed",
             "Multiple instructions of the same type should not be used in the same stage",
             "multiple-instructions-disallowed");
BUILDER_RULE(kLegacyKeyValueFormat, "LegacyKeyValueFormat",
             "Legacy key/value format with whitespace separator should not be used", "legacy-key-value-format");
BUILDER_RULE(kRedundantTargetPlatform, "RedundantTargetPlatform",
             "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
             "redundant-target-platform");
BUILDER_RULE(kSecretsUsedInArgOrEnv, "SecretsUsedInArgOrEnv",
             "Sensitive data should not be used in the ARG or ENV commands", "secrets-used-in-arg-or-env");
BUILDER_RULE(kInvalidDefaultArgInFrom, "InvalidDefaultArgInFrom",
             "Default value for global ARG results in an empty or invalid base image name",
             "invalid-default-arg-in-from");
BUILDER_RULE(kFromPlatformFlagConstDisallowed, "FromPlatformFlagConstDisallowed",
             "FROM --platform flag should not use a constant value", "from-platform-flag-const-disallowed");
BUILDER_RULE(kCopyIgnoredFile, "CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore",
             "copy-ignored-file", true);

#undef BUILDER_RULE

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

namespace {
std::string S(std::string_view v) { return std::string(v); }
}  // namespace

std::string NoEmptyContinuationMessage() { return "Empty continuation line"; }
std::string StageNameCasingMessage(std::string_view stage) {
  return "Stage name '" + S(stage) + "' should be lowercase";
}
std::string FromAsCasingMessage(std::string_view from, std::string_view as) {
  return "'" + S(as) + "' and '" + S(from) + "' keywords' casing do not match";
}
std::string ConsistentInstructionCasingMessage(std::string_view command, std::string_view casing) {
  return "Command '" + S(command) + "' should match the case of the command majority (" + S(casing) + ")";
}
std::string DuplicateStageNameMessage(std::string_view stage) {
  return "Duplicate stage name " + GoQuote(stage) + ", stage names should be unique";
}
std::string ReservedStageNameMessage(std::string_view stage) {
  return "Stage name should not use the same name as reserved stage " + GoQuote(stage);
}
std::string JSONArgsRecommendedMessage(std::string_view instruction) {
  return "JSON arguments recommended for " + S(instruction) +
         " to prevent unintended behavior related to OS signals";
}
std::string MaintainerDeprecatedMessage() { return "Maintainer instruction is deprecated in favor of using label"; }
std::string UndefinedArgInFromMessage(std::string_view arg, std::string_view suggestion) {
  std::string out = "FROM argument '" + S(arg) + "' is not declared";
  if (!suggestion.empty()) out += " (did you mean " + S(suggestion) + "?)";
  return out;
}
std::string WorkdirRelativePathMessage(std::string_view workdir) {
  return "Relative workdir " + GoQuote(workdir) + " can have unexpected results if the base image changes";
}
std::string UndefinedVarMessage(std::string_view var, std::string_view suggestion) {
  std::string out = "Usage of undefined variable '$" + S(var) + "'";
  if (!suggestion.empty()) out += " (did you mean $" + S(suggestion) + "?)";
  return out;
}
std::string MultipleInstructionsDisallowedMessage(std::string_view instruction) {
  return "Multiple " + S(instruction) +
         " instructions should not be used in the same stage because only the last one will be used";
}
std::string LegacyKeyValueFormatMessage(std::string_view command) {
  return "\"" + S(command) + " key=value\" should be used instead of legacy \"" + S(command) + " key value\" format";
}
std::string RedundantTargetPlatformMessage(std::string_view platform) {
  return "Setting platform to predefined " + S(platform) + " in FROM is redundant as this is the default behavior";
}
std::string SecretsUsedInArgOrEnvMessage(std::string_view instruction, std::string_view key) {
  return "Do not use ARG or ENV instructions for sensitive data (" + S(instruction) + " " + GoQuote(key) + ")";
}
std::string InvalidDefaultArgInFromMessage(std::string_view base) {
  return "Default value for ARG " + S(base) + " results in empty or invalid base image name";
}
std::string FromPlatformFlagConstDisallowedMessage(std::string_view platform) {
  return "FROM --platform flag should not use constant value " + GoQuote(platform);
}
std::string CopyIgnoredFileMessage(std::string_view command, std::string_view file) {
  return "Attempting to " + S(command) + " file " + GoQuote(file) + " that is excluded by .dockerignore";
}

}  // namespace builder::linter
