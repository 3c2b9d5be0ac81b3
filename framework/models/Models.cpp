#include "models/DeepSdfDecoder.h"
#include "models/Decoder.h"
#include "models/IgrDecoder.h"
#include "models/SirenDecoder.h"

namespace nsdf::models {

void register_builtin_models(ModelRegistry& registry) {
  registry.add<DeepSdfDecoderImpl>("deepsdf");
  registry.add<IgrDecoderImpl>("igr");
  registry.add<SirenDecoderImpl>("siren");
}

}  // namespace nsdf::models
