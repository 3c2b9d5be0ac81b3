#include "data/DepthObservation.h"

#include <cmath>
#include <filesystem>

#include "core/Error.h"
#include "geometry/Image.h"
#include "geometry/Npy.h"
#include "geometry/TextScan.h"

namespace nsdf::data {

void DepthObservationOptions::declare(core::OptionSet<DepthObservationOptions>& s) {
  using O = DepthObservationOptions;
  s.add("depth", &O::depth,
        "depth images, one per view: 16-bit greyscale PNG or NPY (H x W); 0 = no return")
      .required();
  s.add("intrinsics", &O::intrinsics,
        "3 x 3 K per view (.npy or text), or one for every view")
      .required();
  s.add("pose", &O::pose, "4 x 4 camera-to-world transform per view (.npy or text)").required();
  s.add("depth_scale", &O::depth_scale,
        "file value x depth_scale = depth in the observation's units (0.001 for PNGs in mm)")
      .positive();
  declare_observation_common(s);
}

DepthObservation::DepthObservation(const Options& options) : options_(options) {
  const size_t n = options_.depth.size();
  NSDF_CHECK(n > 0, core::ConfigError, "observation.depth: no depth image given");
  NSDF_CHECK(options_.pose.size() == n, core::ConfigError,
             "observation.pose: {} poses for {} depth images (one per view)",
             options_.pose.size(), n);
  NSDF_CHECK(options_.intrinsics.size() == n || options_.intrinsics.size() == 1,
             core::ConfigError,
             "observation.intrinsics: {} matrices for {} depth images (one per view, or one "
             "for all)",
             options_.intrinsics.size(), n);
  (void)given_frame(options_);
}

std::vector<float> read_depth_image(const std::string& path, double scale, int& width,
                                    int& height) {
  std::vector<float> depth;
  if (geometry::detail::lower_extension(path) == ".png") {
    const geometry::Image16 image = geometry::read_png16(path);
    width = image.width;
    height = image.height;
    depth.resize(image.values.size());
    for (size_t i = 0; i < depth.size(); ++i)
      depth[i] = static_cast<float>(image.values[i] * scale);
  } else if (geometry::detail::lower_extension(path) == ".npy") {
    const geometry::NpyArray a = geometry::read_npy(path);
    NSDF_CHECK(a.shape.size() == 2 || (a.shape.size() == 3 && a.shape[2] == 1), core::DataError,
               "{}: a depth image must be H x W, got an array of {} dimensions", path,
               a.shape.size());
    height = static_cast<int>(a.shape[0]);
    width = static_cast<int>(a.shape[1]);
    depth.resize(a.data.size());
    for (size_t i = 0; i < depth.size(); ++i)
      depth[i] = std::isnan(a.data[i]) ? 0.0f : static_cast<float>(a.data[i] * scale);
  } else {
    throw core::DataError(fmt::format(
        "{}: unknown depth image format '{}' (expected .png, 16-bit greyscale, or .npy)", path,
        geometry::detail::lower_extension(path)));
  }
  NSDF_CHECK(width > 0 && height > 0, core::DataError, "{}: empty depth image ({} x {})", path,
             width, height);
  return depth;
}

geometry::PinholeCamera pinhole_camera(const std::vector<double>& K,
                                       const std::vector<double>& pose, int width, int height,
                                       const std::string& what) {
  NSDF_CHECK(K.size() == 9 && pose.size() == 16, core::DataError,
             "{}: K must be 3 x 3 and the pose 4 x 4", what);
  NSDF_CHECK(K[1] == 0 && K[3] == 0 && K[6] == 0 && K[7] == 0 && K[8] == 1 && K[0] > 0 &&
                 K[4] > 0,
             core::DataError,
             "{}: K = [{} {} {}; {} {} {}; {} {} {}] is not a pinhole camera [fx 0 cx; 0 fy cy; "
             "0 0 1] with fx, fy > 0",
             what, K[0], K[1], K[2], K[3], K[4], K[5], K[6], K[7], K[8]);
  geometry::PinholeCamera c;
  c.width = width;
  c.height = height;
  c.fx = K[0];
  c.cx = K[2];
  c.fy = K[4];
  c.cy = K[5];
  for (size_t i = 0; i < 16; ++i) c.camera_to_world[i] = pose[i];
  return c;
}

ObservedShape DepthObservation::load(int64_t) const {
  ObservedShape out;
  for (size_t k = 0; k < options_.depth.size(); ++k) {
    const std::string path = options_.depth[k].str();
    int width = 0, height = 0;
    const std::vector<float> depth = read_depth_image(path, options_.depth_scale, width, height);
    const std::string& k_path =
        options_.intrinsics[options_.intrinsics.size() == 1 ? 0 : k].str();
    const std::vector<double> K = read_matrix(k_path, 3, 3, "intrinsics K");
    const std::vector<double> pose = read_matrix(options_.pose[k].str(), 4, 4, "pose");
    const geometry::PinholeCamera camera =
        pinhole_camera(K, pose, width, height, k_path + " / " + options_.pose[k].str());
    out.observation.views.push_back(geometry::view_from_depth(depth, camera, path));
  }
  out.id = options_.id.empty()
               ? std::filesystem::path(options_.depth[0].str()).stem().string()
               : options_.id;
  out.frame = given_frame(options_);
  out.ground_truth = read_ground_truth(options_, 0);
  return out;
}

}  // namespace nsdf::data
