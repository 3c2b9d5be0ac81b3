#include "data/BatchLoader.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Strings.h"
#include "geometry/CounterRng.h"

namespace nsdf::data {

namespace {

using geometry::CounterRng;
using geometry::splitmix64_mix;

constexpr uint64_t kOrderStream = 0x6f72646572ULL;  // "order"
constexpr uint64_t kRowStream = 0x726f7773ULL;      // "rows"

uint64_t stream_key(uint64_t seed, uint64_t stream, int64_t epoch, int64_t shape = -1) {
  uint64_t k = splitmix64_mix(seed + CounterRng::kGamma * (stream + 1));
  k = splitmix64_mix(k + CounterRng::kGamma * static_cast<uint64_t>(epoch + 1));
  return splitmix64_mix(k + CounterRng::kGamma * static_cast<uint64_t>(shape + 2));
}

/// Uniform integer in [0, n) from 64 random bits (multiply-shift: no modulo bias to speak of for
/// n << 2^32, and the same on every platform).
int64_t below(uint64_t bits, int64_t n) {
  return static_cast<int64_t>((static_cast<unsigned __int128>(bits) * static_cast<uint64_t>(n)) >>
                              64);
}

void copy_row(const float* src, int64_t row, int64_t stride, float* xyz, float* sdf) {
  const float* r = src + row * stride;
  xyz[0] = r[0], xyz[1] = r[1], xyz[2] = r[2];
  if (sdf) *sdf = r[3];
}

int threads_of(const LoadingOptions& o) {
  return o.load_threads > 0 ? static_cast<int>(o.load_threads)
                            : tbb::this_task_arena::max_concurrency();
}

}  // namespace

torch::Tensor Batch::shape_tensor() const {
  return torch::tensor(shapes, torch::kLong);
}

void draw_rows(const ShapeData& data, SampleKind kind, int64_t n, uint64_t key, float* xyz,
               float* sdf, float* normals) {
  const CounterRng rng(key);
  if (kind == SampleKind::Sdf) {
    const int64_t p = data.pos.defined() ? data.pos.size(0) : 0;
    const int64_t q = data.neg.defined() ? data.neg.size(0) : 0;
    NSDF_CHECK(p + q > 0, core::DataError, "a shape has no SDF samples");
    int64_t from_pos = p == 0 ? 0 : q == 0 ? n : n / 2;
    const float* pos = p ? data.pos.data_ptr<float>() : nullptr;
    const float* neg = q ? data.neg.data_ptr<float>() : nullptr;
    for (int64_t i = 0; i < n; ++i) {
      const bool positive = i < from_pos;
      const int64_t row = below(rng.bits(static_cast<uint64_t>(i)), positive ? p : q);
      copy_row(positive ? pos : neg, row, 4, xyz + 3 * i, sdf ? sdf + i : nullptr);
    }
    return;
  }
  const int64_t m = data.points.size(0);
  NSDF_CHECK(m > 0, core::DataError, "a shape has no surface points");
  const float* points = data.points.data_ptr<float>();
  const float* nrm = data.normals.defined() ? data.normals.data_ptr<float>() : nullptr;
  auto put = [&](int64_t i, int64_t row) {
    copy_row(points, row, 3, xyz + 3 * i, nullptr);
    if (normals && nrm) copy_row(nrm, row, 3, normals + 3 * i, nullptr);
  };
  if (n > m) {  // with replacement
    for (int64_t i = 0; i < n; ++i) put(i, below(rng.bits(static_cast<uint64_t>(i)), m));
    return;
  }
  // Without replacement: the first n steps of a Fisher-Yates shuffle of 0..m-1.
  std::vector<int32_t> index(static_cast<size_t>(m));
  std::iota(index.begin(), index.end(), 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = i + below(rng.bits(static_cast<uint64_t>(i)), m - i);
    std::swap(index[i], index[j]);
    put(i, index[i]);
  }
}

BatchLoader::BatchLoader(std::shared_ptr<const ShapeDataset> dataset, BatchPlan plan)
    : dataset_(std::move(dataset)), plan_(std::move(plan)), loading_(dataset_->loading()) {
  if (plan_.shapes.empty()) {
    plan_.shapes.resize(static_cast<size_t>(dataset_->size()));
    std::iota(plan_.shapes.begin(), plan_.shapes.end(), 0);
  }
  NSDF_CHECK(!plan_.shapes.empty(), core::DataError, "the dataset has no shapes");
  NSDF_ASSERT(plan_.shapes_per_batch > 0 && plan_.samples_per_shape > 0, "empty batches");
  NSDF_ASSERT(plan_.parts > 0 && plan_.part >= 0 && plan_.part < plan_.parts, "part {} of {}",
              plan_.part, plan_.parts);
  for (const int64_t i : plan_.shapes) {
    NSDF_ASSERT(i >= 0 && i < dataset_->size(), "shape {} of {}", i, dataset_->size());
    total_bytes_ += dataset_->bytes(i);
  }
  const int64_t budget = loading_.ram_budget_mb * (int64_t{1} << 20);
  streaming_ = total_bytes_ > budget;
  const auto t0 = std::chrono::steady_clock::now();
  if (!streaming_) {
    in_ram_.resize(static_cast<size_t>(dataset_->size()));
    tbb::task_arena arena(threads_of(loading_));
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, plan_.shapes.size(), [&](size_t k) {
        const int64_t i = plan_.shapes[k];
        in_ram_[static_cast<size_t>(i)] = dataset_->load(i);
      });
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (seconds > 1) {
      core::log::info("data: {} shapes ({}) read into RAM in {:.1f} s", plan_.shapes.size(),
                      core::format_bytes(total_bytes_), seconds);
    }
  } else {
    core::log::info(
        "data: {} shapes ({}) exceed ram_budget_mb = {}: streaming, {} batches read ahead",
        plan_.shapes.size(), core::format_bytes(total_bytes_), loading_.ram_budget_mb,
        loading_.prefetch);
    thread_ = std::thread([this] { worker(); });
  }
}

BatchLoader::~BatchLoader() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
}

int64_t BatchLoader::batches_per_epoch() const {
  const auto n = static_cast<int64_t>(plan_.shapes.size());
  return (n + plan_.shapes_per_batch - 1) / plan_.shapes_per_batch;
}

std::vector<int64_t> BatchLoader::batch_shapes(int64_t epoch, int64_t b) const {
  NSDF_ASSERT(b >= 0 && b < batches_per_epoch(), "batch {} of {}", b, batches_per_epoch());
  const auto n = static_cast<int64_t>(plan_.shapes.size());
  const int64_t begin = b * plan_.shapes_per_batch;
  const int64_t end = std::min(n, begin + plan_.shapes_per_batch);
  if (!plan_.shuffle)
    return std::vector<int64_t>(plan_.shapes.begin() + begin, plan_.shapes.begin() + end);
  // The epoch's order: a Fisher-Yates shuffle from the (seed, epoch) stream, computed up to the
  // batch's end (positions before `end` are final once the loop has passed them).
  std::vector<int64_t> order = plan_.shapes;
  const CounterRng rng(stream_key(plan_.seed, kOrderStream, epoch));
  for (int64_t i = 0; i < end; ++i) {
    const int64_t j = i + below(rng.bits(static_cast<uint64_t>(i)), n - i);
    std::swap(order[i], order[j]);
  }
  return std::vector<int64_t>(order.begin() + begin, order.begin() + end);
}

std::vector<int64_t> BatchLoader::part_shapes(int64_t epoch, int64_t b, double* weight) const {
  std::vector<int64_t> all = batch_shapes(epoch, b);
  if (weight) *weight = 1;
  if (plan_.parts == 1) return all;
  const auto k = static_cast<int64_t>(all.size());
  const int64_t begin = plan_.part * k / plan_.parts;
  const int64_t end = (plan_.part + 1) * k / plan_.parts;
  if (begin == end) {
    if (weight) *weight = 0;
    return {all.front()};
  }
  if (weight) *weight = static_cast<double>(plan_.parts * (end - begin)) / static_cast<double>(k);
  return std::vector<int64_t>(all.begin() + begin, all.begin() + end);
}

Batch BatchLoader::assemble(int64_t epoch, Batch batch, const std::vector<ShapeData>& data) const {
  batch.samples_per_shape = plan_.samples_per_shape;
  const auto k = static_cast<int64_t>(batch.shapes.size());
  const int64_t n = plan_.samples_per_shape;
  const SampleKind kind = dataset_->kind();
  batch.xyz = torch::empty({k * n, 3}, torch::kFloat32);
  if (kind == SampleKind::Sdf) batch.sdf = torch::empty({k * n, 1}, torch::kFloat32);
  bool with_normals = kind == SampleKind::OrientedPoints;
  for (int64_t s = 0; s < k && with_normals; ++s)
    with_normals = data[static_cast<size_t>(s)].normals.defined();
  if (with_normals) batch.normals = torch::empty({k * n, 3}, torch::kFloat32);
  float* xyz = batch.xyz.data_ptr<float>();
  float* sdf = batch.sdf.defined() ? batch.sdf.data_ptr<float>() : nullptr;
  float* normals = with_normals ? batch.normals.data_ptr<float>() : nullptr;
  tbb::parallel_for(int64_t{0}, k, [&](int64_t s) {
    const int64_t shape = batch.shapes[static_cast<size_t>(s)];
    try {
      draw_rows(data[static_cast<size_t>(s)], kind, n,
                stream_key(plan_.seed, kRowStream, epoch, shape), xyz + 3 * s * n,
                sdf ? sdf + s * n : nullptr, normals ? normals + 3 * s * n : nullptr);
    } catch (const core::DataError& e) {
      throw core::DataError(
          fmt::format("shape '{}': {}", dataset_->shape_id(shape), e.what()));
    }
  });
  return batch;
}

Batch BatchLoader::read_and_assemble(int64_t epoch, int64_t b) const {
  Batch batch;
  batch.shapes = part_shapes(epoch, b, &batch.weight);
  const std::vector<int64_t>& shapes = batch.shapes;
  std::vector<ShapeData> data(shapes.size());
  if (!streaming_) {
    for (size_t s = 0; s < shapes.size(); ++s) data[s] = in_ram_[static_cast<size_t>(shapes[s])];
  } else {
    tbb::task_arena arena(threads_of(loading_));
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, shapes.size(),
                        [&](size_t s) { data[s] = dataset_->load(shapes[s]); });
    });
  }
  return assemble(epoch, std::move(batch), data);
}

BatchLoader::Key BatchLoader::next(Key k) const {
  return k.second + 1 < batches_per_epoch() ? Key{k.first, k.second + 1} : Key{k.first + 1, 0};
}

Batch BatchLoader::get(int64_t epoch, int64_t b) {
  if (!streaming_) return read_and_assemble(epoch, b);
  const Key key{epoch, b};
  std::unique_lock<std::mutex> lock(mutex_);
  // Forget read-ahead that will not be asked for (the caller jumped elsewhere).
  for (auto it = slots_.begin(); it != slots_.end();)
    it = it->first < key ? slots_.erase(it) : std::next(it);
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const Key& k) { return k < key; }),
               queue_.end());
  Key k = key;
  for (int64_t i = 0; i <= loading_.prefetch; ++i, k = next(k)) {
    if (!slots_.count(k)) {
      slots_[k];
      queue_.push_back(k);
    }
  }
  cv_.notify_all();
  const auto t0 = std::chrono::steady_clock::now();
  cv_.wait(lock, [&] { return slots_[key].done; });
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Slot slot = std::move(slots_[key]);
  slots_.erase(key);
  if (slot.error) std::rethrow_exception(slot.error);
  return std::move(slot.batch);
}

void BatchLoader::worker() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    const Key key = queue_.front();
    queue_.erase(queue_.begin());
    lock.unlock();
    Slot result;
    try {
      result.batch = read_and_assemble(key.first, key.second);
    } catch (...) {
      result.error = std::current_exception();
    }
    result.done = true;
    lock.lock();
    auto it = slots_.find(key);
    if (it != slots_.end()) it->second = std::move(result);  // else: no longer wanted
    cv_.notify_all();
  }
}

}  // namespace nsdf::data
