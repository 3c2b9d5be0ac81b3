#include "experiments/ShapeBatch.h"

#include "core/Error.h"

namespace nsdf::experiments {

losses::LossBatch shape_space_batch(const data::Batch& batch, const torch::Tensor& codes,
                                    torch::Device device, int64_t epoch) {
  const bool pinned = device.is_cuda();
  auto to_device = [&](const torch::Tensor& t) {
    if (!t.defined()) return t;
    return (pinned ? t.pin_memory() : t).to(device, /*non_blocking=*/pinned);
  };
  losses::LossBatch b;
  b.xyz = to_device(batch.xyz);
  b.sdf = to_device(batch.sdf);
  b.normals = to_device(batch.normals);
  b.codes = codes;
  b.latent = codes.repeat_interleave(batch.samples_per_shape, 0);
  b.rows_per_code = batch.samples_per_shape;
  b.epoch = epoch;
  return b;
}

void check_loss_fits_data(const losses::Loss& loss, const std::string& loss_type,
                          data::SampleKind kind, const std::string& data_type) {
  NSDF_CHECK(kind != data::SampleKind::Sdf || loss.regresses_sdf(), core::ConfigError,
             "loss '{}' fits surface points, but dataset '{}' gives SDF samples: use a "
             "point_clouds dataset with it, or the clamped_l1 loss",
             loss_type, data_type);
}

}  // namespace nsdf::experiments
