// --build-context NAME=...: what a name in FROM, COPY --from or RUN --mount from= stands for.
#include "planner/named_context.h"

#include "oci/reference.h"

namespace builder::planner {
namespace {

// BuildKit's key for a name: reference.FamiliarString without ":latest"; as is when it is no
// reference (a stage name with characters no reference allows).
std::string ContextKey(const std::string& name) {
  auto ref = oci::Reference::ParseDockerRef(name);
  if (!ref) return name;
  std::string familiar = ref->FamiliarString();
  if (familiar.ends_with(":latest")) familiar.resize(familiar.size() - 7);
  return familiar;
}

}  // namespace

const NamedContext* FindNamedContext(const NamedContexts& contexts, const std::string& name) {
  if (contexts.empty() || name.empty()) return nullptr;
  if (auto it = contexts.find(name); it != contexts.end()) return &it->second;
  std::string key = ContextKey(name);
  for (const auto& [given, context] : contexts)
    if (ContextKey(given) == key) return &context;
  return nullptr;
}

}  // namespace builder::planner
