#!/usr/bin/env node
// Opens an `nsdf report` folder's report.html from file:// in headless Chromium and checks that
// everything in it works:
//
//   node tests/browser/check_report.mjs REPORT_DIR [--screenshot OUT.png] [--expect-viewers N]
//        [--expect-curves N] [--expect-images N] [--timeout SECONDS] [--verbose]
//        [--screenshot-from ELEMENT_ID] [--screenshot-height PX]
//
// --timeout: seconds for each viewer to be drawn (and for the page to load; default 60);
// --verbose: also print every console message of the page as it comes.
//
// Checks, one line each (PASS / FAIL), exit status 1 when any fails (2: bad arguments or no
// browser):
//   - no console message of type "error" and no uncaught exception, at any time;
//   - every figure.viewer reaches data-state="drawn" (each is scrolled into view: viewers load
//     lazily) and a screenshot of its canvas is not blank (>= 2% of the pixels clearly differ
//     from the corner colour) and framed (the box around those pixels has its centre in the
//     middle 60% of the canvas);
//   - every svg.curve has a polyline or path of >= 2 points with a bounding box of non-zero
//     width and height, and its screenshot is not blank;
//   - every img has loaded (complete, naturalWidth > 0);
//   - at least the --expect-* counts of viewers, curves and images;
//   - --screenshot: a full-page screenshot 1280 px wide once every viewer is drawn; with
//     --screenshot-from ID and/or --screenshot-height PX only PX pixels (default: to the end)
//     starting at the top of the element with that id (README pictures of one section).
//
// playwright-core and pngjs come from tools/report/node_modules (`tools/setup.sh` installs
// them; `npm ci` in tools/report), found from this file's location, so any cwd works. The
// browser is Debian's /usr/bin/chromium (package chromium; $CHROMIUM overrides).
//
// WebGL without a GPU: ANGLE over SwiftShader (a CPU Vulkan implementation). Tried with Debian
// 12's Chromium 156 and playwright-core 1.61 (which passes --headless, the new headless mode,
// and adds --enable-unsafe-swiftshader itself): WebGL2 works with the renderer "ANGLE (Google,
// Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)" with or without the flags
// below; they are passed anyway so that the result depends neither on playwright's defaults
// nor on Chromium's automatic fallback to SwiftShader (deprecated by Chromium) nor on a GPU:
//   --use-angle=swiftshader       ANGLE's backend: SwiftShader, also where a GPU exists
//   --enable-unsafe-swiftshader   allow SwiftShader for WebGL
//   --no-sandbox                  Chromium refuses to start as root with its sandbox
//   --disable-dev-shm-usage       small /dev/shm in containers
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../tools/report/package.json'));

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
];
const VIEWPORT = { width: 1280, height: 900 };
const MIN_COVERAGE = 0.02;      // viewers: share of non-background pixels
const MIN_CURVE_COVERAGE = 0.003;
const CENTRE_BAND = [0.2, 0.8]; // the middle 60%
const COLOR_DIFF = 40;          // "clearly differs": sum of |channel differences| (0..765)

function usage(message) {
  if (message) console.error(`check_report: ${message}`);
  console.error('usage: node tests/browser/check_report.mjs REPORT_DIR [--screenshot OUT.png] ' +
                '[--expect-viewers N] [--expect-curves N] [--expect-images N] [--timeout SECONDS] ' +
                '[--verbose] [--screenshot-from ELEMENT_ID] [--screenshot-height PX]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { dir: null, screenshot: null, expect: { viewers: 0, curves: 0, images: 0 },
                 timeout: 60, verbose: false, from: null, height: 0 };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    const count = () => {
      const v = value();
      if (!/^\d+$/.test(v)) usage(`${a} wants a whole number, not ${v}`);
      return Number(v);
    };
    if (a === '--screenshot') opts.screenshot = value();
    else if (a === '--expect-viewers') opts.expect.viewers = count();
    else if (a === '--expect-curves') opts.expect.curves = count();
    else if (a === '--expect-images') opts.expect.images = count();
    else if (a === '--timeout') opts.timeout = count();
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--screenshot-from') opts.from = value();
    else if (a === '--screenshot-height') opts.height = count();
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (opts.dir === null) opts.dir = a;
    else usage(`unexpected argument ${a}`);
  }
  if (opts.dir === null) usage('REPORT_DIR missing');
  return opts;
}

// Share of pixels that clearly differ from the corners' colour, and the centre of their box as
// fractions of the width and height.
function analyse(pngBytes, PNG) {
  const png = PNG.sync.read(pngBytes);
  const { width, height, data } = png;
  const at = (x, y) => { const i = 4 * (y * width + x); return [data[i], data[i + 1], data[i + 2]]; };
  // background: the most common of the four corner colours, a little inside the corners (the
  // report rounds the corners of viewers and curves: the page shows through there)
  const k = Math.max(8, Math.round(0.03 * Math.min(width, height)));
  const [xa, xb, ya, yb] = [Math.min(k, width - 1), Math.max(0, width - 1 - k),
                            Math.min(k, height - 1), Math.max(0, height - 1 - k)];
  const corners = [at(xa, ya), at(xb, ya), at(xa, yb), at(xb, yb)];
  const key = (c) => c.join(',');
  const votes = new Map();
  for (const c of corners) votes.set(key(c), (votes.get(key(c)) || 0) + 1);
  const bgKey = [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const bg = bgKey.split(',').map(Number);
  let count = 0, x0 = width, y0 = height, x1 = -1, y1 = -1;
  // left out: the corner squares, and 2 px along the edges (element screenshots at fractional
  // positions can take in a line of the surrounding border)
  const inCorner = (x, y) => ((x < xa || x > xb) && (y < ya || y > yb)) ||
                             x < 2 || y < 2 || x >= width - 2 || y >= height - 2;
  for (let y = 0; y < height; ++y) {
    for (let x = 0; x < width; ++x) {
      if (inCorner(x, y)) continue;  // rounded corners
      const i = 4 * (y * width + x);
      const d = Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]);
      if (d > COLOR_DIFF) {
        ++count;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const coverage = count / (width * height);
  const centre = count ? [(x0 + x1 + 1) / 2 / width, (y0 + y1 + 1) / 2 / height] : null;
  return { width, height, bg, coverage, centre, box: count ? [x0, y0, x1, y1] : null };
}

const fmtPct = (v) => `${(100 * v).toFixed(1)}%`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const reportPath = path.resolve(opts.dir, 'report.html');
  if (!fs.existsSync(reportPath)) usage(`no report.html in ${opts.dir}`);

  let chromium, PNG;
  try {
    ({ chromium } = require('playwright-core'));
    ({ PNG } = require('pngjs'));
  } catch (e) {
    console.error(`check_report: cannot load playwright-core / pngjs from tools/report/node_modules ` +
                  `(run tools/setup.sh, or npm ci in tools/report): ${e.message}`);
    process.exit(2);
  }
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.error(`check_report: no browser at ${executablePath} (apt-get install chromium, or set $CHROMIUM)`);
    process.exit(2);
  }

  const results = [];
  const check = (ok, what) => {
    results.push({ ok, what });
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${what}`);
    return ok;
  };
  const problems = [];  // console errors and page errors, in order

  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    console.error(`check_report: cannot start ${executablePath}: ${e.message}`);
    process.exit(2);
  }
  // every step has its own timeout; this is only a net under a hung browser
  const deadline = setTimeout(() => {
    console.error(`check_report: FAIL  gave up after ${opts.timeout * 10} s`);
    browser.close().finally(() => process.exit(1));
  }, opts.timeout * 10 * 1000);

  try {
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    context.setDefaultTimeout(opts.timeout * 1000);
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (opts.verbose) console.log(`        [console.${msg.type()}] ${msg.text()}`);
      if (msg.type() === 'error') {
        const loc = msg.location();
        const where = loc && loc.url ? ` (${path.basename(loc.url)}:${loc.lineNumber})` : '';
        problems.push(`console.error: ${msg.text()}${where}`);
      }
    });
    page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
    page.on('crash', () => problems.push('the page crashed'));

    const url = pathToFileURL(reportPath).href;
    await page.goto(url, { waitUntil: 'load', timeout: opts.timeout * 1000 });
    check(true, `loaded ${url}`);

    const gl = await page.evaluate(() => {
      const c = document.createElement('canvas');
      const g = c.getContext('webgl2') || c.getContext('webgl');
      if (!g) return null;
      const ext = g.getExtension('WEBGL_debug_renderer_info');
      const r = ext ? g.getParameter(ext.UNMASKED_RENDERER_WEBGL) : g.getParameter(g.RENDERER);
      const lose = g.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
      return r;
    });
    check(gl !== null, gl !== null ? `WebGL available: ${gl}` : 'WebGL available: no context (see the flags in check_report.mjs)');

    // ---- viewers ----
    const viewers = page.locator('figure.viewer');
    const nViewers = await viewers.count();
    for (let i = 0; i < nViewers; ++i) {
      const fig = viewers.nth(i);
      const name = (await fig.getAttribute('data-name')) || `#${i + 1}`;
      const t0 = Date.now();
      await fig.scrollIntoViewIfNeeded();
      let state;
      try {
        await fig.evaluate((f, ms) => new Promise((resolve, reject) => {
          const done = () => ['drawn', 'error'].includes(f.getAttribute('data-state'));
          if (done()) return resolve();
          const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(); } });
          obs.observe(f, { attributes: true, attributeFilter: ['data-state'] });
          setTimeout(() => { obs.disconnect(); reject(new Error('timeout')); }, ms);
        }), opts.timeout * 1000);
        state = await fig.getAttribute('data-state');
      } catch (e) {
        state = `${await fig.getAttribute('data-state')} after ${opts.timeout} s`;
      }
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      if (state !== 'drawn') {
        const message = (await fig.locator('.viewer-message').textContent().catch(() => '')) || '';
        check(false, `viewer ${name}: state ${state}${message ? ` ("${message.trim()}")` : ''}`);
        continue;
      }
      const canvas = fig.locator('canvas, img.viewer-snapshot').first();
      let shot;
      try {
        shot = analyse(await canvas.screenshot({ timeout: opts.timeout * 1000 }), PNG);
      } catch (e) {
        check(false, `viewer ${name}: drawn but no screenshot of its canvas (${e.message.split('\n')[0]})`);
        continue;
      }
      const filled = shot.coverage >= MIN_COVERAGE;
      const centred = shot.centre !== null &&
        shot.centre.every((c) => c >= CENTRE_BAND[0] && c <= CENTRE_BAND[1]);
      const where = shot.centre ? `centre (${shot.centre.map((c) => c.toFixed(2)).join(', ')})` : 'nothing drawn';
      check(filled && centred,
            `viewer ${name}: drawn in ${seconds} s, ${shot.width}x${shot.height}, ` +
            `${fmtPct(shot.coverage)} not background${filled ? '' : ` (< ${fmtPct(MIN_COVERAGE)}: blank)`}, ` +
            `${where}${centred || !shot.centre ? '' : ' (off-centre: outside the middle 60%)'}`);
    }

    // ---- curves ----
    const curves = page.locator('svg.curve');
    const nCurves = await curves.count();
    for (let i = 0; i < nCurves; ++i) {
      const svg = curves.nth(i);
      await svg.scrollIntoViewIfNeeded();
      const info = await svg.evaluate((s) => {
        const lines = [];
        for (const e of s.querySelectorAll('polyline, path')) {
          let points;
          if (e.tagName.toLowerCase() === 'polyline') {
            points = e.points ? e.points.numberOfItems : 0;
          } else {
            const numbers = (e.getAttribute('d') || '').match(/-?\d*\.?\d+(e[-+]?\d+)?/gi) || [];
            points = Math.floor(numbers.length / 2);
          }
          const b = e.getBBox();
          lines.push({ points, w: b.width, h: b.height });
        }
        return { label: s.getAttribute('aria-label') || '', lines };
      });
      // A flat line (a constant learning rate) has no height but is drawn: one side suffices.
      const good = info.lines.filter((l) => l.points >= 2 && (l.w > 0 || l.h > 0));
      const label = info.label ? `"${info.label}"` : `#${i + 1}`;
      let shot = null;
      try {
        shot = analyse(await svg.screenshot({ timeout: opts.timeout * 1000 }), PNG);
      } catch (e) { /* reported below */ }
      const visible = shot !== null && shot.coverage >= MIN_CURVE_COVERAGE;
      check(good.length > 0 && visible,
            `curve ${label}: ${info.lines.length} polylines/paths, ${good.length} with >= 2 points ` +
            `and a non-zero extent` + (shot ? `, ${fmtPct(shot.coverage)} drawn` : ', no screenshot') +
            (visible ? '' : ' (blank)'));
    }

    // ---- images ----
    const images = page.locator('img:not(.viewer-snapshot)');
    const nImages = await images.count();
    for (let i = 0; i < nImages; ++i) {
      const img = images.nth(i);
      await img.scrollIntoViewIfNeeded().catch(() => {});
      const info = await img.evaluate((im, ms) => new Promise((resolve) => {
        const report = () => resolve({ src: im.getAttribute('src'), complete: im.complete,
                                       w: im.naturalWidth, h: im.naturalHeight });
        if (im.complete) return report();
        im.addEventListener('load', report, { once: true });
        im.addEventListener('error', report, { once: true });
        setTimeout(report, ms);
      }), opts.timeout * 1000);
      check(info.complete && info.w > 0,
            `image ${info.src}: ${info.complete && info.w > 0 ? `${info.w}x${info.h}` : 'not loaded'}`);
    }

    // ---- counts ----
    for (const [what, found] of [['viewers', nViewers], ['curves', nCurves], ['images', nImages]]) {
      const want = opts.expect[what];
      check(found >= want, `${found} ${what}${want ? ` (at least ${want} expected)` : ''}`);
    }

    // ---- full page picture ----
    if (opts.screenshot) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(300);  // viewers back in view get their renderers again
      if (opts.from || opts.height) {
        const size = await page.evaluate((id) => {
          const el = id ? document.getElementById(id) : null;
          return { top: el ? el.getBoundingClientRect().top + window.scrollY : (id ? -1 : 0),
                   height: document.documentElement.scrollHeight };
        }, opts.from);
        check(size.top >= 0, `screenshot from #${opts.from}` + (size.top >= 0 ? '' : ': no such element'));
        const top = Math.max(0, size.top);
        const height = Math.min(opts.height || size.height - top, size.height - top);
        // Bring the viewers of that part into view so they have live renderers.
        await page.evaluate((y) => window.scrollTo(0, y), top);
        await page.waitForTimeout(500);
        await page.screenshot({ path: opts.screenshot, fullPage: true,
                                clip: { x: 0, y: top, width: VIEWPORT.width, height } });
        check(true, `screenshot ${opts.screenshot} (${height} px from ${top})`);
      } else {
        await page.screenshot({ path: opts.screenshot, fullPage: true });
        check(true, `full-page screenshot ${opts.screenshot}`);
      }
    }
    await page.waitForTimeout(100);  // late errors
    await context.close();
  } catch (e) {
    problems.push(`check_report itself failed: ${e.message}`);
  } finally {
    clearTimeout(deadline);
    await browser.close();
  }

  if (problems.length === 0) {
    check(true, 'no console errors, no uncaught exceptions');
  } else {
    check(false, `${problems.length} console error(s) / uncaught exception(s):`);
    for (const p of problems) console.log(`        ${p}`);
  }

  const failed = results.filter((r) => !r.ok);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failed.length) {
    console.log(`check_report: FAILED: ${failed.length} of ${results.length} checks (${seconds} s)`);
    for (const f of failed) console.log(`  - ${f.what}`);
    process.exit(1);
  }
  console.log(`check_report: all ${results.length} checks passed (${seconds} s)`);
}

main().catch((e) => {
  console.error(`check_report: ${e.stack || e}`);
  process.exit(1);
});
