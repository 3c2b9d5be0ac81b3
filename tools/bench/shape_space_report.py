"""The README's shape-space tables and pictures from the run folders of run_shape_spaces.sh:
for each data set, the training run (shapes, epochs, wall time, metrics of the training shapes),
the reconstruction of the held-out shapes (per shape: Chamfer in both conventions, F-score,
and the same Chamfer for the nearest training shape), and pictures rendered with `nsdf render`
(ground truth | reconstruction, and the interpolation strips). Markdown on stdout.

Usage: shape_space_report.py --runs DIR --data SHARED_DATA --images OUT_DIR [--nsdf BIN]
"""
import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime

import yaml

p = argparse.ArgumentParser()
p.add_argument("--runs", required=True, help="runs_dir holding <run name>/<id>/")
p.add_argument("--data", required=True, help="the shared data folder (ground-truth meshes)")
p.add_argument("--images", required=True, help="where the pictures go")
p.add_argument("--nsdf", default="build/release/tools/nsdf")
p.add_argument("--size", type=int, default=160, help="panel size of the pictures")
a = p.parse_args()
os.makedirs(a.images, exist_ok=True)
tmp = os.path.join(a.images, ".gt")
os.makedirs(tmp, exist_ok=True)


def latest(name):
    d = os.path.join(a.runs, name)
    if not os.path.isdir(d):
        return None
    ids = sorted(i for i in os.listdir(d) if os.path.isfile(os.path.join(d, i, "config.yaml")))
    return os.path.join(d, ids[-1]) if ids else None


def wall_seconds(run):
    stamps = [datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
              for m in (re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\]", l)
                        for l in open(os.path.join(run, "log.txt"))) if m]
    return (stamps[-1] - stamps[0]).total_seconds()


def config(run):
    return yaml.safe_load(open(os.path.join(run, "config.yaml")))


def render(files, out, azimuth=30, elevation=20):
    subprocess.run([a.nsdf, "render", *files, "-o", out, "--size", str(a.size),
                    "--azimuth", str(azimuth), "--elevation", str(elevation)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def points_of_deepsdf_ply(ply):
    """DeepSDF's SurfaceSamples PLY holds random triangles of its points: the points as .xyz."""
    out = os.path.join(tmp, os.path.basename(ply)[:-4] + ".xyz")
    with open(ply) as f:
        n = 0
        for line in f:
            if line.startswith("element vertex"):
                n = int(line.split()[2])
            if line.strip() == "end_header":
                break
        with open(out, "w") as o:
            for _ in range(n):
                o.write(next(f))
    return out


def fmt(x, digits=4):
    return f"{float(x):.{digits}g}"


def train_row(label, run):
    c = config(run)
    m = json.load(open(os.path.join(run, "eval", "metrics.json"))) \
        if os.path.exists(os.path.join(run, "eval", "metrics.json")) else {}
    e = c["experiment"]
    return (f"| {label} | {c['data']['type']} | {m.get('shapes', '-')} | "
            f"{len(c['model']['dims'])} x {c['model']['dims'][0]}, code {c['latent']['size']} | "
            f"{e['epochs']} | {min(e['shapes_per_batch'], m.get('shapes', 10**9))} x "
            f"{e['samples_per_shape']} | "
            f"{wall_seconds(run) / 60:.1f} min | "
            f"{fmt(m['chamfer_l1']) if 'chamfer_l1' in m else '-'} | "
            f"{fmt(m['chamfer_l2']) if 'chamfer_l2' in m else '-'} | "
            f"`{os.path.relpath(run)}` |")


def reconstruct_table(run):
    rows = list(csv.DictReader(open(os.path.join(run, "eval", "per_shape.csv"))))
    nearest = {r["shape"]: r["nearest_training_shape"]
               for r in csv.DictReader(open(os.path.join(run, "eval", "nearest_training.csv")))}
    m = json.load(open(os.path.join(run, "eval", "metrics.json")))
    c = config(run)["experiment"]
    lines = [f"Reconstruction `{os.path.relpath(run)}`: {c['iterations']} iterations x "
             f"{c['samples_per_shape']} rows per shape, {c['shapes_per_batch']} shapes per "
             f"batch, meshes at {c['mesh_resolution']}^3, whole run {wall_seconds(run) / 60:.1f} "
             f"min.\n",
             "| shape | chamfer_l2 | chamfer_l1 | fscore | normal consistency | nearest training "
             "shape | its chamfer_l2 | its chamfer_l1 | closer than it |",
             "|---|---:|---:|---:|---:|---|---:|---:|---|"]
    for r in rows:
        nc = fmt(r["normal_consistency"], 3) if r.get("normal_consistency") else "-"
        fs = fmt(r["fscore"], 3) if r.get("fscore") else "-"
        closer = "yes" if float(r["chamfer_l1"]) < float(r["nearest_training_chamfer_l1"]) else "no"
        lines.append(f"| {r['shape']} | {fmt(r['chamfer_l2'])} | {fmt(r['chamfer_l1'])} | {fs} | "
                     f"{nc} | {nearest.get(r['shape'], '-')} | "
                     f"{fmt(r['nearest_training_chamfer_l2'])} | "
                     f"{fmt(r['nearest_training_chamfer_l1'])} | {closer} |")
    for stat, suffix in (("mean", ""), ("median", "_median")):
        nc = fmt(m["normal_consistency" + suffix], 3) if "normal_consistency" in m else "-"
        fs = fmt(m["fscore" + suffix], 3) if "fscore" in m else "-"
        lines.append(f"| **{stat}** | {fmt(m['chamfer_l2' + suffix])} | "
                     f"{fmt(m['chamfer_l1' + suffix])} | {fs} | {nc} | | "
                     f"{fmt(m['nearest_training_chamfer_l2' + suffix])} | "
                     f"{fmt(m['nearest_training_chamfer_l1' + suffix])} | |")
    return "\n".join(lines) + "\n", rows, nearest


def copy_strips(run, prefix, mode="slerp"):
    """The strip pictures of `mode` (one per consecutive pair), with their captions."""
    pairs = {}
    for r in csv.DictReader(open(os.path.join(run, "interpolation.csv"))):
        if r["mode"] == mode:
            pairs[int(r["pair"])] = (r["from"], r["to"])
    out = []
    for pair, (a_id, b_id) in sorted(pairs.items()):
        name = f"{mode}_{pair:02d}.png"
        dst = os.path.join(a.images, f"{prefix}_{name}")
        shutil.copyfile(os.path.join(run, "images", name), dst)
        out.append((f"{prefix}: {a_id} -> {b_id}, spherical interpolation of the codes "
                    f"(end points: the two training shapes' codes)", dst))
    return out


print("## Shape spaces on real data\n")
print("Distances in each shape's original units; `chamfer_l2` is DeepSDF's (sum of the two mean "
      "squared distances), `chamfer_l1` the mean of the two mean distances (IGR); "
      "`closer than it`: the reconstruction's chamfer_l1 is below that of the nearest training "
      "shape's ground truth. Reconstruction meshes are at the resolution named, F-score at 1% "
      "of the ground truth's bounding-box diagonal.\n")

trains = [("planes (DeepSDF npz)", "deepsdf_planes_cpu"), ("chairs (nsdf preprocess)",
          "deepsdf_chairs_cpu"), ("FAUST people 0-6 (IGR)", "igr_faust_cpu"),
          ("samba, 11 frames (IGR)", "igr_samba_cpu")]
print("Wall time: the whole run (loading, training, a 128^3 mesh and the evaluation of every "
      "training shape).\n")
print("| data | dataset | shapes | decoder | epochs | batch | wall time | chamfer_l1 (train shapes) "
      "| chamfer_l2 | run |")
print("|---|---|---:|---|---:|---|---:|---:|---:|---|")
for label, name in trains:
    run = latest(name)
    if run:
        print(train_row(label, run))
print()

pictures = []
planes = latest("deepsdf_planes_cpu")
if planes:
    files = []
    mesh_dir = os.path.join(planes, "meshes")
    for root, _, names in sorted(os.walk(mesh_dir)):
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(root, n), mesh_dir)
            gt = os.path.join(a.data, "shapenet_planes", "SurfaceSamples", rel)
            if os.path.exists(gt):
                files += [points_of_deepsdf_ply(gt), os.path.join(root, n)]
    if files:
        pictures.append(("Planes, trained from DeepSDF's npz files: surface samples | mesh of the "
                         "shape's code", render(files, os.path.join(a.images, "planes_train.png"),
                                                40, 30)))

sets = [("chairs", "deepsdf_chairs_reconstruct", "deepsdf_chairs_interpolate",
         lambda i: os.path.join(a.data, "chairs", i.split("/")[-1] + ".obj"), (30, 20)),
        ("faust", "igr_faust_reconstruct", "igr_faust_interpolate",
         lambda i: os.path.join(a.data, "faust", i.split("/")[-1] + ".off"), (0, 10)),
        ("samba", "igr_samba_reconstruct", "igr_samba_interpolate",
         lambda i: os.path.join(a.data, "humans", i.split("/")[-1] + ".obj"), (90, 10))]
for label, rec_name, int_name, gt_of, view in sets:
    rec = latest(rec_name)
    if rec:
        table, rows, nearest = reconstruct_table(rec)
        print(f"### {label}: held-out shapes\n")
        print(table)
        shown = rows[:4]
        files = []
        for r in shown:
            files += [gt_of(r["shape"]),
                      os.path.join(rec, "meshes", r["shape"] + ".ply"),
                      gt_of(nearest[r["shape"]])]
        pictures.append((f"{label}: ground truth | reconstruction | nearest training shape, for "
                         f"{', '.join(r['shape'] for r in shown)}",
                         render(files, os.path.join(a.images, f"{label}_reconstruct.png"),
                                *view)))
    inter = latest(int_name)
    if inter:
        pictures += copy_strips(inter, label)

print("### Pictures\n")
for caption, f in pictures:
    print(f"{caption}:\n\n![{os.path.basename(f)}]({f})\n")
shutil.rmtree(tmp, ignore_errors=True)
