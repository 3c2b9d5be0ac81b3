#pragma once
// The message of the error a call throws, for tests that pin error texts.

#include <string>

namespace nsdf::test {

/// What the E that f() throws says; "<no exception>" when f() throws nothing (so a test
/// looking for a message fails and shows why).
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace nsdf::test
