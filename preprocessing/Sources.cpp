#include "preprocessing/Sources.h"

namespace nsdf::preprocessing {

void register_builtin_sources(SourceRegistry& registry) {
  registry.add<ShapeNetSource>("shapenet");
  registry.add<DfaustSource>("dfaust");
  registry.add<StanfordSource>("stanford");
  registry.add<FolderSource>("folder");
  registry.add<SyntheticSource>("synthetic");
}

}  // namespace nsdf::preprocessing
