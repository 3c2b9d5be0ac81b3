#include "experiments/Trainer.h"

#include <chrono>
#include <filesystem>

#include "core/Checkpoint.h"
#include "core/Json.h"
#include "core/Log.h"
#include "core/Progress.h"
#include "core/Signals.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLatest = "latest.pt";

fs::path latest_path(const core::RunDir& dir) { return dir.path() / "checkpoints" / kLatest; }

// The checkpoint key of a rank's generator state.
std::string rng_key(int rank) {
  return rank == 0 ? std::string("rng.torch") : fmt::format("rng.torch.rank{}", rank);
}

// A running sum of one logged quantity, kept on the device until a line is written (no host
// round trip per step).
struct Sum {
  std::string name;
  torch::Tensor value;
};

void accumulate(std::vector<Sum>& sums, const std::string& name, const torch::Tensor& v) {
  for (auto& s : sums) {
    if (s.name == name) {
      s.value = s.value + v.detach();
      return;
    }
  }
  sums.push_back({name, v.detach().clone()});
}

}  // namespace

Trainer::Trainer(const RunContext& ctx, TrainingState state, const optim::Schedule& schedule,
                 const optim::Schedule* latent_schedule, TrainerPlan plan)
    : ctx_(ctx),
      state_(state),
      schedule_(schedule),
      latent_schedule_(latent_schedule),
      plan_(std::move(plan)) {
  NSDF_ASSERT(plan_.units >= 0 && plan_.steps_per_unit > 0 && plan_.log_every > 0 &&
                  plan_.checkpoint_every > 0,
              "trainer plan: units {}, steps {}, log {}, checkpoint {}", plan_.units,
              plan_.steps_per_unit, plan_.log_every, plan_.checkpoint_every);
}

int64_t Trainer::checkpoint_step(const core::RunDir& dir) {
  const fs::path latest = latest_path(dir);
  if (!fs::exists(latest)) return -1;
  return core::Checkpoint::load(latest.string()).get("step").item<int64_t>();
}

int64_t Trainer::resume() {
  const int64_t start = ctx_.resume ? restore() : 0;
  // Every rank starts from rank 0's decoder and codes (initialized or restored).
  if (state_.parallel) state_.parallel->broadcast_state();
  return start;
}

int64_t Trainer::restore() {
  const fs::path latest = latest_path(ctx_.dir);
  int64_t start = 0;
  if (fs::exists(latest)) {
    const core::Checkpoint ck = core::Checkpoint::load(latest.string());
    const int64_t phase = ck.has("phase") ? ck.get("phase").item<int64_t>() : 0;
    const int64_t step = ck.get("step").item<int64_t>();
    if (phase == plan_.step_offset) {
      if (state_.save_decoder) ck.load_module("decoder", state_.decoder);
      if (state_.codes.defined()) {
        torch::NoGradGuard no_grad;
        const torch::Tensor codes = ck.get("latent.codes");
        NSDF_CHECK(codes.sizes() == state_.codes.sizes(), core::DataError,
                   "{}: latent codes have shape {} but this run has {} codes of size {}",
                   latest.string(), core::shape_string(codes), state_.codes.size(0),
                   state_.codes.size(1));
        state_.codes.copy_(codes);
      }
      for (const auto& [name, tensor] : state_.extra) {
        torch::NoGradGuard no_grad;
        const torch::Tensor saved = ck.get("extra." + name);
        NSDF_CHECK(saved.sizes() == tensor.sizes(), core::DataError,
                   "{}: '{}' has shape {} but this run has {}", latest.string(), name,
                   core::shape_string(saved), core::shape_string(tensor));
        tensor.copy_(saved);
      }
      ck.load_optimizer("optimizer", state_.optimizer.torch());
      const std::string rng = rng_key(state_.parallel ? state_.parallel->rank() : 0);
      if (ck.has(rng)) ck.load_rng(rng);
      start = step - plan_.step_offset;
      NSDF_CHECK(start >= 0 && start <= plan_.units, core::DataError,
                 "{}: step {} lies outside this run's {} {}s", latest.string(), step,
                 plan_.units, plan_.unit);
      core::log::info("resuming from {} at step {}", latest.string(), step);
    }
  } else if (plan_.step_offset == 0) {
    core::log::info("no checkpoint in {}: starting from the beginning",
                    latest.parent_path().string());
  }
  ctx_.dir.truncate_metrics_after(plan_.step_offset + start);
  return start;
}

void Trainer::save(int64_t units_done) const {
  // Every rank's generator state (dropout masks differ between ranks), gathered on rank 0.
  std::vector<std::string> rngs;
  if (state_.parallel) {
    const torch::Tensor mine = core::Checkpoint::rng_state().contiguous();
    rngs = state_.parallel->group().gather_to_root(
        std::string(reinterpret_cast<const char*>(mine.data_ptr()),
                    static_cast<size_t>(mine.numel())));
  }
  if (!ctx_.dir.is_writer()) return;
  core::Checkpoint ck;
  if (state_.save_decoder) ck.put_module("decoder", state_.decoder);
  if (state_.codes.defined()) ck.put("latent.codes", state_.codes);
  for (const auto& [name, tensor] : state_.extra) ck.put("extra." + name, tensor);
  ck.put_optimizer("optimizer", state_.optimizer.torch());
  ck.put_rng(rng_key(0));
  for (size_t r = 1; r < rngs.size(); ++r)
    ck.put(rng_key(static_cast<int>(r)),
           torch::from_blob(rngs[r].data(), {static_cast<int64_t>(rngs[r].size())}, torch::kUInt8)
               .clone());
  const int64_t step = plan_.step_offset + units_done;
  ck.put("step", torch::tensor(step, torch::kInt64));
  if (plan_.step_offset != 0) ck.put("phase", torch::tensor(plan_.step_offset, torch::kInt64));
  const fs::path folder = ctx_.dir.subdir("checkpoints");
  ck.save((folder / kLatest).string());
  if (plan_.keep_checkpoints && units_done % plan_.checkpoint_every == 0)
    ck.save((folder / fmt::format("{}_{:06d}.pt", plan_.unit, step)).string());
}

double Trainer::run(int64_t start, const StepFn& step) {
  std::vector<torch::Tensor> clipped;
  if (plan_.grad_clip > 0)
    for (const auto& p : state_.decoder.parameters())
      if (p.requires_grad()) clipped.push_back(p);
  const bool two_groups =
      state_.optimizer.has_group("latent") && state_.optimizer.has_group("decoder");

  core::Progress progress(plan_.label, plan_.units, start, plan_.unit + "s");
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Sum> sums;  // since the last metrics line
  int64_t summed = 0;
  torch::Tensor unit_loss;
  double last_loss = 0;
  std::string status;
  distributed::DataParallel* parallel = state_.parallel;
  if (parallel) core::log::info("data-parallel: {}", parallel->describe());
  const double comm0 = parallel ? parallel->communication_seconds() : 0;
  for (int64_t u = start; u < plan_.units; ++u) {
    state_.optimizer.set_lr_factor(schedule_.factor(u));
    if (latent_schedule_) state_.optimizer.set_lr_factor("latent", latent_schedule_->factor(u));
    unit_loss = torch::Tensor();
    for (int64_t k = 0; k < plan_.steps_per_unit; ++k) {
      state_.optimizer.zero_grad();
      const losses::LossResult result = step(u, k);
      (plan_.loss_scale == 1 ? result.total : result.total * plan_.loss_scale).backward();
      if (parallel) parallel->average_gradients();
      if (!clipped.empty()) torch::nn::utils::clip_grad_norm_(clipped, plan_.grad_clip);
      state_.optimizer.step();
      accumulate(sums, "loss", result.total);
      for (const auto& [name, value] : result.terms) accumulate(sums, name, value);
      unit_loss = unit_loss.defined() ? unit_loss + result.total.detach()
                                      : result.total.detach().clone();
      ++summed;
    }
    const int64_t done = u + 1;
    const int64_t global = plan_.step_offset + done;
    if (done % plan_.log_every == 0 || done == plan_.units) {
      if (parallel) {  // the ranks' means (every rank logs the same terms in the same order)
        std::vector<torch::Tensor> values;
        for (const auto& s : sums) values.push_back(s.value);
        values.push_back(unit_loss);
        values = parallel->average(values);
        for (size_t i = 0; i < sums.size(); ++i) sums[i].value = values[i];
        unit_loss = values.back();
      }
      core::JsonObject line;
      line.add("step", global);
      if (plan_.unit == "epoch") line.add("epoch", global);
      for (const auto& s : sums) line.add(s.name, s.value.item<double>() / summed);
      line.add("lr", state_.optimizer.lr(size_t{0}));
      if (two_groups) line.add("lr_latent", state_.optimizer.lr("latent"));
      line.add("time",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      ctx_.dir.append_metrics(line.str());
      sums.clear();
      summed = 0;
      last_loss = unit_loss.item<double>() / plan_.steps_per_unit;
      status = fmt::format("loss {:.5f}", last_loss);
    }
    // A signal may reach only some ranks: all stop after the same unit.
    const bool stop = parallel ? parallel->group().any(core::stop_requested())
                               : core::stop_requested();
    if (done % plan_.checkpoint_every == 0 || done == plan_.units || stop) save(done);
    if (plan_.progress) progress.update(done, status);
    if (stop) {
      const std::string why = fmt::format(
          "stopped by {} after {} {} (checkpoint at step {} in {})",
          core::stop_requested() ? core::signal_name(core::stop_signal())
                                 : std::string("a signal to another rank"),
          plan_.unit, plan_.step_offset + done,
          plan_.step_offset + done, ctx_.dir.path().string());
      core::log::warn("{}", why);
      throw core::Stopped(why);
    }
  }
  if (parallel && plan_.units > start) {
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double comm = parallel->communication_seconds() - comm0;
    core::log::info(
        "data-parallel: communication {:.2f} s of {:.2f} s ({:.1f}%), {} floats all-reduced per "
        "step",
        comm, total, 100.0 * comm / std::max(total, 1e-9), parallel->floats_per_step());
  }
  if (plan_.progress) progress.finish(fmt::format("loss {:.6f}", last_loss));
  return last_loss;
}

}  // namespace nsdf::experiments
