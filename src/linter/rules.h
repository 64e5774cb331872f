// BuildKit's Dockerfile lint rules: names, descriptions, documentation URLs and message texts.
#pragma once

#include <string>
#include <string_view>

namespace builder::linter {

/// One rule, as frontend/dockerfile/linter/ruleset.go names and documents it.
struct Rule {
  std::string_view name;
  std::string_view description;
  std::string_view url;
  bool experimental = false;  ///< runs only when `# check=experimental=NAME|all` asks for it
};

extern const Rule kNoEmptyContinuation;
extern const Rule kStageNameCasing;
extern const Rule kFromAsCasing;
extern const Rule kConsistentInstructionCasing;
extern const Rule kDuplicateStageName;
extern const Rule kReservedStageName;
extern const Rule kJSONArgsRecommended;
extern const Rule kMaintainerDeprecated;
extern const Rule kUndefinedArgInFrom;
extern const Rule kWorkdirRelativePath;
extern const Rule kUndefinedVar;
extern const Rule kMultipleInstructionsDisallowed;
extern const Rule kLegacyKeyValueFormat;
extern const Rule kRedundantTargetPlatform;
extern const Rule kSecretsUsedInArgOrEnv;
extern const Rule kInvalidDefaultArgInFrom;
extern const Rule kFromPlatformFlagConstDisallowed;
extern const Rule kCopyIgnoredFile;

// The messages, word for word as BuildKit formats them.
std::string NoEmptyContinuationMessage();
std::string StageNameCasingMessage(std::string_view stage);
std::string FromAsCasingMessage(std::string_view from, std::string_view as);
std::string ConsistentInstructionCasingMessage(std::string_view command, std::string_view casing);
std::string DuplicateStageNameMessage(std::string_view stage);
std::string ReservedStageNameMessage(std::string_view stage);
std::string JSONArgsRecommendedMessage(std::string_view instruction);
std::string MaintainerDeprecatedMessage();
std::string UndefinedArgInFromMessage(std::string_view arg, std::string_view suggestion);
std::string WorkdirRelativePathMessage(std::string_view workdir);
std::string UndefinedVarMessage(std::string_view var, std::string_view suggestion);
std::string MultipleInstructionsDisallowedMessage(std::string_view instruction);
std::string LegacyKeyValueFormatMessage(std::string_view command);
std::string RedundantTargetPlatformMessage(std::string_view platform);
std::string SecretsUsedInArgOrEnvMessage(std::string_view instruction, std::string_view key);
std::string InvalidDefaultArgInFromMessage(std::string_view base);
std::string FromPlatformFlagConstDisallowedMessage(std::string_view platform);
std::string CopyIgnoredFileMessage(std::string_view command, std::string_view file);

/// Go's %q of an ASCII string: double quotes, `"` and `\` escaped, control bytes as \n, \t or
/// \xNN (what the messages above need; non-ASCII bytes pass through unchanged).
std::string GoQuote(std::string_view s);

}  // namespace builder::linter
