#include "models/EncodedInputDecoder.h"

#include "core/Error.h"

namespace nsdf::models {

EncodedInputDecoder::EncodedInputDecoder(const FourierOptions& fourier, const ModelContext& context)
    : latent_size_(context.latent_size), encoding_(fourier.make_encoding()) {
  if (encoding_) register_module("encoding", encoding_);
  input_size_ = latent_size_ + (encoding_ ? encoding_->output_size() : 3);
}

torch::Tensor EncodedInputDecoder::encode_xyz(const torch::Tensor& xyz) {
  return encoding_ ? encoding_->forward(xyz) : xyz;
}

torch::Tensor EncodedInputDecoder::encode(const torch::Tensor& latent, const torch::Tensor& xyz) {
  const torch::Tensor x = encode_xyz(xyz);
  return latent_size_ > 0 ? torch::cat({latent, x}, 1) : x;
}

int64_t EncodedInputDecoder::width_before_reinjection(const std::vector<int64_t>& dims,
                                                      size_t layer) const {
  const int64_t width = dims[layer] - input_size_;
  NSDF_CHECK(width > 0, core::ConfigError,
             "model.dims: layer {} has width {} but must exceed the input size {} because "
             "the input is re-injected after it",
             layer, dims[layer], input_size_);
  return width;
}

}  // namespace nsdf::models
