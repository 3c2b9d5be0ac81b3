// The `nsdf` command: nsdf's built-in components behind the command line (tools/Cli.h).
#include "Cli.h"

int main(int argc, char** argv) {
  nsdf::tools::Registries registries;
  nsdf::tools::register_builtins(registries);
  return nsdf::tools::cli_main(argc, argv, registries);
}
