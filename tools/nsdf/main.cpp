// The `nsdf` command: nsdf's built-in components behind the command line (tools/Cli.h).
#include "Cli.h"

int main(int argc, char** argv) {
  nsdf::Registries registries;
  nsdf::register_builtins(registries);
  return nsdf::cli_main(argc, argv, registries);
}
