#pragma once
// Stopping a run cleanly when the scheduler asks: SLURM sends SIGTERM on preemption or
// `scancel`, and the signal of `sbatch --signal=USR1@120` some time before the time limit. A
// handler only sets a flag; the optimization loop (experiments/Trainer) looks at it after every
// unit (epoch or iteration), writes a checkpoint and throws Stopped, and `nsdf` exits with
// kStoppedExitCode. Rerunning the run (`nsdf run --resume DIR`, `nsdf run CONFIG --dir DIR`, a
// requeued SLURM job) continues from that checkpoint and ends where an uninterrupted run ends.
//
// A second SIGTERM or SIGUSR1 before the loop gets to it ends the process at once (the default
// action), so a stuck run can still be killed.

#include <stdexcept>
#include <string>

namespace nsdf::core {

/// The exit status of a run stopped by a signal after writing its checkpoint (EX_TEMPFAIL of
/// sysexits.h: "try again later"). Launchers requeue or rerun such runs.
constexpr int kStoppedExitCode = 75;

/// Installs the SIGTERM and SIGUSR1 handlers (idempotent).
void install_stop_handlers();

/// The signal that asked the run to stop (SIGTERM, SIGUSR1), 0 when none did.
int stop_signal();
inline bool stop_requested() { return stop_signal() != 0; }

/// "SIGTERM", "SIGUSR1", or "signal N".
std::string signal_name(int signal);

/// Forgets a stop request (tests; a process that runs several experiments).
void clear_stop_request();

/// While alive, this thread holds SIGTERM and SIGUSR1 back (threads it starts inherit that and
/// never take them); a signal that came meanwhile is delivered when it ends. For calls that a
/// signal would break instead of restart: c10d's store and process group (poll() returns EINTR
/// whatever SA_RESTART says).
class DeferStopSignals {
 public:
  DeferStopSignals();
  ~DeferStopSignals();
  DeferStopSignals(const DeferStopSignals&) = delete;
  DeferStopSignals& operator=(const DeferStopSignals&) = delete;

 private:
  unsigned char old_[128];  // the thread's previous sigset_t
};

/// Thrown by the optimization loop after the checkpoint a stop request asked for; not a
/// core::Error (nothing went wrong), caught by `nsdf` only.
class Stopped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace nsdf::core
