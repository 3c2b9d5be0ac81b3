#pragma once
// The one optimization loop of every experiment that trains a decoder or optimizes latent codes
// (fit, train, reconstruct, complete): learning-rate schedules per parameter group, the
// optimizer step (with optional gradient clipping), the metrics line, checkpoints that resume
// exactly, and progress. An experiment supplies what differs: the loss of one optimizer step.
//
// Time is counted in units (epochs for `train`, iterations otherwise), each made of
// steps_per_unit optimizer steps (train: the batches of an epoch). Schedules are functions of
// the unit. metrics.jsonl gets one line every log_every units: the step (units done, counted
// from the phase's step_offset), the loss and each term averaged over the optimizer steps since
// the last line, the learning rate of each group and the elapsed time. checkpoints/latest.pt is
// written every checkpoint_every units and at the end (decoder, codes, optimizer, RNG, step),
// and kept as <unit>_<step>.pt when keep_checkpoints; a run killed at any point and resumed
// continues as if it had not stopped.
//
// Data-parallel runs (state.parallel): after backward the ranks average their gradients
// (before clipping), metric lines average the ranks' sums, a stop signal on any rank stops all
// of them after the same unit, rank 0 writes the checkpoint with every rank's RNG state, and
// after resume() every rank holds rank 0's decoder and codes.
//
// Phases: an experiment that optimizes several groups one after another (reconstruct: chunks of
// shapes) runs one Trainer per group with step_offset = the steps of the groups before; a
// checkpoint belongs to the phase whose step range holds its step.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "distributed/DataParallel.h"
#include "experiments/Experiment.h"
#include "losses/Loss.h"
#include "models/Decoder.h"
#include "optim/Optimizer.h"
#include "optim/Schedule.h"

namespace nsdf::experiments {

/// The parts of a run a checkpoint holds: decoder, optimizer, RNG, step, and the latent codes of
/// a shape space (undefined for single shapes).
struct TrainingState {
  models::Decoder& decoder;
  optim::Optimizer& optimizer;
  torch::Tensor codes;
  bool save_decoder = true;  ///< false when the decoder is frozen (reconstruction)
  /// Other optimized tensors, checkpointed by name (completion: the similarity transforms).
  std::vector<std::pair<std::string, torch::Tensor>> extra = {};
  /// Data-parallel ranks (nullptr: a single process). The step function calls its
  /// set_code_rows() with the global batch's shapes.
  distributed::DataParallel* parallel = nullptr;
};

struct TrainerPlan {
  std::string label = "train";  ///< progress label
  std::string unit = "epoch";   ///< names checkpoint files (<unit>_<step>.pt) and progress
  int64_t units = 1;            ///< units of this phase
  int64_t steps_per_unit = 1;   ///< optimizer steps per unit
  int64_t step_offset = 0;      ///< global step of this phase's first unit
  int64_t log_every = 1;
  int64_t checkpoint_every = 1;
  bool keep_checkpoints = true;  ///< keep <unit>_<step>.pt every checkpoint_every units
  double grad_clip = 0;          ///< max L2 norm of the decoder's gradient (0: none)
  /// The loss is multiplied by this before backward (logged unscaled): reconstruction sums
  /// the per-shape means of K shapes so that each code gets its single-shape gradient.
  double loss_scale = 1;
  bool progress = true;
};

class Trainer {
 public:
  /// The loss of optimizer step `k` of `unit` (0-based, within this phase).
  using StepFn = std::function<losses::LossResult(int64_t unit, int64_t k)>;

  /// `latent_schedule` (optional) drives the "latent" group; `schedule` every other group (and
  /// the latent one when there is no latent_schedule).
  Trainer(const RunContext& ctx, TrainingState state, const optim::Schedule& schedule,
          const optim::Schedule* latent_schedule, TrainerPlan plan);

  /// With ctx.resume: restores checkpoints/latest.pt when its step lies in this phase and
  /// returns the unit to start from (drops the metrics logged after it); 0 otherwise.
  int64_t resume();
  /// Runs units [start, plan.units). Returns the mean loss of the last unit.
  double run(int64_t start, const StepFn& step);
  /// The checkpoint's step of a run folder (checkpoints/latest.pt), or -1 without one.
  static int64_t checkpoint_step(const core::RunDir& dir);

 private:
  int64_t restore();  // resume()'s checkpoint part
  void save(int64_t units_done) const;

  const RunContext& ctx_;
  TrainingState state_;
  const optim::Schedule& schedule_;
  const optim::Schedule* latent_schedule_;
  TrainerPlan plan_;
};

}  // namespace nsdf::experiments
