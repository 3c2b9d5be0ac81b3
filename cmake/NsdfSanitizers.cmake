# nsdf::sanitizers — AddressSanitizer + UndefinedBehaviorSanitizer when NSDF_SANITIZE is ON
# (the asan-ubsan preset turns it on).
option(NSDF_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(nsdf_sanitizers INTERFACE)
add_library(nsdf::sanitizers ALIAS nsdf_sanitizers)
if(NSDF_SANITIZE)
  target_compile_options(nsdf_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(nsdf_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
