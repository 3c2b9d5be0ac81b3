# nsdf::warnings — the warning set every nsdf target compiles with.
add_library(nsdf_warnings INTERFACE)
add_library(nsdf::warnings ALIAS nsdf_warnings)
target_compile_options(nsdf_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
    -Wno-unused-parameter>)
