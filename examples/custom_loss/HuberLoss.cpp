#include "HuberLoss.h"

namespace example {

nsdf::losses::LossResult HuberLoss::compute(nsdf::models::Decoder& decoder,
                                            const nsdf::losses::LossBatch& batch) {
  const double d = options_.delta;
  const torch::Tensor pred = decoder.forward(batch.latent, batch.xyz).clamp(-d, d);
  const torch::Tensor loss = torch::nn::functional::smooth_l1_loss(
      pred, batch.sdf.clamp(-d, d),
      torch::nn::functional::SmoothL1LossFuncOptions().beta(options_.beta));
  return {loss, {{"huber", loss}}};
}

}  // namespace example
