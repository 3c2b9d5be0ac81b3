#include "data/Dataset.h"
#include "data/DeepSdfDataset.h"
#include "data/PointCloudDataset.h"
#include "data/SampleFileDataset.h"
#include "data/SyntheticDataset.h"

namespace nsdf::data {

void register_builtin_datasets(DatasetRegistry& registry) {
  registry.add<SyntheticDataset>("synthetic");
  registry.add<DeepSdfDataset>("deepsdf");
  registry.add<SampleFileDataset>("sdf_samples");
  registry.add<PointCloudDataset>("point_clouds");
}

}  // namespace nsdf::data
