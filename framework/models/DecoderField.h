#pragma once
// A trained decoder seen as a plain field for geometry code (extraction, evaluation): batches of
// points go through the network without gradients, on the decoder's device, with the shape's
// latent code (if any) repeated for every point.

#include <torch/torch.h>

#include <functional>

#include "geometry/SparseExtraction.h"
#include "models/Decoder.h"

namespace nsdf::models {

/// @param[in] decoder evaluated in eval mode (the caller sets it)
/// @param[in] code [latent_size] code of the shape, or an undefined tensor for single shapes
/// @param[in] device where the decoder's parameters are
/// @param[in] to_sdf maps the decoder's outputs to signed distances (Loss::to_sdf: PHASE's log
///   transform); none: the outputs are the field
geometry::FieldFn decoder_field(
    Decoder& decoder, const torch::Tensor& code, torch::Device device,
    std::function<torch::Tensor(const torch::Tensor&)> to_sdf = {});

}  // namespace nsdf::models
