#pragma once
// From a data::Batch (rows of K shapes) and the batch's K latent codes to the loss's batch, on
// the device: xyz, sdf or normals, each row's code (the shape's code repeated for its rows) and
// the distinct codes (for the code regularizer). Shared by train, reconstruct and complete.

#include "data/BatchLoader.h"
#include "losses/Loss.h"

namespace nsdf::experiments {

/// @param[in] codes [K, L]: the code of each of the batch's shapes, in batch order
losses::LossBatch shape_space_batch(const data::Batch& batch, const torch::Tensor& codes,
                                    torch::Device device, int64_t epoch);

/// ConfigError when `loss` cannot learn from the dataset's kind of data (a surface loss such as
/// igr given SDF samples).
void check_loss_fits_data(const losses::Loss& loss, const std::string& loss_type,
                          data::SampleKind kind, const std::string& data_type);

}  // namespace nsdf::experiments
