#!/usr/bin/env node
// Writes a small report folder laid out as `nsdf report` writes one, without the C++ side, to
// develop and test tools/report/viewer.js and tests/browser/check_report.mjs:
//
//   node tests/browser/make_fixture.mjs OUT_DIR [--viewers N] [--broken KIND]
//
// OUT_DIR/report.html, OUT_DIR/assets/{three.js,viewer.js,report.css}, OUT_DIR/meshes/*.js,
// OUT_DIR/images/*.png. The page holds a sortable table, two inline SVG curves, one PNG image,
// a config block and three viewers: an icosphere (uint16 indices), a torus with more than 65536
// vertices (uint32 indices, odd vertex count so the index block is padded) and a point cloud
// (F = 0). --viewers N (3..24) adds small meshes up to N viewers (more than Chromium's 16 live
// WebGL contexts: exercises viewer.js's context recycling).
//
// --broken KIND adds something check_report.mjs must reject (exit non-zero):
//   missing    a viewer whose mesh script does not exist (script onerror)
//   throw      a mesh script that throws instead of calling nsdfMesh (page error)
//   corrupt    nsdfMesh with bytes that are not NSM1 (decoding error)
//   empty      a mesh with no vertices
//   offcentre  a small mesh in one corner of a bounding box set by two stray vertices
//   curve      an svg.curve whose polyline is a single point
//   image      an img whose file does not exist
//   all        every one of the above
//
// assets/three.js is made as the C++ side makes it: three's CommonJS build
// (tools/report/node_modules/three/build/three.cjs) inside a function with CommonJS stand-ins,
// exporting window.THREE, so that a classic <script src> works from file://.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const reportTools = path.resolve(here, '../../tools/report');
const require = createRequire(path.join(reportTools, 'package.json'));
const { PNG } = require('pngjs');

const BROKEN_KINDS = ['missing', 'throw', 'corrupt', 'empty', 'offcentre', 'curve', 'image'];

function usage(msg) {
  if (msg) console.error(`make_fixture: ${msg}`);
  console.error('usage: node tests/browser/make_fixture.mjs OUT_DIR [--viewers N] ' +
                `[--broken ${BROKEN_KINDS.join('|')}|all]`);
  process.exit(2);
}

// ---- arguments -------------------------------------------------------------------------------
let outDir = null;
let viewers = 3;
const broken = new Set();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  if (a === '--viewers') {
    viewers = Number(argv[++i]);
    if (!Number.isInteger(viewers) || viewers < 3 || viewers > 24) usage('--viewers wants 3..24');
  } else if (a === '--broken') {
    const kind = argv[++i];
    if (kind === 'all') BROKEN_KINDS.forEach((k) => broken.add(k));
    else if (BROKEN_KINDS.includes(kind)) broken.add(kind);
    else usage(`unknown --broken kind ${kind}`);
  } else if (a.startsWith('-')) {
    usage(`unknown option ${a}`);
  } else if (outDir === null) {
    outDir = a;
  } else {
    usage(`unexpected argument ${a}`);
  }
}
if (outDir === null) usage('OUT_DIR missing');

// ---- geometry --------------------------------------------------------------------------------
// A mesh is { positions: number[] (xyz...), triangles: number[] (abc...) }.

function icosphere(level, radius = 1, center = [0, 0, 0]) {
  const t = (1 + Math.sqrt(5)) / 2;
  let verts = [[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t],
               [0, -1, -t], [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]];
  let faces = [[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9],
               [5, 11, 4], [11, 10, 2], [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2],
               [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5], [2, 4, 11], [6, 2, 10],
               [8, 6, 7], [9, 8, 1]];
  const norm = (v) => { const l = Math.hypot(...v); return v.map((c) => c / l); };
  verts = verts.map(norm);
  for (let s = 0; s < level; ++s) {
    const cache = new Map();
    const mid = (a, b) => {
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      if (!cache.has(key)) {
        verts.push(norm(verts[a].map((c, k) => (c + verts[b][k]) / 2)));
        cache.set(key, verts.length - 1);
      }
      return cache.get(key);
    };
    const next = [];
    for (const [a, b, c] of faces) {
      const ab = mid(a, b), bc = mid(b, c), ca = mid(c, a);
      next.push([a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]);
    }
    faces = next;
  }
  // A little relief so flat vs smooth shading and lighting are visible.
  const positions = [];
  for (const v of verts) {
    const bump = 1 + 0.06 * Math.sin(5 * v[0]) * Math.sin(5 * v[1]) * Math.sin(5 * v[2]);
    for (let k = 0; k < 3; ++k) positions.push(center[k] + radius * bump * v[k]);
  }
  return { positions, triangles: faces.flat() };
}

// nu x nv grid on a torus (y up), R major, r minor radius.
function torus(nu, nv, R, r) {
  const positions = [];
  const triangles = [];
  for (let i = 0; i < nu; ++i) {
    const u = (2 * Math.PI * i) / nu;
    for (let j = 0; j < nv; ++j) {
      const v = (2 * Math.PI * j) / nv;
      const rho = R + r * Math.cos(v);
      positions.push(rho * Math.cos(u), r * Math.sin(v), rho * Math.sin(u));
    }
  }
  const id = (i, j) => (i % nu) * nv + (j % nv);
  for (let i = 0; i < nu; ++i) {
    for (let j = 0; j < nv; ++j) {
      const a = id(i, j), b = id(i + 1, j), c = id(i + 1, j + 1), d = id(i, j + 1);
      triangles.push(a, c, b, a, d, c);
    }
  }
  return { positions, triangles };
}

// Points on a trefoil-knot tube: a point cloud with some shape to it.
function knotCloud(count) {
  const positions = [];
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let i = 0; i < count; ++i) {
    const t = 2 * Math.PI * rand();
    const c = [Math.sin(t) + 2 * Math.sin(2 * t), Math.cos(t) - 2 * Math.cos(2 * t), -Math.sin(3 * t)];
    const a = 2 * Math.PI * rand();
    const rr = 0.35;
    positions.push(c[0] + rr * Math.cos(a), c[1] + rr * Math.sin(a) * 0.8, c[2] + rr * Math.sin(a));
  }
  return { positions, triangles: [] };
}

// ---- NSM1 encoding (the format of framework/report/MeshPack.h) -------------------------------
function packMesh({ positions, triangles }, { lo: loIn, hi: hiIn } = {}) {
  const V = positions.length / 3;
  const F = triangles.length / 3;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < V; ++i) {
    for (let k = 0; k < 3; ++k) {
      lo[k] = Math.min(lo[k], positions[3 * i + k]);
      hi[k] = Math.max(hi[k], positions[3 * i + k]);
    }
  }
  if (V === 0) { lo.fill(0); hi.fill(0); }
  if (loIn) loIn.forEach((c, k) => { lo[k] = c; });
  if (hiIn) hiIn.forEach((c, k) => { hi[k] = c; });
  const indexStart = (36 + 6 * V + 3) & ~3;
  const wide = V > 65536;
  const size = indexStart + 3 * F * (wide ? 4 : 2);
  const buf = Buffer.alloc(size);
  buf.write('NSM1', 0, 'ascii');
  buf.writeUInt32LE(V, 4);
  buf.writeUInt32LE(F, 8);
  for (let k = 0; k < 3; ++k) {
    buf.writeFloatLE(lo[k], 12 + 4 * k);
    buf.writeFloatLE(hi[k], 24 + 4 * k);
  }
  for (let i = 0; i < V; ++i) {
    for (let k = 0; k < 3; ++k) {
      const ext = hi[k] - lo[k];
      const q = ext > 0 ? Math.round(((positions[3 * i + k] - lo[k]) / ext) * 65535) : 0;
      buf.writeUInt16LE(Math.min(65535, Math.max(0, q)), 36 + 2 * (3 * i + k));
    }
  }
  for (let i = 0; i < 3 * F; ++i) {
    if (wide) buf.writeUInt32LE(triangles[i], indexStart + 4 * i);
    else buf.writeUInt16LE(triangles[i], indexStart + 2 * i);
  }
  return buf;
}

const meshScript = (name, bytes) =>
  `nsdfMesh(${JSON.stringify(name)}, "${Buffer.from(bytes).toString('base64')}");\n`;

// ---- SVG curves (as framework/report/Chart.cpp writes them) ----------------------------------
function curveSvg(title, xLabel, series) {
  const w = 360, h = 220, left = 48, top = 24, pw = w - left - 12, ph = h - top - 32;
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
  let xs = [], ys = [];
  for (const s of series) for (const [x, y] of s.points) { xs.push(x); ys.push(Math.log10(y)); }
  const xlo = Math.min(...xs), xhi = Math.max(...xs);
  const ylo = Math.floor(Math.min(...ys)), yhi = Math.ceil(Math.max(...ys));
  const px = (x) => left + ((x - xlo) / (xhi - xlo || 1)) * pw;
  const py = (y) => top + ph - ((Math.log10(y) - ylo) / (yhi - ylo || 1)) * ph;
  let out = `<svg class="curve" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" ` +
            `viewBox="0 0 ${w} ${h}" role="img" aria-label="${title}" font-family="sans-serif" ` +
            `font-size="11">\n<rect width="${w}" height="${h}" fill="white"/>\n` +
            `<text x="${left}" y="16" font-size="12" font-weight="bold">${title}</text>\n` +
            `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>\n` +
            `<text x="${left + pw / 2}" y="${h - 4}" text-anchor="middle" fill="#444">${xLabel}</text>\n`;
  for (let e = ylo; e <= yhi; ++e) {
    const y = py(10 ** e).toFixed(1);
    out += `<line x1="${left}" y1="${y}" x2="${left + pw}" y2="${y}" stroke="#eee"/>` +
           `<text x="${left - 4}" y="${(+y + 4).toFixed(1)}" text-anchor="end" fill="#444">1e${e}</text>\n`;
  }
  series.forEach((s, k) => {
    const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    out += `<g stroke="${palette[k]}" fill="${palette[k]}"><title>${s.label}</title>\n`;
    if (s.points.length === 1) {
      const [cx, cy] = pts.split(',');
      out += `<circle cx="${cx}" cy="${cy}" r="2"/>\n`;
    }
    out += `<polyline fill="none" stroke-width="1.5" points="${pts}"/>\n</g>\n`;
  });
  return out + '</svg>\n';
}

// ---- PNG image ---------------------------------------------------------------------------------
function writePng(file, w, h) {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; ++y) {
    for (let x = 0; x < w; ++x) {
      const i = 4 * (y * w + x);
      const d = Math.hypot(x - w / 2, y - h / 2) / (Math.min(w, h) / 2);
      const inside = d < 0.7;
      png.data[i] = inside ? 90 + 100 * (x / w) : 255;
      png.data[i + 1] = inside ? 130 + 80 * (y / h) : 255;
      png.data[i + 2] = inside ? 200 : 255;
      png.data[i + 3] = 255;
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

// ---- the report folder -----------------------------------------------------------------------
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

fs.rmSync(outDir, { recursive: true, force: true });
for (const d of ['assets', 'meshes', 'images']) fs.mkdirSync(path.join(outDir, d), { recursive: true });

// assets: three.js wrapped as a classic script (the contract with the C++ side), viewer, style
const threeCjs = fs.readFileSync(path.join(reportTools, 'node_modules/three/build/three.cjs'), 'utf8');
fs.writeFileSync(path.join(outDir, 'assets/three.js'),
  '(function(){var exports={};var module={exports:exports};\n' + threeCjs +
  '\nwindow.THREE=module.exports;})();');
fs.copyFileSync(path.join(reportTools, 'viewer.js'), path.join(outDir, 'assets/viewer.js'));
fs.copyFileSync(path.join(reportTools, 'report.css'), path.join(outDir, 'assets/report.css'));

const figures = [];
function addViewer(name, caption, fileContent) {
  if (fileContent !== null) fs.writeFileSync(path.join(outDir, 'meshes', `${name}.js`), fileContent);
  figures.push(`<figure class="viewer" data-mesh="meshes/${esc(name)}.js" data-name="${esc(name)}">` +
               `<figcaption>${esc(caption)}</figcaption></figure>`);
}

const sphere = icosphere(4);
addViewer('sphere', `icosphere, ${sphere.positions.length / 3} vertices, ${sphere.triangles.length / 3} triangles`,
          meshScript('sphere', packMesh(sphere)));
const ring = torus(257, 259, 1, 0.35);  // 66563 vertices: uint32 indices, padded index block
addViewer('torus', `torus, ${ring.positions.length / 3} vertices (uint32 indices)`,
          meshScript('torus', packMesh(ring)));
const cloud = knotCloud(4001);
addViewer('knot_points', `point cloud, ${cloud.positions.length / 3} points`,
          meshScript('knot_points', packMesh(cloud)));
for (let i = figures.length; i < viewers; ++i) {
  const name = `extra_${String(i).padStart(2, '0')}`;
  const m = i % 2 ? icosphere(2, 0.5 + 0.1 * (i % 5), [i, -i, 2 * i]) : torus(40, 21, 2 + (i % 3), 0.6);
  addViewer(name, `extra mesh ${i}`, meshScript(name, packMesh(m)));
}

if (broken.has('missing')) addViewer('broken_missing', 'mesh file does not exist', null);
if (broken.has('throw')) {
  addViewer('broken_throw', 'mesh script throws', 'throw new Error("broken fixture: mesh script throws");\n');
}
if (broken.has('corrupt')) {
  const bytes = packMesh(icosphere(1));
  bytes.write('XXXX', 0, 'ascii');
  addViewer('broken_corrupt', 'not NSM1', meshScript('broken_corrupt', bytes.subarray(0, 40)));
}
if (broken.has('empty')) {
  addViewer('broken_empty', 'no vertices', meshScript('broken_empty', packMesh({ positions: [], triangles: [] })));
}
if (broken.has('offcentre')) {
  // the triangles sit in one corner; two unused stray vertices stretch the bounding box
  const m = icosphere(2, 1.5, [4, 4, -4]);
  const first = m.positions.length / 3;
  m.positions.push(-5, -5, 5, 5.5, 5.5, -5.5);
  addViewer('broken_offcentre', `framed on stray vertices ${first} and ${first + 1}`,
            meshScript('broken_offcentre', packMesh(m)));
}

const curves = [
  curveSvg('training loss', 'epoch', [
    { label: 'train', points: Array.from({ length: 60 }, (_, i) => [i + 1, 0.5 * Math.exp(-i / 12) + 0.002 + 0.0005 * Math.sin(i)]) },
    { label: 'validation', points: Array.from({ length: 12 }, (_, i) => [5 * i + 1, 0.6 * Math.exp(-i / 2.6) + 0.004]) },
  ]),
  curveSvg('learning rate', 'epoch', [
    { label: 'lr', points: Array.from({ length: 60 }, (_, i) => [i + 1, 1e-3 * 0.5 ** Math.floor(i / 20)]) },
  ]),
];
if (broken.has('curve')) {
  curves.push('<svg class="curve" xmlns="http://www.w3.org/2000/svg" width="360" height="220" viewBox="0 0 360 220">' +
              '<rect width="360" height="220" fill="white"/><g stroke="#1f77b4"><polyline fill="none" points="40,40"/></g></svg>\n');
}

writePng(path.join(outDir, 'images/sphere_render.png'), 96, 72);
const images = [['images/sphere_render.png', 'sphere (CPU render)']];
if (broken.has('image')) images.push(['images/missing.png', 'this image does not exist']);

const rows = [['sphere', '0.000412', '0.0213', '0.991'], ['torus', '0.00131', '0.0488', '0.962'],
              ['knot_points', '0.0207', '0.231', '0.714'], ['box (failed)', 'nan', '', 'n/a']];
const table = '<div class="table-wrap"><table class="sortable">\n<thead><tr><th>shape</th><th>chamfer</th>' +
  '<th>hausdorff</th><th>f-score@0.01</th></tr></thead>\n<tbody>\n' +
  rows.map((r) => '<tr>' + r.map((c) => (/^-?[0-9.e+-]+$|^nan$/i.test(c) ? `<td class="num">${esc(c)}</td>` : `<td>${esc(c)}</td>`)).join('') + '</tr>\n').join('') +
  '</tbody></table></div>\n';

const config = `experiment:\n  name: fixture\n  seed: 7\nmodel:\n  type: deepsdf\n  dims: [256, 256, 256, 256]\nloss:\n  type: clamped_l1\n  delta: 0.1\n# <not a tag> & "quotes"\n`;

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nsdf report: fixture</title>
<link rel="stylesheet" href="assets/report.css">
</head>
<body>
<header>
<h1>nsdf report</h1>
<p class="meta">fixture written by tests/browser/make_fixture.mjs${broken.size ? ` (broken: ${[...broken].join(', ')})` : ''}</p>
<nav class="toc"><a href="#run-fixture">runs/fixture/20260101-000000</a></nav>
</header>
<main>
<section class="run" id="run-fixture">
<h2>runs/fixture/20260101-000000</h2>
<dl class="facts"><dt>status</dt><dd>finished</dd><dt>epochs</dt><dd>60</dd><dt>wall time</dt><dd>2 min 14 s</dd></dl>
<h3>Metrics</h3>
${table}<p class="note">1 more rows not shown (see the CSV files).</p>
<h3>Curves</h3>
<div class="curves">
${curves.join('')}</div>
<h3>Images</h3>
<div class="images">
${images.map(([src, cap]) => `<figure><img src="${src}" alt="${esc(cap)}"><figcaption>${esc(cap)}</figcaption></figure>`).join('\n')}
</div>
<h3>Meshes</h3>
<div class="viewers">
${figures.join('\n')}
</div>
<h3>Config</h3>
<details><summary>config.yaml</summary>
<pre><code>${esc(config)}</code></pre>
</details>
</section>
</main>
<script src="assets/three.js"></script><script src="assets/viewer.js"></script>
</body>
</html>
`;
fs.writeFileSync(path.join(outDir, 'report.html'), html);
console.log(`make_fixture: wrote ${path.join(outDir, 'report.html')} (${figures.length} viewers, ` +
            `${curves.length} curves, ${images.length} images${broken.size ? `; broken: ${[...broken].join(', ')}` : ''})`);
