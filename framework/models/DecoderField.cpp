#include "models/DecoderField.h"

#include <cstring>

namespace nsdf::models {

geometry::FieldFn decoder_field(Decoder& decoder, const torch::Tensor& code, torch::Device device,
                                std::function<torch::Tensor(const torch::Tensor&)> to_sdf) {
  const torch::Tensor z = code.defined() ? code.detach().to(device).view({1, -1}) : torch::Tensor();
  return [&decoder, z, device, to_sdf = std::move(to_sdf)](const float* xyz, int64_t n,
                                                           float* out) {
    torch::NoGradGuard no_grad;
    const torch::Tensor x =
        torch::from_blob(const_cast<float*>(xyz), {n, 3}, torch::kFloat32).to(device);
    const torch::Tensor latent = z.defined() ? z.expand({n, -1}) : torch::Tensor();
    torch::Tensor f = decoder.forward(latent, x);
    if (to_sdf) f = to_sdf(f);
    f = f.to(torch::kCPU, torch::kFloat32).contiguous();
    std::memcpy(out, f.data_ptr<float>(), sizeof(float) * static_cast<size_t>(n));
  };
}

}  // namespace nsdf::models
