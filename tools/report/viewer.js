/*
 * nsdf report viewer: 3D views of meshes and point clouds in the offline HTML report that
 * `nsdf report` writes (DIR/report.html). A classic script (no modules, no build step, plain
 * ES2017) that works from file://: the page loads assets/three.js (three's CommonJS build
 * wrapped to set window.THREE) and then this file; meshes arrive as <script src> files.
 *
 * A viewer placeholder in the page:
 *
 *   <figure class="viewer" data-mesh="meshes/NAME.js" data-name="NAME">
 *     <figcaption>caption</figcaption></figure>
 *
 * When the figure comes near the viewport (IntersectionObserver) a <script src="meshes/NAME.js">
 * is inserted; it holds one call nsdfMesh("NAME", "BASE64") with the mesh in the NSM1 form of
 * framework/report/MeshPack.h (little-endian):
 *
 *   "NSM1", uint32 V, uint32 F, float32 lo[3], float32 hi[3],
 *   uint16 positions[3V] (q = round((p - lo) / (hi - lo) * 65535)), zero padding to 4 bytes,
 *   indices uint16[3F] when V <= 65536 else uint32[3F]; F == 0: a point cloud.
 *
 * figure.dataset.state: "waiting" (not near the viewport yet), "loading", "drawn" (after the
 * first frame), "error" (a message in the figure and console.error with the name and reason).
 *
 * Each viewer has its own WebGLRenderer on a canvas above the caption (square, the figure's
 * width, devicePixelRatio up to 2), renders on demand only, and has simple orbit controls:
 * drag rotates around the bounding box centre, the wheel zooms (once the viewer has been
 * clicked, so that the wheel still scrolls a page full of viewers), a double click resets. The
 * camera starts like nsdf's own renderer (framework/geometry/Render.h): perspective, 30 degree
 * vertical field of view, looking at the bounding box centre from azimuth 30, elevation 20 (y
 * up), as near as the vertices allow with a margin. Browsers keep a limited number of WebGL
 * contexts alive (Chromium: 16, then it drops the oldest); a page may hold 24 viewers, so at
 * most MAX_LIVE renderers live at once: the least recently used one out of view is replaced by
 * a picture of its last frame and gets a new renderer when it comes back into view or is
 * touched.
 *
 * Also: clicking a header cell of a table.sortable sorts its rows by that column (numerically
 * when the column's cells are numbers; again for the reverse order).
 */
(function () {
  'use strict';

  var MAX_LIVE = 12;          // live WebGL contexts (Chromium's limit is 16)
  var NEAR_VIEWPORT = '300px'; // start loading this far before a viewer scrolls into view
  var ASPECT = 1;             // canvas height / width
  var FOV = 30;               // vertical field of view, degrees
  var HOME_AZIMUTH = 30;      // degrees, as nsdf render
  var HOME_ELEVATION = 20;
  var MARGIN = 0.08;          // empty border, fraction of the half size
  var MAX_PIXEL_RATIO = 2;
  var MESH_COLOR = 0xa9b9cf;  // light blue-grey
  var BACKGROUND = 0xffffff;

  var registry = {};  // mesh name -> {src, state: loading|ready|error, data, error, waiters[]}
  var live = [];      // viewers holding a renderer, least recently used first

  // ---- mesh files ----------------------------------------------------------------------------

  var littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  // Decodes the base64 NSM1 block; throws an Error saying what is wrong.
  function decodeMesh(base64) {
    if (typeof base64 !== 'string') throw new Error('the mesh data is not a string');
    var binary;
    try {
      binary = atob(base64);
    } catch (e) {
      throw new Error('the mesh data is not base64');
    }
    var n = binary.length;
    if (n < 36) throw new Error('only ' + n + ' bytes; the NSM1 header alone has 36');
    var bytes = new Uint8Array(n);
    for (var i = 0; i < n; ++i) bytes[i] = binary.charCodeAt(i);
    var magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
    if (magic !== 'NSM1') throw new Error('the data starts with "' + magic + '", not "NSM1"');
    if (!littleEndian) throw new Error('big-endian machines are not supported');
    var dv = new DataView(bytes.buffer);
    var V = dv.getUint32(4, true);
    var F = dv.getUint32(8, true);
    var lo = [], hi = [];
    for (var k = 0; k < 3; ++k) {
      lo.push(dv.getFloat32(12 + 4 * k, true));
      hi.push(dv.getFloat32(24 + 4 * k, true));
      if (!isFinite(lo[k]) || !isFinite(hi[k]) || hi[k] < lo[k]) {
        throw new Error('bad bounding box [' + lo[k] + ', ' + hi[k] + '] on axis ' + k);
      }
    }
    var indexStart = Math.ceil((36 + 6 * V) / 4) * 4;
    var wide = V > 65536;
    var expected = indexStart + 3 * F * (wide ? 4 : 2);
    if (n !== expected) {
      throw new Error(n + ' bytes where ' + V + ' vertices and ' + F + ' triangles take ' +
                      expected);
    }
    if (V === 0) throw new Error('the mesh is empty (0 vertices)');
    var q = new Uint16Array(bytes.buffer, 36, 3 * V);
    var positions = new Float32Array(3 * V);
    var scale = [(hi[0] - lo[0]) / 65535, (hi[1] - lo[1]) / 65535, (hi[2] - lo[2]) / 65535];
    for (i = 0; i < 3 * V; i += 3) {
      positions[i] = lo[0] + q[i] * scale[0];
      positions[i + 1] = lo[1] + q[i + 1] * scale[1];
      positions[i + 2] = lo[2] + q[i + 2] * scale[2];
    }
    var indices = null;
    if (F > 0) {
      indices = wide ? new Uint32Array(bytes.buffer, indexStart, 3 * F)
                     : new Uint16Array(bytes.buffer, indexStart, 3 * F);
      for (i = 0; i < indices.length; ++i) {
        if (indices[i] >= V) {
          throw new Error('triangle ' + Math.floor(i / 3) + ' uses vertex ' + indices[i] +
                          ' of ' + V);
        }
      }
    }
    return { V: V, F: F, lo: lo, hi: hi, positions: positions, indices: indices };
  }

  function settle(entry) {
    var waiters = entry.waiters;
    entry.waiters = [];
    for (var i = 0; i < waiters.length; ++i) {
      if (entry.state === 'ready') waiters[i].meshReady(entry.data);
      else waiters[i].fail(entry.error);
    }
  }

  // Called by each meshes/NAME.js; defined before any of them is inserted.
  window.nsdfMesh = function (name, base64) {
    var entry = registry[name];
    if (!entry) {  // not requested by a viewer (e.g. the name differs from data-name)
      entry = registry[name] = { src: null, state: 'loading', data: null, error: null, waiters: [] };
    }
    if (entry.state !== 'loading') return;
    try {
      entry.data = decodeMesh(base64);
      entry.state = 'ready';
    } catch (e) {
      entry.state = 'error';
      entry.error = 'cannot decode the mesh: ' + e.message;
    }
    settle(entry);
  };

  function requestMesh(viewer) {
    var name = viewer.name;
    var entry = registry[name];
    if (entry && entry.state === 'ready') { viewer.meshReady(entry.data); return; }
    if (entry && entry.state === 'error') { viewer.fail(entry.error); return; }
    if (entry && entry.src !== null) { entry.waiters.push(viewer); return; }
    entry = registry[name] = { src: viewer.src, state: 'loading', data: null, error: null,
                               waiters: [viewer] };
    var script = document.createElement('script');
    script.async = true;
    script.onload = function () {
      // the script has run: nsdfMesh should have been called with this name by now
      if (entry.state === 'loading') {
        entry.state = 'error';
        entry.error = viewer.src + ' loaded but did not call nsdfMesh("' + name + '", ...)';
        settle(entry);
      }
    };
    script.onerror = function () {
      if (entry.state === 'loading') {
        entry.state = 'error';
        entry.error = 'cannot load ' + viewer.src + ' (missing file?)';
        settle(entry);
      }
    };
    script.src = viewer.src;
    document.head.appendChild(script);
  }

  // ---- one viewer ----------------------------------------------------------------------------

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text) e.textContent = text;
    return e;
  }

  function Viewer(figure) {
    this.figure = figure;
    this.name = figure.getAttribute('data-name') || '';
    this.src = figure.getAttribute('data-mesh') || '';
    this.stage = el('div', 'viewer-stage');
    this.stage.title = 'drag: rotate \u00b7 click, then wheel: zoom \u00b7 double-click: reset';
    this.message = el('div', 'viewer-message', 'not loaded yet');
    this.stage.appendChild(this.message);
    figure.insertBefore(this.stage, figure.querySelector('figcaption'));
    this.requested = false;
    this.visible = false;
    this.failed = false;
    this.scene = null;
    this.renderer = null;
    this.canvas = null;
    this.snapshot = null;
    this.frameRequested = false;
    this.size = [0, 0, 0];
    this.setState('waiting');
    if (!this.name || !this.src) this.fail('the figure has no data-name or data-mesh');
  }

  Viewer.prototype.setState = function (state) {
    this.figure.setAttribute('data-state', state);
  };

  Viewer.prototype.fail = function (reason) {
    if (this.failed) return;
    this.failed = true;
    this.dropRenderer();
    if (this.snapshot) { this.snapshot.remove(); this.snapshot = null; }
    this.setState('error');
    this.message.textContent = 'Cannot show ' + (this.name || 'this mesh') + ': ' + reason;
    this.message.className = 'viewer-message viewer-error';
    this.message.hidden = false;
    console.error('nsdf viewer "' + this.name + '": ' + reason);
  };

  // Near the viewport: load the mesh, or get a renderer back.
  Viewer.prototype.wake = function () {
    if (this.failed) return;
    if (!this.requested) {
      this.requested = true;
      this.setState('loading');
      this.message.textContent = 'loading\u2026';
      requestMesh(this);
    } else if (this.scene && !this.renderer) {
      this.activate();
    }
  };

  Viewer.prototype.meshReady = function (mesh) {
    if (this.failed) return;
    try {
      this.buildScene(mesh);
    } catch (e) {
      this.fail('cannot build the scene: ' + e.message);
      return;
    }
    this.activate();
  };

  Viewer.prototype.buildScene = function (mesh) {
    var THREE = window.THREE;
    var scene = new THREE.Scene();
    scene.background = new THREE.Color(BACKGROUND);
    var geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(mesh.positions, 3));
    var center = [0, 1, 2].map(function (k) { return 0.5 * (mesh.lo[k] + mesh.hi[k]); });
    var diagonal = Math.hypot(mesh.hi[0] - mesh.lo[0], mesh.hi[1] - mesh.lo[1],
                              mesh.hi[2] - mesh.lo[2]);
    if (!(diagonal > 0)) diagonal = 1;  // one point, or all points in one place
    var object;
    if (mesh.F > 0) {
      geometry.setIndex(new THREE.BufferAttribute(mesh.indices, 1));
      geometry.computeVertexNormals();
      object = new THREE.Mesh(geometry, new THREE.MeshStandardMaterial({
        color: MESH_COLOR, roughness: 0.6, metalness: 0.0, side: THREE.DoubleSide
      }));
    } else {
      // points coloured by height (dark blue low, teal, yellow high), drawn as round dots
      var colors = new Float32Array(3 * mesh.V);
      var c = new THREE.Color();
      var ylo = mesh.lo[1], yext = mesh.hi[1] - mesh.lo[1] || 1;
      for (var i = 0; i < mesh.V; ++i) {
        var t = (mesh.positions[3 * i + 1] - ylo) / yext;
        c.setRGB(t < 0.5 ? 0.23 - 0.2 * t : -0.8 + 1.8 * t,
                 t < 0.5 ? 0.3 + 0.5 * t : 0.3 + 0.5 * t,
                 t < 0.5 ? 0.6 - 0.1 * t : 0.85 - 0.6 * t, THREE.SRGBColorSpace);
        colors[3 * i] = c.r; colors[3 * i + 1] = c.g; colors[3 * i + 2] = c.b;
      }
      geometry.setAttribute('color', new THREE.BufferAttribute(colors, 3));
      object = new THREE.Points(geometry, new THREE.PointsMaterial({
        // dots about as wide as the spacing of points spread over a surface
        size: diagonal * Math.max(0.003, Math.min(0.02, 0.6 / Math.sqrt(mesh.V))),
        sizeAttenuation: true,
        vertexColors: true, map: dotTexture(THREE), alphaTest: 0.5, transparent: false
      }));
    }
    scene.add(object);

    var camera = new THREE.PerspectiveCamera(FOV, 1 / ASPECT, diagonal * 1e-3, diagonal * 10);
    scene.add(camera);
    // light from the sky (world y) and two lights that turn with the camera: a key light from
    // the upper left and a weak head light, so nothing the camera sees is black
    scene.add(new THREE.HemisphereLight(0xffffff, 0x9a9aa6, 1.4));
    var key = new THREE.DirectionalLight(0xffffff, 1.9);
    key.position.set(-1, 1.2, 0.6);
    key.target.position.set(0, 0, -1);
    camera.add(key);
    camera.add(key.target);
    var head = new THREE.DirectionalLight(0xffffff, 0.7);
    head.position.set(0, 0, 1);
    head.target.position.set(0, 0, -1);
    camera.add(head);
    camera.add(head.target);

    this.scene = scene;
    this.camera = camera;
    this.mesh = mesh;
    this.center = new THREE.Vector3(center[0], center[1], center[2]);
    this.radius = 0.5 * diagonal;
    this.home = { azimuth: HOME_AZIMUTH, elevation: HOME_ELEVATION,
                  distance: this.frameDistance(HOME_AZIMUTH, HOME_ELEVATION) };
    this.view = { azimuth: this.home.azimuth, elevation: this.home.elevation,
                  distance: this.home.distance };
  };

  // The nearest camera distance at which every vertex lies inside the frame less the margin,
  // looking at the box centre from (azimuth, elevation).
  Viewer.prototype.frameDistance = function (azimuth, elevation) {
    var az = azimuth * Math.PI / 180, el = elevation * Math.PI / 180;
    var back = [Math.sin(az) * Math.cos(el), Math.sin(el), Math.cos(az) * Math.cos(el)];
    var right = [Math.cos(az), 0, -Math.sin(az)];
    var up = [back[1] * right[2] - back[2] * right[1], back[2] * right[0] - back[0] * right[2],
              back[0] * right[1] - back[1] * right[0]];
    var tanY = Math.tan(FOV * Math.PI / 360) * (1 - MARGIN);
    var tanX = tanY / ASPECT;
    var p = this.mesh.positions, c = this.center;
    var distance = 0;
    for (var i = 0; i < p.length; i += 3) {
      var dx = p[i] - c.x, dy = p[i + 1] - c.y, dz = p[i + 2] - c.z;
      var x = dx * right[0] + dy * right[1] + dz * right[2];
      var y = dx * up[0] + dy * up[1] + dz * up[2];
      var z = dx * back[0] + dy * back[1] + dz * back[2];
      distance = Math.max(distance, z + Math.abs(x) / tanX, z + Math.abs(y) / tanY);
    }
    return distance > 0 ? distance : this.radius / Math.sin(FOV * Math.PI / 360);
  };

  Viewer.prototype.placeCamera = function () {
    var v = this.view;
    var az = v.azimuth * Math.PI / 180, el = v.elevation * Math.PI / 180;
    var camera = this.camera;
    camera.position.set(this.center.x + v.distance * Math.sin(az) * Math.cos(el),
                        this.center.y + v.distance * Math.sin(el),
                        this.center.z + v.distance * Math.cos(az) * Math.cos(el));
    camera.up.set(0, 1, 0);
    camera.lookAt(this.center);
    camera.near = Math.max(this.radius * 1e-3, v.distance - 1.05 * this.radius);
    camera.far = v.distance + 1.05 * this.radius;
    camera.updateProjectionMatrix();
  };

  // Gives this viewer a canvas and a renderer (taking one from another viewer if need be).
  Viewer.prototype.activate = function () {
    if (this.failed || !this.scene) return;
    if (this.renderer) { touch(this); this.requestRender(); return; }
    makeRoom(this);
    var canvas = el('canvas', 'viewer-canvas');
    var renderer;
    try {
      renderer = new window.THREE.WebGLRenderer({
        canvas: canvas, antialias: true, preserveDrawingBuffer: true
      });
    } catch (e) {
      this.fail('WebGL is not available (' + e.message + ')');
      return;
    }
    var self = this;
    canvas.addEventListener('webglcontextlost', function (event) {
      if (self.renderer && self.renderer.domElement === canvas && !self.releasing) {
        // lost without us asking (GPU reset, too many contexts): redraw when touched or
        // scrolled back into view
        event.preventDefault();
        self.dropRenderer();
        self.message.textContent = 'WebGL context lost; click to redraw';
        self.message.hidden = false;
      }
    });
    this.stage.insertBefore(canvas, this.message);
    this.canvas = canvas;
    this.renderer = renderer;
    this.size = [0, 0, 0];
    live.push(this);
    this.requestRender();
  };

  // Replaces the live canvas by a picture of its last frame and frees the WebGL context.
  Viewer.prototype.release = function () {
    if (!this.renderer) return;
    if (this.figure.getAttribute('data-state') === 'drawn') {
      var picture = el('img', 'viewer-snapshot');
      picture.alt = this.name;
      try {
        picture.src = this.canvas.toDataURL('image/png');
        if (this.snapshot) this.snapshot.remove();
        this.snapshot = picture;
        this.stage.insertBefore(picture, this.canvas);
      } catch (e) { /* no picture: the stage stays white until redrawn */ }
    }
    this.dropRenderer();
  };

  Viewer.prototype.dropRenderer = function () {
    var i = live.indexOf(this);
    if (i >= 0) live.splice(i, 1);
    if (!this.renderer) return;
    this.releasing = true;
    try {
      this.renderer.dispose();
      this.renderer.forceContextLoss();
    } catch (e) { /* already lost */ }
    this.releasing = false;
    if (this.canvas) this.canvas.remove();
    this.renderer = null;
    this.canvas = null;
  };

  Viewer.prototype.requestRender = function () {
    if (this.frameRequested || !this.renderer) return;
    this.frameRequested = true;
    var self = this;
    requestAnimationFrame(function () {
      self.frameRequested = false;
      self.render();
    });
  };

  Viewer.prototype.render = function () {
    var renderer = this.renderer;
    if (!renderer) return;
    var width = this.stage.clientWidth;
    if (width === 0) return;  // hidden (e.g. in a closed <details>): draw when shown
    var height = Math.max(1, Math.round(width * ASPECT));
    var ratio = Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO);
    if (width !== this.size[0] || height !== this.size[1] || ratio !== this.size[2]) {
      renderer.setPixelRatio(ratio);
      renderer.setSize(width, height, false);  // the CSS sizes the canvas
      this.camera.aspect = width / height;
      this.size = [width, height, ratio];
    }
    try {
      this.placeCamera();
      renderer.render(this.scene, this.camera);
    } catch (e) {
      this.fail('cannot render: ' + e.message);
      return;
    }
    if (this.snapshot) { this.snapshot.remove(); this.snapshot = null; }
    if (this.figure.getAttribute('data-state') !== 'drawn') {
      this.message.hidden = true;
      this.setState('drawn');
    }
  };

  // Orbit controls: drag rotates, wheel zooms, double click resets. The wheel zooms only once
  // the viewer has been clicked or dragged (until the pointer leaves it): a page of viewers
  // still scrolls with the wheel.
  Viewer.prototype.bindControls = function () {
    var self = this, stage = this.stage, drag = null, engaged = false;
    function ready() {
      if (self.failed || !self.scene) return false;
      if (!self.renderer) self.activate();
      else touch(self);
      return !!self.renderer;
    }
    stage.addEventListener('pointerdown', function (event) {
      if (event.button !== 0 || !ready()) return;
      engaged = true;
      drag = { id: event.pointerId, x: event.clientX, y: event.clientY };
      stage.setPointerCapture(event.pointerId);
      stage.classList.add('dragging');
      event.preventDefault();
    });
    stage.addEventListener('pointermove', function (event) {
      if (!drag || event.pointerId !== drag.id) return;
      var speed = 270 / Math.max(200, stage.clientWidth);  // degrees per pixel
      self.view.azimuth -= (event.clientX - drag.x) * speed;
      self.view.elevation = Math.max(-89, Math.min(89,
        self.view.elevation + (event.clientY - drag.y) * speed));
      drag.x = event.clientX;
      drag.y = event.clientY;
      self.requestRender();
    });
    function endDrag(event) {
      if (!drag || event.pointerId !== drag.id) return;
      drag = null;
      stage.classList.remove('dragging');
      if (event.type === 'pointercancel') engaged = false;
    }
    stage.addEventListener('pointerup', endDrag);
    stage.addEventListener('pointercancel', endDrag);
    stage.addEventListener('pointerleave', function () { if (!drag) engaged = false; });
    stage.addEventListener('wheel', function (event) {
      if (!engaged || !ready()) return;
      event.preventDefault();
      var delta = event.deltaY * (event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1);
      var d = self.view.distance * Math.exp(Math.max(-100, Math.min(100, delta)) * 0.002);
      self.view.distance = Math.max(0.05 * self.home.distance,
                                    Math.min(20 * self.home.distance, d));
      self.requestRender();
    }, { passive: false });
    stage.addEventListener('dblclick', function (event) {
      if (!ready()) return;
      event.preventDefault();
      self.view = { azimuth: self.home.azimuth, elevation: self.home.elevation,
                    distance: self.home.distance };
      self.requestRender();
    });
  };

  function touch(viewer) {
    var i = live.indexOf(viewer);
    if (i >= 0 && i !== live.length - 1) {
      live.splice(i, 1);
      live.push(viewer);
    }
  }

  // Frees a WebGL context for `viewer` when MAX_LIVE are in use: the least recently used viewer
  // out of view, else the least recently used one.
  function makeRoom(viewer) {
    while (live.length >= MAX_LIVE) {
      var victim = null;
      for (var i = 0; i < live.length && !victim; ++i) {
        if (!live[i].visible && live[i] !== viewer) victim = live[i];
      }
      if (!victim) victim = live[0] !== viewer ? live[0] : live[1];
      victim.release();
    }
  }

  var dotTextureCanvas = null;
  function dotTexture(THREE) {
    if (!dotTextureCanvas) {
      dotTextureCanvas = document.createElement('canvas');
      dotTextureCanvas.width = dotTextureCanvas.height = 64;
      var g = dotTextureCanvas.getContext('2d');
      g.fillStyle = '#ffffff';
      g.beginPath();
      g.arc(32, 32, 30, 0, 2 * Math.PI);
      g.fill();
    }
    return new THREE.CanvasTexture(dotTextureCanvas);
  }

  // ---- sortable tables -----------------------------------------------------------------------

  function cellNumber(text) {
    var t = text.trim();
    if (t === '') return null;
    if (/^[+-]?(nan|inf|infinity)$/i.test(t)) {
      return /nan/i.test(t) ? NaN : (t.charAt(0) === '-' ? -Infinity : Infinity);
    }
    var v = Number(t);
    return isNaN(v) ? undefined : v;
  }

  function sortTable(table, column, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    var rows = Array.prototype.slice.call(body.rows);
    var keys = rows.map(function (row, index) {
      var cell = row.cells[column];
      var text = cell ? cell.textContent : '';
      return { row: row, index: index, text: text.trim(), number: cellNumber(text) };
    });
    var numeric = keys.every(function (k) { return k.number !== undefined; }) &&
                  keys.some(function (k) { return k.number !== null; });
    var sign = ascending ? 1 : -1;
    keys.sort(function (a, b) {
      // empty cells and NaN last in both orders
      var aMissing = a.text === '' || (numeric && isNaN(a.number));
      var bMissing = b.text === '' || (numeric && isNaN(b.number));
      if (aMissing !== bMissing) return aMissing ? 1 : -1;
      var d = 0;
      if (!aMissing) {
        d = numeric ? (a.number < b.number ? -1 : a.number > b.number ? 1 : 0)
                    : a.text.localeCompare(b.text, undefined, { numeric: true });
      }
      return d !== 0 ? sign * d : a.index - b.index;
    });
    keys.forEach(function (k) { body.appendChild(k.row); });
    var cells = th.parentNode.cells;
    for (var i = 0; i < cells.length; ++i) cells[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  }

  function initSortable(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return;
    var cells = head.rows[head.rows.length - 1].cells;
    Array.prototype.forEach.call(cells, function (th, column) {
      th.tabIndex = 0;
      th.title = 'sort by this column';
      th.addEventListener('click', function () { sortTable(table, column, th); });
      th.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          sortTable(table, column, th);
        }
      });
    });
  }

  // ---- start -----------------------------------------------------------------------------------

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), initSortable);

    var figures = document.querySelectorAll('figure.viewer');
    if (!figures.length) return;
    var viewers = Array.prototype.map.call(figures, function (f) { return new Viewer(f); });
    if (!window.THREE || !window.THREE.WebGLRenderer) {
      viewers.forEach(function (v) { v.fail('three.js did not load (assets/three.js)'); });
      return;
    }
    viewers.forEach(function (v) { v.bindControls(); });

    if (typeof ResizeObserver === 'function') {
      var resizes = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { entry.target.nsdfViewer.requestRender(); });
      });
      viewers.forEach(function (v) { v.stage.nsdfViewer = v; resizes.observe(v.stage); });
    } else {
      window.addEventListener('resize', function () {
        viewers.forEach(function (v) { v.requestRender(); });
      });
    }

    if (typeof IntersectionObserver !== 'function') {
      viewers.forEach(function (v) { v.visible = true; v.wake(); });
      return;
    }
    // `near` starts loading ahead of time; `seen` tells which viewers are really on screen,
    // the ones whose renderers are kept.
    var near = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) entry.target.nsdfViewer.wake();
      });
    }, { rootMargin: NEAR_VIEWPORT });
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var v = entry.target.nsdfViewer;
        v.visible = entry.isIntersecting;
        if (v.visible) v.wake();
      });
    });
    viewers.forEach(function (v) {
      v.figure.nsdfViewer = v;
      near.observe(v.figure);
      seen.observe(v.figure);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
