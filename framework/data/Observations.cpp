#include "data/DepthObservation.h"
#include "data/ObservationSource.h"
#include "data/ScanObservation.h"

namespace nsdf::data {

void register_builtin_observations(ObservationRegistry& registry) {
  registry.add<DepthObservation>("depth");
  registry.add<ScanObservation>("scan");
}

}  // namespace nsdf::data
