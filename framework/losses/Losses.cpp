#include "losses/ClampedL1Loss.h"
#include "losses/IgrLoss.h"
#include "losses/Loss.h"
#include "losses/PhaseLoss.h"
#include "losses/SirenSdfLoss.h"

namespace nsdf::losses {

void register_builtin_losses(LossRegistry& registry) {
  registry.add<ClampedL1Loss>("clamped_l1");
  registry.add<IgrLoss>("igr");
  registry.add<PhaseLoss>("phase");
  registry.add<SirenSdfLoss>("siren_sdf");
}

}  // namespace nsdf::losses
