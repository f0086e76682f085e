/* Shared by /api/test and /api/debug: outputs rendered by category, downscaled previews.
 *
 * Everything that comes from the spec or from a response is put on the page with
 * textContent or as attribute values, never as HTML. Pictures are decoded from data URLs
 * into blob URLs (out of the JS heap) and drawn downscaled on canvases, so pages stay
 * usable with many cases and large (2000x2000) images; a click shows the full picture.
 */
"use strict";

window.AModule = (function () {
  const PALETTE = [
    [230, 57, 70], [0, 200, 83], [41, 121, 255], [244, 162, 97], [155, 93, 229],
    [0, 187, 249], [241, 91, 181], [128, 185, 24], [255, 190, 11], [121, 85, 72],
  ];
  const owned = new WeakMap(); // element -> blob URLs to revoke when it is re-rendered
  const baseImages = new Map(); // src -> Promise<HTMLImageElement>, a few recent ones

  /** h("div", {className, text, attrs, on}, children): an element, never parsing HTML. */
  function h(tag, props, children) {
    const node = document.createElement(tag);
    const p = props || {};
    if (p.className) node.className = p.className;
    if (p.text !== undefined && p.text !== null) node.textContent = String(p.text);
    for (const [key, value] of Object.entries(p.attrs || {})) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(key, String(value));
    }
    for (const [event, handler] of Object.entries(p.on || {})) node.addEventListener(event, handler);
    for (const child of children || []) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function color(index, alpha) {
    const [r, g, b] = PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
    return alpha === undefined ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
  }

  /** Preview size: at most ``max`` pixels each side; small pictures (an 8x8 digit) are
   * enlarged by a whole factor, up to 256 pixels, so that their pixels stay sharp. */
  function fit(width, height, max) {
    const side = Math.max(width, height, 1);
    const scale = side * 2 <= Math.min(max, 256) ? Math.floor(Math.min(max, 256) / side) : Math.min(1, max / side);
    return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
  }

  function drawScaled(c2d, img, w, hgt) {
    c2d.imageSmoothingEnabled = w <= img.naturalWidth; // enlarged pixels stay sharp
    c2d.drawImage(img, 0, 0, w, hgt);
  }

  function loadImage(src) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.decoding = "async";
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("the picture cannot be shown"));
      img.src = src;
    });
  }

  /** The input picture under overlays, loaded once per source (a few kept). */
  function baseImage(src) {
    if (!baseImages.has(src)) {
      if (baseImages.size >= 8) baseImages.delete(baseImages.keys().next().value);
      baseImages.set(src, loadImage(src).catch(() => null));
    }
    return baseImages.get(src);
  }

  function own(owner, url) {
    if (!owner) return;
    if (!owned.has(owner)) owned.set(owner, []);
    owned.get(owner).push(url);
  }

  /** Forget the blob URLs made for what ``owner`` showed before. */
  function release(owner) {
    for (const url of owned.get(owner) || []) URL.revokeObjectURL(url);
    owned.delete(owner);
  }

  async function blobUrl(dataUrl, owner) {
    const blob = await (await fetch(dataUrl)).blob();
    const url = URL.createObjectURL(blob);
    own(owner, url);
    return url;
  }

  function isImageUrl(value) {
    return typeof value === "string" && value.startsWith("data:image/");
  }

  function isNpyUrl(value) {
    return typeof value === "string" && value.startsWith("data:ndarray/npy");
  }

  function formatBytes(n) {
    return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(0)} kB` : `${(n / 1048576).toFixed(1)} MB`;
  }

  // ------------------------------------------------------------------ npy arrays

  const NPY_TYPES = {
    "u1": Uint8Array, "i1": Int8Array, "b1": Uint8Array, "u2": Uint16Array, "i2": Int16Array,
    "u4": Uint32Array, "i4": Int32Array, "f4": Float32Array, "f8": Float64Array,
    "i8": typeof BigInt64Array === "undefined" ? null : BigInt64Array,
    "u8": typeof BigUint64Array === "undefined" ? null : BigUint64Array,
  };

  /** {dtype, shape, data} of a little-endian, C-order .npy data URL, or {error}. */
  function parseNpy(dataUrl) {
    const bytes = Uint8Array.from(atob(dataUrl.slice(dataUrl.indexOf(",") + 1)), (c) => c.charCodeAt(0));
    if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.slice(1, 6)) !== "NUMPY") {
      return { error: "not an .npy array" };
    }
    const view = new DataView(bytes.buffer);
    const major = bytes[6];
    const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
    const start = major === 1 ? 10 : 12;
    const header = new TextDecoder().decode(bytes.slice(start, start + headerLength));
    const descr = (header.match(/'descr':\s*'([^']*)'/) || [])[1] || "?";
    const fortran = /'fortran_order':\s*True/.test(header);
    const shapeText = (header.match(/'shape':\s*\(([^)]*)\)/) || [])[1] || "";
    const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s).map(Number);
    const code = descr.slice(1);
    const Type = NPY_TYPES[code];
    const size = shape.reduce((a, b) => a * b, 1);
    const summary = `ndarray ${descr} (${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
    if (!Type || descr[0] === ">" || fortran) return { summary, shape, error: "no preview for this dtype" };
    const offset = start + headerLength;
    let data = new Type(bytes.buffer, offset, size);
    if (code === "i8" || code === "u8") data = Float64Array.from(data, Number);
    return { summary, shape, data, bytes: bytes.length };
  }

  /** Scaled grey or colour preview pixels of a 2-D or (h, w, 3|4) array, or null. */
  function arrayPreview(array, max) {
    const shape = array.shape || [];
    if (!array.data || !(shape.length === 2 || (shape.length === 3 && (shape[2] === 3 || shape[2] === 4)))) return null;
    const [height, width] = shape;
    const channels = shape.length === 3 ? shape[2] : 1;
    let low = Infinity;
    let high = -Infinity;
    for (const v of array.data) {
      if (Number.isFinite(v)) { if (v < low) low = v; if (v > high) high = v; }
    }
    const uint8 = array.data instanceof Uint8Array && shape.length === 3;
    const span = high > low ? 255 / (high - low) : 0;
    const [w, hgt] = fit(width, height, max);
    const image = new ImageData(w, hgt);
    for (let y = 0; y < hgt; y++) {
      const sy = Math.min(height - 1, Math.floor((y * height) / hgt));
      for (let x = 0; x < w; x++) {
        const sx = Math.min(width - 1, Math.floor((x * width) / w));
        const at = (sy * width + sx) * channels;
        const o = (y * w + x) * 4;
        for (let c = 0; c < 3; c++) {
          const v = array.data[at + (channels === 1 ? 0 : c)];
          image.data[o + c] = uint8 ? v : Number.isFinite(v) ? (v - low) * span : v > 0 ? 255 : 0;
        }
        image.data[o + 3] = channels === 4 ? array.data[at + 3] : 255;
      }
    }
    return image;
  }

  // ------------------------------------------------------------------ pictures

  function canvasOf(width, height) {
    return h("canvas", { attrs: { width, height } });
  }

  function lightbox(src) {
    let box = document.getElementById("lightbox");
    if (!box) {
      box = h("div", { attrs: { id: "lightbox", role: "dialog", "aria-label": "full-size picture" } });
      box.addEventListener("click", () => { box.hidden = true; box.replaceChildren(); });
      document.addEventListener("keydown", (e) => { if (e.key === "Escape") { box.hidden = true; box.replaceChildren(); } });
      document.body.append(box);
    }
    box.replaceChildren(h("img", { attrs: { src, alt: "full-size picture" } }));
    box.hidden = false;
  }

  /** A figure whose canvas shows the picture of ``value`` (image or npy data URL). */
  function picture(value, caption, ctx) {
    const max = (ctx && ctx.preview) || 320;
    const figure = h("figure", { className: "picture" });
    const note = h("figcaption", { text: caption || "" });
    if (isNpyUrl(value)) {
      const array = parseNpy(value);
      const pixels = array.error ? null : arrayPreview(array, max);
      if (pixels) {
        const canvas = canvasOf(pixels.width, pixels.height);
        canvas.getContext("2d").putImageData(pixels, 0, 0);
        figure.append(canvas);
      } else {
        figure.append(h("code", { className: "literal", text: array.summary || array.error }));
      }
      const link = h("a", { className: "download", text: "download .npy", attrs: { href: "#", download: `${caption || "array"}.npy` } });
      link.addEventListener("click", async (e) => {
        if (link.getAttribute("href") !== "#") return;
        e.preventDefault();
        link.href = await blobUrl(value, ctx && ctx.owner);
        link.click();
      });
      note.append(caption ? " · " : "", array.summary || "", " · ", link);
      figure.append(note);
      return figure;
    }
    const canvas = canvasOf(max, Math.round(max * 0.6));
    canvas.classList.add("loading");
    figure.append(canvas, note);
    blobUrl(value, ctx && ctx.owner)
      .then(async (url) => {
        const img = await loadImage(url);
        const [w, hgt] = fit(img.naturalWidth, img.naturalHeight, max);
        canvas.width = w;
        canvas.height = hgt;
        drawScaled(canvas.getContext("2d"), img, w, hgt);
        canvas.classList.remove("loading");
        canvas.classList.add("zoomable");
        canvas.title = `${img.naturalWidth} × ${img.naturalHeight} — click for full size`;
        canvas.addEventListener("click", () => lightbox(url));
        figure.dataset.width = img.naturalWidth;
        figure.dataset.height = img.naturalHeight;
        figure.dataset.ready = "true";
      })
      .catch((err) => { canvas.replaceWith(h("span", { className: "muted", text: err.message })); });
    return figure;
  }

  // ------------------------------------------------------------------ categories

  function labelName(labels, index) {
    return index >= 0 && index < labels.length ? labels[index] : `#${index}`;
  }

  /** Label index of a mask value: the value itself, or 0/1 for a 0/255 two-label mask. */
  function labelIndex(value, labels, maxValue) {
    if (labels.length === 2 && maxValue >= labels.length) return value > 0 ? 1 : 0;
    return value;
  }

  async function maskValues(value, max) {
    if (isNpyUrl(value)) {
      const array = parseNpy(value);
      if (array.error || array.shape.length !== 2) return null;
      const [height, width] = array.shape;
      const [w, hgt] = fit(width, height, max);
      const out = new Float64Array(w * hgt);
      for (let y = 0; y < hgt; y++) {
        const sy = Math.floor((y * height) / hgt);
        for (let x = 0; x < w; x++) out[y * w + x] = Number(array.data[sy * width + Math.floor((x * width) / w)]);
      }
      return { w, h: hgt, width, height, values: out };
    }
    const url = await blobUrl(value, null);
    try {
      const img = await loadImage(url);
      const [w, hgt] = fit(img.naturalWidth, img.naturalHeight, max);
      const canvas = canvasOf(w, hgt);
      const c2d = canvas.getContext("2d", { willReadFrequently: true });
      c2d.imageSmoothingEnabled = false; // label values must not blend
      c2d.drawImage(img, 0, 0, w, hgt);
      const rgba = c2d.getImageData(0, 0, w, hgt).data;
      const out = new Float64Array(w * hgt);
      for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4];
      return { w, h: hgt, width: img.naturalWidth, height: img.naturalHeight, values: out };
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  function segmentation(value, out, ctx, caption) {
    const labels = (out.category && out.category.labels) || [];
    const max = (ctx && ctx.preview) || 320;
    const figure = h("figure", { className: "picture segmentation" });
    const stack = h("div", { className: "stack" });
    const legend = h("ul", { className: "legend" });
    const toggle = h("input", { attrs: { type: "checkbox", checked: true } });
    const note = h("figcaption", { text: caption || "" });
    figure.append(stack, legend, note);
    (async () => {
      const mask = await maskValues(value, max);
      if (!mask) { figure.replaceWith(picture(value, caption, ctx)); return; }
      let maxValue = 0;
      for (const v of mask.values) if (v > maxValue) maxValue = v;
      const base = ctx && ctx.base ? await baseImage(ctx.base.src) : null;
      const under = canvasOf(mask.w, mask.h);
      const c2d = under.getContext("2d");
      const baseWidth = base ? (ctx.base.width || base.naturalWidth) : 0;
      const baseHeight = base ? (ctx.base.height || base.naturalHeight) : 0;
      if (base && Math.abs(baseWidth / baseHeight - mask.width / mask.height) < 0.02) {
        drawScaled(c2d, base, mask.w, mask.h);
        figure.classList.add("has-base");
      } else {
        c2d.fillStyle = "#1f2430";
        c2d.fillRect(0, 0, mask.w, mask.h);
      }
      const over = canvasOf(mask.w, mask.h);
      over.className = "overlay";
      const pixels = new ImageData(mask.w, mask.h);
      const present = new Set();
      mask.values.forEach((v, i) => {
        const index = labelIndex(v, labels, maxValue);
        present.add(index);
        if (index === 0) return; // label 0 is the background: left clear
        const [r, g, b] = PALETTE[index % PALETTE.length];
        pixels.data.set([r, g, b, 255], i * 4);
      });
      over.getContext("2d").putImageData(pixels, 0, 0);
      stack.append(under, over);
      const shown = new Set([...labels.keys(), ...present]);
      for (const index of [...shown].sort((a, b) => a - b).slice(0, 24)) {
        const swatch = h("span", { className: index === 0 ? "swatch clear" : "swatch" });
        if (index !== 0) swatch.style.background = color(index);
        legend.append(h("li", { className: present.has(index) ? "present" : "absent" }, [swatch, labelName(labels, index)]));
      }
      toggle.addEventListener("change", () => { over.hidden = !toggle.checked; });
      note.append(" ", h("label", { className: "toggle" }, [toggle, " overlay"]));
      figure.dataset.ready = "true";
    })().catch((err) => note.append(` (${err.message})`));
    return figure;
  }

  function classification(value, out, caption) {
    const labels = (out.category && out.category.labels) || [];
    const box = h("div", { className: "classification" });
    if (caption) box.append(h("div", { className: "caption", text: caption }));
    if (Array.isArray(value) && value.every((v) => typeof v === "number")) {
      const entries = value.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p);
      const scale = Math.max(1, ...value.map(Math.abs));
      for (const [rank, { p, i }] of entries.slice(0, 10).entries()) {
        const bar = h("span", { className: "bar" });
        bar.style.width = `${Math.max(0, (100 * p) / scale).toFixed(1)}%`;
        box.append(h("div", { className: rank === 0 ? "class-row top" : "class-row" }, [
          h("span", { className: "class-label", text: labelName(labels, i) }),
          h("span", { className: "bar-track" }, [bar]),
          h("span", { className: "class-value", text: Number.isInteger(p) ? p : p.toFixed(3) }),
        ]));
      }
      if (entries.length > 10) box.append(h("div", { className: "muted", text: `… and ${entries.length - 10} more` }));
    } else {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        const text = typeof item === "number" && Number.isInteger(item) ? `${labelName(labels, item)} (${item})` : String(item);
        box.append(h("span", { className: "chip top", text }));
      }
    }
    return box;
  }

  function drawGeometry(c2d, kind, g, scale) {
    c2d.beginPath();
    if (kind === "point") {
      c2d.arc(g[0] * scale, g[1] * scale, 4, 0, 2 * Math.PI);
      c2d.fill();
      return [g[0], g[1]];
    }
    if (kind === "circle") {
      c2d.arc(g[0] * scale, g[1] * scale, g[2] * scale, 0, 2 * Math.PI);
    } else if (kind === "ellipse") { // rotation in degrees, as OpenCV writes it
      c2d.ellipse(g[0] * scale, g[1] * scale, g[2] * scale, g[3] * scale, (g[4] * Math.PI) / 180, 0, 2 * Math.PI);
    } else if (kind === "rect") {
      c2d.rect(g[0] * scale, g[1] * scale, g[2] * scale, g[3] * scale);
    } else if (kind === "polyline") {
      g.forEach((pt, i) => (i ? c2d.lineTo(pt[0] * scale, pt[1] * scale) : c2d.moveTo(pt[0] * scale, pt[1] * scale)));
    }
    c2d.stroke();
    if (kind === "polyline") return g.length ? g[0] : [0, 0];
    if (kind === "rect") return [g[0], g[1]];
    return [g[0] - (g[2] || 0), g[1] - (g[3] || g[2] || 0)];
  }

  function extent(annotations) {
    let w = 1;
    let hgt = 1;
    const grow = (x, y) => { w = Math.max(w, x); hgt = Math.max(hgt, y); };
    for (const [kind, geoms] of annotations) {
      for (const g of geoms || []) {
        if (kind === "polyline") g.forEach((p) => grow(p[0], p[1]));
        else if (kind === "rect") grow(g[0] + g[2], g[1] + g[3]);
        else grow(g[0] + (g[2] || 0), g[1] + (g[3] || g[2] || 0));
      }
    }
    return [Math.ceil(w * 1.05), Math.ceil(hgt * 1.05)];
  }

  /** Annotations drawn over the input picture; label i of a list names its i-th annotation. */
  function detection(value, out, ctx, caption) {
    const labels = (out.category && out.category.labels) || [];
    const single = Array.isArray(value) && typeof value[0] === "string";
    const annotations = single ? [value] : Array.isArray(value) ? value : [];
    const max = (ctx && ctx.preview) || 320;
    const figure = h("figure", { className: "picture detection" });
    const list = h("ul", { className: "legend" });
    figure.append(list);
    (async () => {
      const base = ctx && ctx.base ? await baseImage(ctx.base.src) : null;
      const [width, height] = base
        ? [ctx.base.width || base.naturalWidth, ctx.base.height || base.naturalHeight]
        : extent(annotations);
      const [w, hgt] = fit(width, height, max);
      const scale = w / width;
      const canvas = canvasOf(w, hgt);
      const c2d = canvas.getContext("2d");
      if (base) drawScaled(c2d, base, w, hgt);
      else { c2d.fillStyle = "#1f2430"; c2d.fillRect(0, 0, w, hgt); }
      c2d.lineWidth = 2;
      c2d.font = "11px system-ui, sans-serif";
      annotations.forEach(([kind, geoms], a) => {
        (geoms || []).forEach((g, j) => {
          const index = single ? (labels.length === (geoms || []).length ? j : 0) : a;
          const name = labels.length ? labelName(labels, index) : `${kind} ${j}`;
          c2d.strokeStyle = c2d.fillStyle = color(index);
          const [x, y] = drawGeometry(c2d, kind, g, scale);
          const tw = c2d.measureText(name).width + 6;
          const tx = Math.max(0, Math.min(x * scale, w - tw)); // the tag stays inside the picture
          const ty = Math.max(0, y * scale - 14);
          c2d.fillRect(tx, ty, tw, 14);
          c2d.fillStyle = "#fff";
          c2d.fillText(name, tx + 3, ty + 11);
        });
        const swatch = h("span", { className: "swatch" });
        swatch.style.background = color(single ? 0 : a);
        const name = single || !labels.length ? kind : labelName(labels, a);
        list.append(h("li", { className: "present" }, [swatch, `${name}: ${(geoms || []).length} ${kind}`]));
      });
      figure.prepend(canvas);
      figure.dataset.ready = "true";
    })();
    figure.append(h("figcaption", { text: caption || "" }));
    return figure;
  }

  function plainValue(value, unit) {
    if (Array.isArray(value) && value.some((v) => isImageUrl(v) || isNpyUrl(v))) return null;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const shown = text.length > 400 ? `${text.slice(0, 400)}…` : text;
    return h("span", { className: "value" }, [h("code", { text: shown }), unit ? h("span", { className: "unit", text: ` ${unit}` }) : null]);
  }

  /** The element showing one output value by its category (see the module docstring). */
  function renderValue(value, out, ctx, caption) {
    const category = out.category ? out.category.name : "";
    if (value === null || value === undefined) return h("span", { className: "muted", text: "—" });
    if (category === "segmentation" && (isImageUrl(value) || isNpyUrl(value))) return segmentation(value, out, ctx, caption);
    if (category === "classification") return classification(value, out, caption);
    if (category === "detection" && Array.isArray(value)) return detection(value, out, ctx, caption);
    if (isImageUrl(value) || isNpyUrl(value)) return picture(value, caption, ctx);
    if (Array.isArray(value) && value.some((v) => isImageUrl(v) || isNpyUrl(v))) {
      return h("div", { className: "pictures" }, value.map((v, i) => renderValue(v, out, ctx, `${caption || ""}[${i}]`)));
    }
    const unit = category === "measurement" && out.category.unit ? out.category.unit : "";
    const box = h("div", { className: "scalar" });
    if (caption) box.append(h("div", { className: "caption", text: caption }));
    box.append(plainValue(value, unit));
    return box;
  }

  /** A data-URL-free copy of ``data`` for showing raw JSON (long data URLs shortened). */
  function shortened(data) {
    return JSON.parse(JSON.stringify(data, (key, value) => {
      if (typeof value === "string" && value.startsWith("data:") && value.length > 120) {
        return `${value.slice(0, 60)}…(${formatBytes(value.length)} data URL)`;
      }
      return value;
    }));
  }

  // Test-data thumbnails without a picture (a 1-D array, ...) show "no preview" instead.
  function noPicture(img) {
    const holder = img.closest("a.thumb, button.pick");
    if (holder) holder.classList.add("no-picture");
  }
  document.addEventListener("error", (e) => { if (e.target instanceof HTMLImageElement) noPicture(e.target); }, true);
  for (const img of document.querySelectorAll("a.thumb img, button.pick img")) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) noPicture(img);
  }

  return {
    h, color, fit, drawScaled, loadImage, own, release, blobUrl, parseNpy, arrayPreview, picture, renderValue,
    shortened, formatBytes, isImageUrl, isNpyUrl,
  };
})();
