// A program that extends nsdf with its own component: the whole `nsdf` command line, with one
// more loss. Configs then use it as `loss: {type: huber, beta: 0.01}`.
#include "Cli.h"
#include "HuberLoss.h"

int main(int argc, char** argv) {
  nsdf::tools::Registries registries;
  nsdf::tools::register_builtins(registries);
  registries.losses.add<example::HuberLoss>("huber");
  return nsdf::tools::cli_main(argc, argv, registries);
}
