// The `nsdf` command: nsdf's built-in components behind the command line (tools/Cli.h).
#include "Cli.h"

int main(int argc, char** argv) {
  nsdf::experiments::Registries registries;
  nsdf::experiments::register_builtins(registries);
  return nsdf::tools::cli_main(argc, argv, registries);
}
