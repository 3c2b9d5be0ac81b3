#pragma once
// relu(x) followed by inverted dropout, in one pass over memory: y = x * scale where x > 0 and
// the element is kept (probability 1 - p, scale = 1 / (1 - p)), else 0; the backward pass is
// grad * scale on the same elements. Why: on a CPU, torch's dropout draws its mask with
// bernoulli_ one element at a time under the generator's lock (a third of a DeepSDF training
// step; tools/bench/DEEPSDF_PYTHON.md), and relu + mask + multiply are three passes over tensors
// of 80k x 512 floats. Here the mask comes from a counter-based generator (geometry/CounterRng),
// drawn in parallel chunks, keyed by one 63-bit seed taken from torch's default generator per
// call: results do not depend on the thread count, and a checkpoint of torch's generator state
// resumes the same masks. The mask is saved as one byte per element.
//
// Off the CPU (CUDA tensors) it is torch::dropout(torch::relu(x)); with p = 0 or outside
// training, torch::relu(x).

#include <torch/torch.h>

namespace nsdf::models {

/// @param[in] x any shape, float32
/// @param[in] p drop probability in [0, 1)
/// @param[in] training dropout only in training
torch::Tensor relu_dropout(const torch::Tensor& x, double p, bool training);

}  // namespace nsdf::models
