/* annosim.js: the widget toolkit of `widgets/` for HTML twins, plus the paper's JS API.
 *
 * A twin describes its GUI with the same nodes as the Python `view()`
 * (Box/Row/Column, Button, Label, Canvas, Picture; canvas items Image, Circle,
 * Line, Polyline, Text; `annosim.window` = `widgets.layouts.window`) and
 * registers its state machine with `annosim.register({...})`. This file turns
 * the tree into DOM (real <button>s, a <canvas> drawn with canvas 2D), keeps it
 * up to date, and exposes setTaskData / setState / getState / executeAction /
 * hitTest on `window`. See playwright_parity/README.md.
 */
(function () {
  "use strict";

  // widgets/theme.py, field for field (tests/test_parity.py checks they agree).
  // THEMES-BEGIN
  const THEMES = {
    "dark": {
      "window_bg": "#1e1e1e", "panel_bg": "#252526", "text": "#e0e0e0", "text_dim": "#9a9a9a",
      "title": "#ffffff", "button_bg": "#3a3d41", "button_border": "#5a5d61", "button_text": "#f0f0f0",
      "button_active_bg": "#0e639c", "button_active_border": "#3794ff", "button_disabled_bg": "#2a2a2a",
      "button_disabled_text": "#6a6a6a", "status_bg": "#007acc", "status_text": "#ffffff",
      "canvas_border": "#444444", "accent": "#3794ff", "radius": 4, "border_width": 1, "font_size": 13,
      "title_size": 15, "small_size": 11, "button_height": 28, "gap": 6, "padding": 12
    },
    "light": {
      "window_bg": "#f3f3f3", "panel_bg": "#e8e8e8", "text": "#202020", "text_dim": "#606060",
      "title": "#000000", "button_bg": "#ffffff", "button_border": "#b0b0b0", "button_text": "#202020",
      "button_active_bg": "#cce4ff", "button_active_border": "#0066cc", "button_disabled_bg": "#eeeeee",
      "button_disabled_text": "#a0a0a0", "status_bg": "#dddddd", "status_text": "#202020",
      "canvas_border": "#999999", "accent": "#0066cc", "radius": 4, "border_width": 1, "font_size": 13,
      "title_size": 15, "small_size": 11, "button_height": 28, "gap": 6, "padding": 12
    },
    "retro": {
      "window_bg": "#000080", "panel_bg": "#0000a8", "text": "#ffff55", "text_dim": "#55ffff",
      "title": "#ffffff", "button_bg": "#c0c0c0", "button_border": "#ffffff", "button_text": "#000000",
      "button_active_bg": "#55ff55", "button_active_border": "#ffffff", "button_disabled_bg": "#808080",
      "button_disabled_text": "#404040", "status_bg": "#00aaaa", "status_text": "#000000",
      "canvas_border": "#ffffff", "accent": "#ff55ff", "radius": 0, "border_width": 2, "font_size": 13,
      "title_size": 15, "small_size": 11, "button_height": 28, "gap": 6, "padding": 12
    }
  };
  // THEMES-END

  const params = new URLSearchParams(window.location.search);
  const themeName = params.get("theme") || "dark";
  const layoutName = params.get("layout") || "right";
  if (!THEMES[themeName]) throw new Error(`theme: unknown theme ${themeName}; known: ${Object.keys(THEMES)}`);
  if (layoutName !== "right" && layoutName !== "left") throw new Error(`layout: unknown panel position ${layoutName}`);
  const theme = THEMES[themeName];

  // -- nodes: the fields of widgets/nodes.py (snake_case kept, so views transliterate 1:1) ----------
  const Box = (opts, ...children) => ({kind: "box", direction: "column", padding: 0, gap: 0, border_width: 0,
    radius: 0, align: "stretch", flex: 0, ...opts, children: children.flat().filter((c) => c != null)});
  const Row = (opts, ...children) => Box({...opts, direction: "row"}, ...children);
  const Column = (opts, ...children) => Box({...opts, direction: "column"}, ...children);
  const Spacer = (flex = 1, opts = {}) => Box({flex, ...opts});
  const Button = (label, action, opts = {}) => ({kind: "button", label, action, enabled: true, active: false, flex: 0, ...opts});
  const Label = (text, opts = {}) => ({kind: "label", text, align: "left", bold: false, padding_x: 0, flex: 0, ...opts});
  const Canvas = (width, height, items = [], opts = {}) => ({kind: "canvas", width, height, items, background: "#000000", flex: 0, ...opts});
  const Picture = (width, height, items = [], opts = {}) => ({...Canvas(width, height, items, opts), kind: "picture"});
  // canvas display list (canvas pixel coordinates)
  const Image = (img, smooth = false) => ({item: "image", img, smooth});
  const Circle = (x, y, r, opts = {}) => ({item: "circle", x, y, r, fill: null, stroke: null, stroke_width: 1, ...opts});
  const Line = (x0, y0, x1, y1, opts = {}) => ({item: "line", x0, y0, x1, y1, color: "#ffffff", width: 1, ...opts});
  const Polyline = (points, opts = {}) => ({item: "polyline", points, color: "#ffffff", width: 1, closed: false, fill: null, ...opts});
  const Text = (x, y, text, opts = {}) => ({item: "text", x, y, text, color: "#ffffff", size: 10, bold: false, ...opts});

  const pad4 = (p) => (Array.isArray(p) ? p : [p, p, p, p]);

  /** widgets.layouts.window: padding | canvas | gap | panel | padding, then the status bar. */
  function window_(title, canvas, panel, status, {panel_width, height = null, layout = layoutName, hint = null}) {
    const pad = theme.padding;
    const side = Column({width: panel_width, gap: theme.gap}, ...panel);
    const body = Row({gap: pad, align: "start"}, ...(layout === "right" ? [canvas, side] : [side, canvas]));
    const width = pad + canvas.width + pad + panel_width + pad;
    return Column({width, height, padding: pad, gap: theme.gap, background: theme.window_bg},
      title ? Label(title, {height: 22, font_size: theme.title_size, color: theme.title, bold: true}) : null,
      body,
      Label(status, {height: 26, color: theme.status_text, background: theme.status_bg, padding_x: 8}),
      hint !== null ? Label(hint, {flex: 1, color: theme.text_dim, font_size: theme.small_size}) : null);
  }

  // -- DOM --------------------------------------------------------------------------------------------
  // The tree's shape (sizes, nesting) decides the DOM; content (texts, flags, items) is updated in place,
  // as widgets.layout caches geometry per shape.
  function shapeKey(n) {
    switch (n.kind) {
      case "box": return JSON.stringify(["B", n.direction, n.width, n.height, pad4(n.padding), n.gap, n.border_width,
        n.align, n.flex, n.children.map(shapeKey)]);
      case "button": return `b${n.width},${n.height},${n.flex}`;
      case "label": return `L${n.width},${n.height},${n.font_size},${n.flex}`;
      default: return `${n.kind}${n.width},${n.height},${n.flex}`;
    }
  }

  const ALIGN = {stretch: "stretch", start: "flex-start", center: "center", end: "flex-end"};

  /** Size along one axis the way widgets.layout._natural/_place do: fixed, flex share, stretch or natural. */
  function sizeChild(el, n, parent) {
    const row = parent.direction === "row";
    const main = row ? n.width : n.height;
    const cross = row ? n.height : n.width;
    const natural = {button: [n.width || 0, n.height || theme.button_height],
      label: [n.width || 0, n.height || (n.font_size || theme.font_size) + 8]}[n.kind];
    if (main != null) el.style[row ? "width" : "height"] = `${main}px`;
    // A flex child's basis is its natural size: in a box sized by its content (a window without a
    // height) widgets.layout gives it exactly that; elsewhere integerLayout() sets the share.
    else if (n.flex > 0) el.style.flex = `${n.flex} ${n.flex} ${natural ? natural[row ? 0 : 1] : 0}px`;
    else if (natural) el.style[row ? "width" : "height"] = `${natural[row ? 0 : 1]}px`;
    if (cross != null) el.style[row ? "height" : "width"] = `${cross}px`;
    else if (parent.align !== "stretch" && natural) el.style[row ? "height" : "width"] = `${natural[row ? 1 : 0]}px`;
  }

  function build(n, parent) {
    let el;
    if (n.kind === "box") {
      el = document.createElement("div");
      el.className = "as-box";
      const [t, r, b, l] = pad4(n.padding);
      Object.assign(el.style, {flexDirection: n.direction, gap: `${n.gap}px`, padding: `${t}px ${r}px ${b}px ${l}px`,
        alignItems: ALIGN[n.align], borderWidth: `${n.border_width}px`, borderRadius: `${n.radius}px`});
      for (const c of n.children) el.appendChild(build(c, n));
    } else if (n.kind === "button") {
      el = document.createElement("button");
      el.className = "as-button";
      el.dataset.action = n.action;
      Object.assign(el.style, {borderWidth: `${theme.border_width}px`, borderRadius: `${theme.radius}px`,
        fontSize: `${n.font_size || theme.font_size}px`});
      el.style.setProperty("--as-bw", `${theme.border_width}px`);
      el.addEventListener("click", () => api.executeAction({type: "press", name: el.dataset.action}));
    } else if (n.kind === "label") {
      el = document.createElement("div");
      el.className = "as-label";
    } else if (n.kind === "canvas" || n.kind === "picture") {
      el = document.createElement("canvas");
      el.className = "as-canvas" + (n.kind === "canvas" ? " as-interactive" : "");
      el.width = n.width;
      el.height = n.height;
      Object.assign(el.style, {width: `${n.width}px`, height: `${n.height}px`});
      if (n.kind === "canvas") {
        el.addEventListener("click", (ev) => {
          const a = hitTest(ev.clientX, ev.clientY);
          if (a && a.type === "place") api.executeAction(a);
        });
      }
    } else {
      throw new Error(`annosim: unknown node kind ${n.kind}`);
    }
    if (parent) sizeChild(el, n, parent);
    else {
      if (n.width != null) el.style.width = `${n.width}px`;
      if (n.height != null) el.style.height = `${n.height}px`;
    }
    el._node = n;
    return el;
  }

  /** widgets.layout's integer rules where CSS would use fractions or count borders: `flex` children get
   *  floor shares of the free space (the remainder one pixel at a time from the first), whatever
   *  their borders, and `align: "center"` floors an odd slack. Sizes become explicit pixels, parents
   *  first, so nested boxes see their final size. */
  function integerLayout(el) {
    const n = el._node;
    if (n.kind !== "box") return;
    const row = n.direction === "row";
    const kids = Array.from(el.children);
    const cs = getComputedStyle(el);
    const inner = row
      ? el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
      : el.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    const flexers = kids.filter((k) => k._node.flex > 0 && (row ? k._node.width : k._node.height) == null);
    if (flexers.length) {
      const fixed = kids.filter((k) => !flexers.includes(k))
        .reduce((sum, k) => sum + (row ? k.offsetWidth : k.offsetHeight), 0);
      const free = inner - fixed - n.gap * (kids.length - 1);
      const total = flexers.reduce((sum, k) => sum + k._node.flex, 0);
      const shares = flexers.map((k) => Math.floor((free * k._node.flex) / total));
      let rem = free - shares.reduce((a, b) => a + b, 0);
      flexers.forEach((k, i) => {
        const size = shares[i] + (rem-- > 0 ? 1 : 0);
        k.style.flex = "none";
        k.style[row ? "width" : "height"] = `${size}px`;
      });
    }
    if (n.align === "center") {
      const crossInner = row
        ? el.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)
        : el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      for (const k of kids) {
        const slack = crossInner - (row ? k.offsetHeight : k.offsetWidth);
        k.style.alignSelf = "flex-start";
        k.style[row ? "marginTop" : "marginLeft"] = `${Math.floor(slack / 2)}px`;
      }
    }
    for (const k of kids) integerLayout(k);
  }

  /** Blink centres a line box of `line-height: H` exactly like widgets.text.baseline_in_box(height=H). */
  function fixLineHeights(root) {
    for (const el of root.querySelectorAll(".as-label, .as-button")) el.style.lineHeight = `${el.clientHeight}px`;
  }

  function update(el, n) {
    el._node = n;
    if (n.kind === "box") {
      el.style.background = n.background || "transparent";
      el.style.borderColor = n.border || "transparent";
      n.children.forEach((c, i) => update(el.children[i], c));
    } else if (n.kind === "button") {
      if (el.textContent !== n.label) el.textContent = n.label;
      el.dataset.action = n.action;
      el.disabled = !n.enabled;
      el.classList.toggle("as-active", !!n.active);
    } else if (n.kind === "label") {
      if (el.textContent !== n.text) el.textContent = n.text;
      const px = n.padding_x || 0;
      Object.assign(el.style, {color: n.color || theme.text, background: n.background || "transparent",
        fontSize: `${n.font_size || theme.font_size}px`, fontWeight: n.bold ? "bold" : "normal",
        textAlign: n.align, paddingLeft: `${px}px`, paddingRight: `${px}px`});
    } else {
      draw(el, n);
    }
  }

  // -- canvas 2D: the display list as widgets/raster.py draws it ------------------------------------------
  function draw(canvas, n) {
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = n.background;
    ctx.fillRect(0, 0, n.width, n.height);
    for (const it of n.items) {
      if (it.item === "image") {
        ctx.imageSmoothingEnabled = !!it.smooth;
        ctx.imageSmoothingQuality = "low";   // = Skia linear sampling (widgets.raster)
        ctx.drawImage(it.img, 0, 0, n.width, n.height);
      } else if (it.item === "circle") {
        ctx.beginPath();
        ctx.arc(it.x, it.y, it.r, 0, 2 * Math.PI);
        if (it.fill) { ctx.fillStyle = it.fill; ctx.fill(); }
        if (it.stroke) { ctx.strokeStyle = it.stroke; ctx.lineWidth = it.stroke_width; ctx.stroke(); }
      } else if (it.item === "line") {
        ctx.beginPath();
        ctx.moveTo(it.x0, it.y0);
        ctx.lineTo(it.x1, it.y1);
        ctx.strokeStyle = it.color; ctx.lineWidth = it.width; ctx.lineCap = "butt";
        ctx.stroke();
      } else if (it.item === "polyline") {
        if (it.points.length < 2) continue;
        ctx.beginPath();
        ctx.moveTo(it.points[0][0], it.points[0][1]);
        for (const p of it.points.slice(1)) ctx.lineTo(p[0], p[1]);
        if (it.closed) ctx.closePath();
        if (it.fill) { ctx.fillStyle = it.fill; ctx.fill(); }
        if (it.color) {
          ctx.strokeStyle = it.color; ctx.lineWidth = it.width; ctx.lineJoin = "miter"; ctx.miterLimit = 10;
          ctx.stroke();
        }
      } else if (it.item === "text") {
        ctx.font = `${it.bold ? "bold " : ""}${it.size}px "DejaVu Sans"`;
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillStyle = it.color;
        ctx.fillText(it.text, it.x, it.y);
      } else {
        throw new Error(`annosim: unknown canvas item ${it.item}`);
      }
    }
  }

  let mounted = null;   // {key, el}

  function mount(tree) {
    const root = document.getElementById("annosim-root");
    const key = shapeKey(tree);
    if (!mounted || mounted.key !== key) {
      const el = build(tree, null);
      root.replaceChildren(el);
      update(el, tree);
      integerLayout(el);
      fixLineHeights(el);
      mounted = {key, el};
    } else {
      update(mounted.el, tree);
    }
  }

  /** The action a click at window pixel (x, y) fires, or null: widgets.hit_test on the DOM.
   *  Blink hit-tests a point p as the unit square [p, p+1): asking for floor(x), floor(y) gives the
   *  pixel that holds (x, y), which is widgets' convention (pixel i covers [i, i+1)). */
  function hitTest(x, y) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    const el = document.elementFromPoint(Math.floor(x), Math.floor(y));
    if (!el) return null;
    const button = el.closest(".as-button");
    if (button) return button.disabled ? null : {type: "press", name: button.dataset.action};
    if (el.classList.contains("as-interactive")) {
      const r = el.getBoundingClientRect();
      return {type: "place", u: (x - r.left) / r.width, v: (y - r.top) / r.height};
    }
    return null;
  }

  /** What the DOM's hit map depends on: every control's rect and disabled flag, the canvas rect. */
  function hitGeometry() {
    const rect = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const parts = [];
    for (const el of document.querySelectorAll(".as-button")) parts.push([el.dataset.action, el.disabled, rect(el)]);
    for (const el of document.querySelectorAll(".as-interactive")) parts.push(["canvas", rect(el)]);
    return JSON.stringify([window.innerWidth, window.innerHeight, parts]);
  }

  // -- task data: PNG data URLs become decoded images -----------------------------------------------------
  async function decodeRasters(value) {
    if (typeof value === "string" && value.startsWith("data:image/")) {
      const img = new window.Image();
      img.src = value;
      await img.decode();
      return img;
    }
    if (Array.isArray(value)) return Promise.all(value.map(decodeRasters));
    if (value && typeof value === "object") {
      const out = {};
      for (const [k, v] of Object.entries(value)) out[k] = await decodeRasters(v);
      return out;
    }
    return value;
  }

  function normalizeAction(a) {
    if (typeof a === "string") return {type: "press", name: a};   // the paper's executeAction("mip")
    if (!a || (a.type !== "press" && a.type !== "place")) throw new Error(`action: expected {type: 'press'|'place', ...}, got ${JSON.stringify(a)}`);
    return a;
  }

  // -- the paper's API, over the registered twin ------------------------------------------------------------
  let twin = null, data = null, state = null;
  const clone = (s) => JSON.parse(JSON.stringify(s));

  function render() {
    if (!twin || !data) return;
    mount(twin.view(state, data, theme));
  }

  const api = {
    async setTaskData(taskData) {
      data = await decodeRasters(taskData);
      state = twin.initialState(data);
      render();
      return true;
    },
    setState(s) {
      if (!data) throw new Error("setState: call setTaskData first");
      state = twin.parseState ? twin.parseState(clone(s), data) : clone(s);
      render();
      return true;
    },
    getState() { return clone(state); },
    executeAction(action) {
      if (!data) throw new Error("executeAction: call setTaskData first");
      const before = JSON.stringify(state);
      state = twin.apply(state, normalizeAction(action), data);
      render();
      return {success: JSON.stringify(state) !== before};
    },
    hitTest,
    /** Many hit tests in one call (the harness's hit maps). */
    hitTestMany(points) { return points.map(([x, y]) => hitTest(x, y)); },
  };

  function register(t) {
    for (const f of ["initialState", "apply", "view"]) {
      if (typeof t[f] !== "function") throw new Error(`annosim.register: the twin lacks ${f}()`);
    }
    twin = t;
    Object.assign(window, api);
    // Until task data arrives, tell a person how to get some (mount() replaces this).
    const root = document.getElementById("annosim-root");
    if (root && !data) {
      const msg = document.createElement("div");
      msg.className = "as-label";
      Object.assign(msg.style, {color: theme.text, padding: "24px", fontSize: "13px", whiteSpace: "pre-line"});
      msg.textContent = "No task loaded.\nDrop a task file onto this page; make one with\n" +
        "python -m playwright_parity --task <task> --export-seed 0";
      root.replaceChildren(msg);
    }
    window.annosimReady = true;
  }

  // A person can drop a task JSON written by `python -m playwright_parity --out DIR` onto the page.
  document.addEventListener("dragover", (ev) => ev.preventDefault());
  document.addEventListener("drop", async (ev) => {
    ev.preventDefault();
    const file = ev.dataTransfer.files[0];
    if (!file) return;
    const obj = JSON.parse(await file.text());
    await api.setTaskData(obj.data);
    if (obj.state) api.setState(obj.state);
  });

  document.body.style.setProperty("--window_bg", theme.window_bg);
  for (const [k, v] of Object.entries(theme)) if (typeof v === "string") document.body.style.setProperty(`--${k}`, v);

  window.annosim = {THEMES, theme, themeName, layoutName, Box, Row, Column, Spacer, Button, Label, Canvas, Picture,
    Image, Circle, Line, Polyline, Text, window: window_, mount, hitTest, hitGeometry, register, api};
})();
