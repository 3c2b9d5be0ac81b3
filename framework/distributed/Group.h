#pragma once
// The ranks of a data-parallel run, joined by PyTorch's c10d: a TCPStore at the master address
// (rank 0 serves it) for the rendezvous, and a process group for the collectives:
// ProcessGroupGloo for CPU tensors, ProcessGroupNCCL for CUDA tensors when nsdf is built with
// a CUDA LibTorch that has it. Every collective must be called by every rank in the same order.
//
// Errors do not hang: a rank that cannot reach the store, or a collective whose peer died or
// did not answer within the timeout, throws.

#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "distributed/World.h"

namespace nsdf::distributed {

class Group {
 public:
  /// Joins the world's other ranks (blocks until all have joined, at most `timeout`).
  /// `device`: where the collectives' tensors live (CPU: Gloo; CUDA: NCCL). Throws core::Error
  /// naming the master address when the rendezvous fails, and when no backend fits the device.
  static std::shared_ptr<Group> connect(const WorldInfo& world, torch::Device device,
                                        std::chrono::milliseconds timeout);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  const WorldInfo& world() const { return world_; }
  int rank() const { return world_.rank; }
  int size() const { return world_.size; }
  /// "gloo" or "nccl".
  const std::string& backend() const { return backend_; }
  torch::Device device() const { return device_; }

  /// Sums each tensor in place over all ranks. Issues one all-reduce per tensor, then waits for
  /// all of them (buckets travel while the next is started). Tensors: contiguous, on device().
  void allreduce_sum(const std::vector<torch::Tensor>& tensors);
  /// Copies rank `root`'s tensors into every rank's.
  void broadcast(const std::vector<torch::Tensor>& tensors, int root = 0);
  /// True on every rank when `flag` is true on any rank.
  bool any(bool flag);
  /// Every rank's `bytes`, in rank order, on rank 0; empty on the other ranks.
  std::vector<std::string> gather_to_root(const std::string& bytes);
  /// Rank 0's result of `compute` (called on rank 0 only), on every rank. When it throws on
  /// rank 0, every rank throws core::Error with its message.
  std::string agree(const std::function<std::string()>& compute);
  /// The collectives' backend, for the log: "gloo (tcp, 127.0.0.1)".
  std::string describe() const;

  struct Backend;  // the process group (Gloo or NCCL)

 private:
  Group() = default;
  std::string next_key(const std::string& what);

  WorldInfo world_;
  std::string backend_;
  torch::Device device_ = torch::kCPU;
  std::unique_ptr<Backend> impl_;
  int64_t calls_ = 0;  // store keys of agree / gather_to_root are numbered by call
};

/// True when this build can join ranks on `device`'s kind (Gloo for CPU, NCCL for CUDA).
bool backend_available(torch::Device device);

}  // namespace nsdf::distributed
