#include "distributed/DataParallel.h"

#include <chrono>

#include <fmt/format.h>

#include "core/Error.h"

namespace nsdf::distributed {

namespace {

class Timer {
 public:
  explicit Timer(double& total) : total_(total), t0_(std::chrono::steady_clock::now()) {}
  ~Timer() {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

 private:
  double& total_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace

void DataParallelOptions::declare(core::OptionSet<DataParallelOptions>& s) {
  using O = DataParallelOptions;
  s.add("bucket_mb", &O::bucket_mb,
        "gradients are all-reduced in flattened buckets of at most this many MB")
      .positive();
  s.add("codes", &O::codes,
        "latent code gradients: rows (only the current batch's codes) | table (the whole "
        "table)")
      .one_of({"rows", "table"});
  s.add("timeout_s", &O::timeout_s,
        "seconds a rank waits for the others (rendezvous, each collective) before failing")
      .positive();
}

DataParallel::DataParallel(std::shared_ptr<Group> group, std::vector<torch::Tensor> parameters,
                           torch::Tensor codes, const DataParallelOptions& options)
    : group_(std::move(group)), codes_(std::move(codes)), options_(options) {
  for (auto& p : parameters)
    if (p.requires_grad()) params_.push_back(p);
  if (codes_.defined() && options_.codes == "table") params_.push_back(codes_);
  // Buckets in parameter order, each of at most bucket_mb (a larger tensor gets its own).
  const auto limit = static_cast<int64_t>(options_.bucket_mb * 1024 * 1024);
  int64_t bytes = 0;
  for (size_t i = 0; i < params_.size(); ++i) {
    const int64_t b = params_[i].numel() * static_cast<int64_t>(params_[i].element_size());
    if (buckets_.empty() || (bytes + b > limit && bytes > 0)) {
      buckets_.emplace_back();
      bytes = 0;
    }
    buckets_.back().push_back(i);
    bytes += b;
  }
}

std::string DataParallel::describe() const {
  return fmt::format("{}; gradients in {} bucket(s) of <= {} MB, latent codes: {}",
                     group_->describe(), buckets_.size(), options_.bucket_mb,
                     codes_.defined() ? options_.codes : std::string("none"));
}

void DataParallel::broadcast_state() {
  Timer timer(seconds_);
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors = params_;
  if (codes_.defined() && options_.codes != "table") tensors.push_back(codes_);
  // In place on contiguous tensors (parameters are); a copy-back otherwise.
  std::vector<torch::Tensor> sent;
  for (const auto& t : tensors) sent.push_back(t.is_contiguous() ? t : t.contiguous());
  group_->broadcast(sent, 0);
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!sent[i].is_same(tensors[i])) tensors[i].copy_(sent[i]);
}

void DataParallel::set_code_rows(const std::vector<int64_t>& rows) {
  rows_ = torch::tensor(rows, torch::kLong).to(codes_.defined() ? codes_.device() : torch::kCPU);
}

void DataParallel::average_gradients() {
  Timer timer(seconds_);
  torch::NoGradGuard no_grad;
  const double scale = 1.0 / group_->size();
  std::vector<torch::Tensor> flat;
  flat.reserve(buckets_.size() + 1);
  for (const auto& bucket : buckets_) {
    std::vector<torch::Tensor> grads;
    for (size_t i : bucket) {
      torch::Tensor& p = params_[i];
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      grads.push_back(p.grad().reshape({-1}));
    }
    flat.push_back(grads.size() == 1 ? grads[0].clone() : torch::cat(grads));
  }
  torch::Tensor code_rows;
  if (codes_.defined() && options_.codes == "rows") {
    NSDF_ASSERT(rows_.defined(), "data-parallel: set_code_rows() before average_gradients()");
    if (!codes_.grad().defined()) codes_.mutable_grad() = torch::zeros_like(codes_);
    code_rows = codes_.grad().index_select(0, rows_);
    flat.push_back(code_rows);
  }
  floats_per_step_ = 0;
  for (const auto& f : flat) floats_per_step_ += f.numel();
  group_->allreduce_sum(flat);
  for (size_t b = 0; b < buckets_.size(); ++b) {
    int64_t offset = 0;
    for (size_t i : buckets_[b]) {
      torch::Tensor g = params_[i].grad();
      const int64_t n = g.numel();
      g.copy_(flat[b].narrow(0, offset, n).view_as(g)).mul_(scale);
      offset += n;
    }
  }
  if (code_rows.defined()) codes_.grad().index_copy_(0, rows_, flat.back().mul_(scale));
}

std::vector<torch::Tensor> DataParallel::average(const std::vector<torch::Tensor>& values) {
  Timer timer(seconds_);
  if (values.empty()) return {};
  std::vector<torch::Tensor> flat;
  for (const auto& v : values)
    flat.push_back(v.detach().to(group_->device(), torch::kFloat64).reshape({-1}));
  torch::Tensor all = torch::cat(flat);
  group_->allreduce_sum({all});
  all.div_(group_->size());
  std::vector<torch::Tensor> out;
  int64_t offset = 0;
  for (const auto& v : values) {
    out.push_back(all.narrow(0, offset, v.numel()).view(v.sizes()).to(v.options()));
    offset += v.numel();
  }
  return out;
}

}  // namespace nsdf::distributed
