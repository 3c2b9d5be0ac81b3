#pragma once
// Batches for shape spaces (DeepSDF's batching): each epoch visits the plan's shapes in a
// random order (or in order, for reconstruction), shapes_per_batch at a time, with
// samples_per_shape rows of each shape:
//   Sdf:            half from the shape's sdf >= 0 rows, half from its sdf < 0 rows, drawn with
//                   replacement (DeepSDF's balanced sampling; all from one side when the other
//                   is empty);
//   OrientedPoints: surface points and normals drawn without replacement (IGR), with
//                   replacement when the shape has fewer points than asked.
//
// A batch is a pure function of (seed, epoch, batch index): the order comes from a
// counter-based generator keyed by (seed, epoch) and each shape's rows from one keyed by
// (seed, epoch, shape), so a resumed run sees the same batches, a shape gets the same rows
// whichever shapes share its batch (batched reconstruction equals single ones), and streaming
// gives exactly what holding the data in RAM gives.
//
// Holding: when the dataset's shapes fit its ram_budget_mb they are all read once, in parallel,
// at construction; otherwise they are streamed: a background thread reads the shapes of the
// next `prefetch` batches (load_threads in parallel) and assembles those batches while the
// caller trains on the current one. wait_seconds() says how long the caller waited on reads.

#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "data/Dataset.h"

namespace nsdf::data {

struct BatchPlan {
  std::vector<int64_t> shapes;  ///< dataset indices an epoch visits (all of them: empty)
  int64_t shapes_per_batch = 1;
  int64_t samples_per_shape = 1;
  bool shuffle = true;  ///< a new random order each epoch; false: the plan's order
  uint64_t seed = 0;
  /// Data-parallel ranks: this loader assembles only part `part` of `parts` of each batch (a
  /// contiguous run of its shapes, sizes differing by at most one).
  int64_t part = 0;
  int64_t parts = 1;
};

struct Batch {
  std::vector<int64_t> shapes;  ///< dataset indices, in row-block order
  int64_t samples_per_shape = 0;
  torch::Tensor xyz;      ///< [K n, 3]
  torch::Tensor sdf;      ///< [K n, 1] (Sdf), undefined otherwise
  torch::Tensor normals;  ///< [K n, 3] (OrientedPoints with normals), undefined otherwise
  /// The factor on this part's mean loss that makes the mean over all parts of the weighted
  /// losses the whole batch's mean loss: parts x K_part / K_batch (1 without parts). 0 for a
  /// part that the batch leaves empty (fewer shapes than parts): it stands in with the batch's
  /// first shape so that every rank computes the same loss terms.
  double weight = 1;
  /// The dataset indices as a [K] int64 tensor (for latent lookups).
  torch::Tensor shape_tensor() const;
};

class BatchLoader {
 public:
  BatchLoader(std::shared_ptr<const ShapeDataset> dataset, BatchPlan plan);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  int64_t batches_per_epoch() const;
  /// The dataset indices of batch b of epoch e, in order.
  std::vector<int64_t> batch_shapes(int64_t epoch, int64_t b) const;
  /// The dataset indices of this loader's part of batch b of epoch e, and its weight (Batch).
  std::vector<int64_t> part_shapes(int64_t epoch, int64_t b, double* weight = nullptr) const;
  /// This loader's part of batch b of epoch e. Sequential calls are served from the read-ahead
  /// when streaming.
  Batch get(int64_t epoch, int64_t b);
  bool streaming() const { return streaming_; }
  /// Seconds get() spent waiting for shapes to be read (0 when held in RAM).
  double wait_seconds() const { return wait_seconds_; }
  /// Bytes of all shapes' data (as the dataset estimates it).
  int64_t total_bytes() const { return total_bytes_; }

 private:
  using Key = std::pair<int64_t, int64_t>;  // (epoch, batch)
  struct Slot {
    bool done = false;
    Batch batch;
    std::exception_ptr error;
  };
  /// Draws the rows of `batch`'s shapes (shapes and weight set) from their `data`.
  Batch assemble(int64_t epoch, Batch batch, const std::vector<ShapeData>& data) const;
  Batch read_and_assemble(int64_t epoch, int64_t b) const;
  Key next(Key k) const;
  void worker();

  std::shared_ptr<const ShapeDataset> dataset_;
  BatchPlan plan_;
  LoadingOptions loading_;
  bool streaming_ = false;
  int64_t total_bytes_ = 0;
  double wait_seconds_ = 0;
  std::vector<ShapeData> in_ram_;  // by dataset index, when held in RAM

  // Streaming: requested batches, assembled by worker_ in request order.
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<Key, Slot> slots_;
  std::vector<Key> queue_;
  bool stop_ = false;
  std::thread thread_;
};

/// Draws `n` training rows of one shape into xyz [n, 3] (and sdf [n, 1] / normals [n, 3] when
/// given) from the stream `key` (see above). Exposed for tests.
void draw_rows(const ShapeData& data, SampleKind kind, int64_t n, uint64_t key, float* xyz,
               float* sdf, float* normals);

}  // namespace nsdf::data
