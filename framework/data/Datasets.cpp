#include "data/Dataset.h"
#include "data/SyntheticDataset.h"

namespace nsdf::data {

void register_builtin_datasets(DatasetRegistry& registry) {
  registry.add<SyntheticDataset>("synthetic");
}

}  // namespace nsdf::data
