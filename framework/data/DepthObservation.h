#pragma once
// `depth`: depth images of one shape, each with its camera (K and pose), from files: a 16-bit
// greyscale PNG (Kinect / RealSense / TUM style, value x depth_scale = depth, 0 = no return) or
// an NPY array (H x W, any numeric type, 0 or NaN = no return). The depth is the camera-space z
// (OpenCV pinhole: x right, y down, z forward; geometry/DepthViews.h), K a 3 x 3 intrinsic
// matrix and the pose the 4 x 4 camera-to-world transform into the observation's frame, each a
// .npy file or a text file of numbers. Several images are several views of the same shape.

#include <vector>

#include "data/ObservationSource.h"

namespace nsdf::data {

struct DepthObservationOptions : ObservationCommonOptions {
  std::vector<core::Path> depth;
  std::vector<core::Path> intrinsics;
  std::vector<core::Path> pose;
  double depth_scale = 1.0;

  static void declare(core::OptionSet<DepthObservationOptions>& s);
};

class DepthObservation : public ObservationSource {
 public:
  using Options = DepthObservationOptions;
  static constexpr const char* kDoc =
      "Depth images of one shape with their cameras (views of one shape): depth (16-bit PNG or "
      "NPY, times depth_scale = camera-space z in the observation's units), intrinsics (3 x 3 K) "
      "and pose (4 x 4 camera-to-world), each .npy or text; one intrinsics file may serve every "
      "view.";
  static constexpr const char* kExample =
      "{depth: [view0.png], intrinsics: [K.txt], pose: [pose0.txt], depth_scale: 0.001}";

  /// Checks the lists' lengths (ConfigError).
  explicit DepthObservation(const Options& options);
  int64_t size() const override { return 1; }
  ObservedShape load(int64_t i) const override;

 private:
  Options options_;
};

/// A depth image file as camera-space depths (row-major) times `scale`; width and height set.
/// Throws IoError / DataError naming the file.
std::vector<float> read_depth_image(const std::string& path, double scale, int& width,
                                    int& height);

/// The pinhole camera of a 3 x 3 K and a 4 x 4 camera-to-world pose (row-major) for an image of
/// width x height. Throws DataError naming `what` when K is not [fx 0 cx; 0 fy cy; 0 0 1].
geometry::PinholeCamera pinhole_camera(const std::vector<double>& K,
                                       const std::vector<double>& pose, int width, int height,
                                       const std::string& what);

}  // namespace nsdf::data
