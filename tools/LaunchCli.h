#pragma once
// `nsdf launch --nproc N [--master-port P] -- run CONFIG ...`: N data-parallel ranks of an nsdf
// command on this machine (distributed/LocalLaunch.h).

#include <string>
#include <vector>

namespace nsdf::tools {

int cmd_launch(const std::vector<std::string>& args);

}  // namespace nsdf::tools
