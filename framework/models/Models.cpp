#include "models/DeepSdfDecoder.h"
#include "models/Decoder.h"

namespace nsdf {

void register_builtin_models(ModelRegistry& registry) {
  registry.add<DeepSdfDecoderImpl>("deepsdf");
}

}  // namespace nsdf
