#pragma once
// Data-parallel training on a distributed::Group: every rank holds the whole decoder and the
// whole latent code table, computes the loss of its part of each global batch, and the ranks
// average their gradients before every optimizer step, so that each rank takes the step that a
// single process would take on the whole batch (the same global batch and seed give the same
// decoder and codes, up to float rounding).
//
// - broadcast_state(): rank 0's parameters and codes to every rank (after init or resume).
// - average_gradients(): the decoder's gradients, flattened into buckets of at most bucket_mb
//   MB, summed by one all-reduce per bucket (all issued, then waited for) and divided by the
//   number of ranks.
// - Latent codes (`codes`): a step's loss touches only the codes of its batch's shapes, and
//   every rank knows the whole global batch (batches are a pure function of seed, epoch and
//   index). `rows` (default) all-reduces only those rows of the code gradient (shapes_per_batch
//   x code size floats per step); `table` all-reduces the whole table's gradient like any
//   parameter (num_shapes x code size). Both give the same codes on every rank: the optimizer
//   (dense Adam, as DeepSDF's) then applies the same update everywhere, including the momentum
//   of codes outside the batch. Sharding the table by shape (each rank owning its shapes' codes
//   and their optimizer state) would save memory, not traffic, and would tie a shape to a rank,
//   so that a batch's split, and with it the result, would depend on the number of ranks.
// - average(): logged sums (loss terms) averaged over ranks.
//
// The time spent in these calls is counted (communication_seconds) for the run's log.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/Options.h"
#include "distributed/Group.h"

namespace nsdf::distributed {

struct DataParallelOptions {
  double bucket_mb = 25;        ///< gradient bucket size (PyTorch DDP's default)
  std::string codes = "rows";   ///< rows | table
  double timeout_s = 600;       ///< a collective or the rendezvous waiting longer fails

  static void declare(core::OptionSet<DataParallelOptions>& s);
};

class DataParallel {
 public:
  /// `parameters`: the decoder's trainable tensors; `codes` (optional): the latent table.
  DataParallel(std::shared_ptr<Group> group, std::vector<torch::Tensor> parameters,
               torch::Tensor codes, const DataParallelOptions& options);

  Group& group() { return *group_; }
  int rank() const { return group_->rank(); }
  int size() const { return group_->size(); }

  void broadcast_state();
  /// The dataset indices of the current global batch (`rows` mode all-reduces these rows).
  void set_code_rows(const std::vector<int64_t>& rows);
  void average_gradients();
  /// The mean over ranks of each tensor (a copy; one all-reduce for all of them).
  std::vector<torch::Tensor> average(const std::vector<torch::Tensor>& values);

  double communication_seconds() const { return seconds_; }
  /// Floats all-reduced per optimizer step (the last step's).
  int64_t floats_per_step() const { return floats_per_step_; }
  int64_t buckets() const { return static_cast<int64_t>(buckets_.size()); }
  /// "2 ranks (env), c10d gloo on cpu, ...; gradients in 3 bucket(s) of <= 25 MB, latent
  /// codes: rows".
  std::string describe() const;

 private:
  std::shared_ptr<Group> group_;
  std::vector<torch::Tensor> params_;
  torch::Tensor codes_;
  DataParallelOptions options_;
  std::vector<std::vector<size_t>> buckets_;  // indices into params_
  torch::Tensor rows_;                        // int64 indices of the batch's codes
  double seconds_ = 0;
  int64_t floats_per_step_ = 0;
};

}  // namespace nsdf::distributed
