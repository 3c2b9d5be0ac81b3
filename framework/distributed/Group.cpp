#include "distributed/Group.h"

#include <fmt/format.h>

#include "core/Error.h"
#include "core/Signals.h"

// Gloo's headers come with Debian's libgloo-dev (tools/setup.sh) and with some LibTorch
// distributions; ProcessGroupGloo itself is compiled into libtorch_cpu.
#if __has_include(<gloo/algorithm.h>) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>)
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#define NSDF_HAS_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#else
#define NSDF_HAS_GLOO 0
#endif
// NCCL: only when CMake found a CUDA LibTorch and nccl.h (it defines NSDF_WITH_NCCL).
#if defined(NSDF_WITH_NCCL) && __has_include(<nccl.h>) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#define NSDF_HAS_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#else
#define NSDF_HAS_NCCL 0
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace nsdf::distributed {

struct Group::Backend {
  virtual ~Backend() = default;
  virtual void allreduce_sum(const std::vector<torch::Tensor>& tensors) = 0;
  virtual void broadcast(const std::vector<torch::Tensor>& tensors, int root) = 0;
  c10::intrusive_ptr<c10d::Store> store;
};

namespace {

// The same calls on ProcessGroupGloo and ProcessGroupNCCL (their base class differs between
// LibTorch versions: ProcessGroup in 1.13, Backend in 2.x).
template <class PG>
struct Collectives : Group::Backend {
  c10::intrusive_ptr<PG> pg;

  void allreduce_sum(const std::vector<torch::Tensor>& tensors) override {
    each(tensors, [&](std::vector<at::Tensor>& one) {
      c10d::AllreduceOptions o;
      o.reduceOp = c10d::ReduceOp::SUM;
      return pg->allreduce(one, o);
    });
  }

  void broadcast(const std::vector<torch::Tensor>& tensors, int root) override {
    each(tensors, [&](std::vector<at::Tensor>& one) {
      c10d::BroadcastOptions o;
      o.rootRank = root;
      return pg->broadcast(one, o);
    });
  }

  // Issues one collective per tensor, then waits for all of them. One tensor per call: a vector
  // of several means one tensor per device to c10d.
  template <class Issue>
  static void each(const std::vector<torch::Tensor>& tensors, Issue issue) {
    std::vector<std::vector<at::Tensor>> args(tensors.size());
    std::vector<decltype(issue(args.front()))> works;
    for (size_t i = 0; i < tensors.size(); ++i) {
      args[i] = {tensors[i]};
      works.push_back(issue(args[i]));
    }
    for (auto& w : works) w->wait();
  }
};

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

std::vector<uint8_t> to_bytes(const std::string& s) { return {s.begin(), s.end()}; }
std::string from_bytes(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

}  // namespace

bool backend_available(torch::Device device) {
  return device.is_cuda() ? NSDF_HAS_NCCL != 0 : NSDF_HAS_GLOO != 0;
}

Group::~Group() = default;

std::shared_ptr<Group> Group::connect(const WorldInfo& world, torch::Device device,
                                      std::chrono::milliseconds timeout) {
  std::shared_ptr<Group> g(new Group());
  g->world_ = world;
  g->device_ = device;
  g->backend_ = device.is_cuda() ? "nccl" : "gloo";
  NSDF_CHECK(backend_available(device), core::UsageError,
             "data-parallel run on {}: this nsdf was built without {} (a LibTorch with c10d {} "
             "and its headers is needed{})",
             device.str(), g->backend_, g->backend_,
             device.is_cuda() ? "" : "; tools/setup.sh installs libgloo-dev");
  // c10d's threads start here and inherit the blocked stop signals: only the main thread takes
  // them (and c10d's polls are not interrupted).
  const core::DeferStopSignals defer;
  auto fail = [&](const std::string& what, const std::exception& e) {
    std::string why = e.what();
    if (const auto* ce = dynamic_cast<const c10::Error*>(&e)) why = ce->what_without_backtrace();
    return core::IoError(fmt::format("data-parallel {} at {}:{} failed for {} (timeout {} s): {}",
                                     what, world.master_addr, world.master_port,
                                     world.describe(), timeout.count() / 1000, why));
  };
  c10::intrusive_ptr<c10d::Store> store;
  try {
    c10d::TCPStoreOptions o;
    o.port = static_cast<std::uint16_t>(world.master_port);
    o.isServer = world.rank == 0;
    o.numWorkers = static_cast<std::size_t>(world.size);
    o.waitWorkers = true;
    o.timeout = timeout;
    store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, o);
  } catch (const std::exception& e) {
    throw fail("rendezvous", e);
  }
  try {
    if (device.is_cuda()) {
#if NSDF_HAS_NCCL
      auto impl = std::make_unique<Collectives<c10d::ProcessGroupNCCL>>();
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = timeout;
      impl->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, world.rank, world.size, o);
      g->impl_ = std::move(impl);
#endif
    } else {
#if NSDF_HAS_GLOO
      auto impl = std::make_unique<Collectives<c10d::ProcessGroupGloo>>();
      auto o = c10d::ProcessGroupGloo::Options::create(timeout);
      // Loopback for a run on one machine; otherwise the interface GLOO_SOCKET_IFNAME names
      // (as PyTorch does) or the one this host's name resolves to.
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (ifname && *ifname)
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (is_loopback(world.master_addr))
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else
        o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      impl->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, world.rank, world.size, o);
      g->impl_ = std::move(impl);
#endif
    }
  } catch (const std::exception& e) {
    throw fail(g->backend_ + " process group", e);
  }
  NSDF_ASSERT(g->impl_, "no {} backend", g->backend_);
  g->impl_->store = store;
  return g;
}

std::string Group::describe() const {
  return fmt::format("{} ranks ({}), c10d {} on {}, master {}:{}", world_.size, world_.source,
                     backend_, device_.str(), world_.master_addr, world_.master_port);
}

void Group::allreduce_sum(const std::vector<torch::Tensor>& tensors) {
  const core::DeferStopSignals defer;
  impl_->allreduce_sum(tensors);
}

void Group::broadcast(const std::vector<torch::Tensor>& tensors, int root) {
  const core::DeferStopSignals defer;
  impl_->broadcast(tensors, root);
}

bool Group::any(bool flag) {
  torch::Tensor t = torch::full({1}, flag ? 1.0f : 0.0f, torch::TensorOptions().device(device_));
  allreduce_sum({t});
  return t.item<float>() > 0;
}

std::string Group::next_key(const std::string& what) {
  return fmt::format("nsdf/{}/{}", what, calls_++);
}

std::vector<std::string> Group::gather_to_root(const std::string& bytes) {
  const core::DeferStopSignals defer;
  const std::string key = next_key("gather");
  std::vector<std::string> out;
  if (rank() != 0) {
    impl_->store->set(fmt::format("{}/{}", key, rank()), to_bytes(bytes));
    return out;
  }
  out.push_back(bytes);
  for (int r = 1; r < size(); ++r) {
    const std::string k = fmt::format("{}/{}", key, r);
    out.push_back(from_bytes(impl_->store->get(k)));
    impl_->store->deleteKey(k);
  }
  return out;
}

std::string Group::agree(const std::function<std::string()>& compute) {
  const std::string key = next_key("agree");
  if (rank() == 0) {
    // compute() runs with the signals as they are; the store call below is guarded.
    std::string value;
    try {
      value = compute();
    } catch (const std::exception& e) {
      const core::DeferStopSignals defer;
      impl_->store->set(key, to_bytes("!" + std::string(e.what())));
      throw;
    }
    const core::DeferStopSignals defer;
    impl_->store->set(key, to_bytes("=" + value));
    return value;
  }
  const core::DeferStopSignals defer;
  const std::string got = from_bytes(impl_->store->get(key));
  if (!got.empty() && got[0] == '!')
    throw core::Error(fmt::format("rank 0: {}", got.substr(1)));
  return got.substr(1);
}

}  // namespace nsdf::distributed
