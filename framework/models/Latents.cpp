#include "models/LatentTable.h"

namespace nsdf::models {

void register_builtin_latents(LatentRegistry& registry) {
  registry.add<LatentTableImpl>("table");
}

}  // namespace nsdf::models
