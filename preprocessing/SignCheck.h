#pragma once
// How often a preprocessed shape's sample signs disagree with an exact reference: the
// generalized winding number summed over every face (no hierarchy, no approximation; see
// geometry/WindingNumber.h), w >= 1/2 inside, on the same mesh the samples came from (re-read
// through the file's own source parameters, normalized with the stored parameters, and oriented
// as preprocessing did). It checks the fast winding number and everything around it (sampling,
// normalization, storage) end to end. The reference costs O(#faces) per sample, so a random
// subset is checked by default, with a 95% upper confidence bound on the disagreement rate.

#include <cstdint>
#include <memory>
#include <string>

#include "geometry/Mesh.h"
#include "preprocessing/SampleFile.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

struct SignCheckOptions {
  /// Samples checked, drawn uniformly without replacement from pos and neg (0: all).
  int64_t queries = 20000;
  uint64_t seed = 0;
  /// Reorient the faces before the reference (as preprocessing's `orient`).
  bool orient = true;
  /// Samples with |sdf| below this (normalized units) also counted apart: a sign there is
  /// decided by rounding more than by the method.
  double near_band = 1e-3;
};

struct SignCheckResult {
  std::string id;
  int64_t samples = 0;      ///< samples in the file
  int64_t checked = 0;      ///< samples compared
  int64_t disagree = 0;     ///< checked samples whose sign differs from the reference
  int64_t near = 0;         ///< checked samples with |sdf| < near_band
  int64_t near_disagree = 0;
  double fraction() const { return checked ? static_cast<double>(disagree) / checked : 0.0; }
  /// Upper end of the 95% Wilson score interval of the disagreement rate.
  double upper95 = 0;
};

/// Compares the signs of `shape` (read from a sample file, samples in normalized units) with
/// the exact winding numbers of `mesh` (original units). Parallel (TBB).
SignCheckResult check_signs(const ShapeRecord& shape, const geometry::Mesh& mesh,
                            const SignCheckOptions& options);

/// The source a sample file was made from, rebuilt from its `parameters` (the resolved
/// `preprocess` section): ConfigError when the parameters hold no valid source (imported files).
std::shared_ptr<Source> source_from_parameters(const SourceRegistry& registry,
                                               const SampleFile& file);

/// Whether the file's parameters say faces were reoriented (`orient`, default true).
bool oriented_in_parameters(const SampleFile& file);

}  // namespace nsdf::preprocessing
