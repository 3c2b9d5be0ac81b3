#pragma once
// The built-in mesh sources, one file pair each, registered in one place:
// register_builtin_sources() (Sources.cpp). Each class's kDoc says in full what it reads, and
// its options are declared once in its Options::declare() (`nsdf list source NAME` prints them).
//
//   shapenet   ShapeNetCore v1/v2 folders <root>/<class>/<instance>/, the shapes a DeepSDF
//              split lists (ShapeNetSource.h).
//   dfaust     D-Faust scans <root>/<dataset>/<subject>/<sequence>/<shape>.ply, or frames of
//              the registrations HDF5 file, the shapes an IGR split lists (DfaustSource.h).
//   stanford   Stanford 3D Scanning Repository PLY models and range scans in one folder,
//              optionally moved into a common frame by the repository's .conf alignment
//              (StanfordSource.h).
//   folder     any folder of .obj / .ply / .off meshes (recursively), or the shapes a DeepSDF
//              split lists in it (FolderSource.h).
//   synthetic  generated analytic shapes with known SDFs, no files (SyntheticSource.h).
//
// Constructing a source touches no file: shapes() lists (and checks the root, split and
// alignment files), load() reads one mesh. Both may run on several threads at once.

#include "preprocessing/DfaustSource.h"
#include "preprocessing/FolderSource.h"
#include "preprocessing/ShapeNetSource.h"
#include "preprocessing/StanfordSource.h"
#include "preprocessing/SyntheticSource.h"
