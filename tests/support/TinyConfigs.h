#pragma once
// A `train` config small enough for a second on one thread (4 shapes, a 3 x 32 decoder).

namespace nsdf::test {

inline constexpr const char* kTinyTrainConfig =
    R"(experiment: {type: train, epochs: 30, shapes_per_batch: 2,
             samples_per_shape: 256, checkpoint_every: 10}
data: {type: synthetic, shapes: 4, samples: 4000, test_samples: 500}
model: {type: deepsdf, dims: [32, 32, 32], latent_in: [2], dropout: 0.1}
latent: {type: table, size: 8, init_std: 0.01}
loss: {type: clamped_l1}
optimizer: {type: adam, lr: 0.003, latent_lr: 0.003}
schedule: {type: step, every: 20, factor: 0.5}
eval: [{type: sdf_error}]
device: cpu
num_threads: 1
)";

}  // namespace nsdf::test
