// Charts drawn with inline SVG and canvas: line chart, histogram, scatter, bars, heat map.

const SVG = "http://www.w3.org/2000/svg";
export const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
];

export function el(name, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function clear(svg) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
}

export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

function extent(values, pad = 0.05) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  let low = Math.min(...finite);
  let high = Math.max(...finite);
  if (low === high) {
    low -= 1;
    high += 1;
  }
  const margin = (high - low) * pad;
  return [low - margin, high + margin];
}

function frame(svg, width, height, { right = 12 } = {}) {
  clear(svg);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  return { left: 58, right: width - right, top: 12, bottom: height - 40 };
}

// About `count` round values (1, 2 or 5 times a power of ten) spanning [low, high].
export function ticks(low, high, count = 5) {
  if (!Number.isFinite(low) || !Number.isFinite(high) || high <= low) return [low];
  const raw = (high - low) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const values = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) {
    values.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return values;
}

// Both axes with tick marks and tick labels at round values, and a label on each axis
// (with its unit): every chart says what it shows.
export function axes(svg, box, [x0, x1], [y0, y1], xLabel, yLabel, { xTicks = null, yTicks = null } = {}) {
  const group = el("g", { class: "axes" }, svg);
  el("line", { x1: box.left, y1: box.bottom, x2: box.right, y2: box.bottom, class: "axis" }, group);
  el("line", { x1: box.left, y1: box.top, x2: box.left, y2: box.bottom, class: "axis" }, group);
  const text = (x, y, content, anchor, extra = {}) => {
    const node = el("text", { x, y, "text-anchor": anchor, class: "tick", ...extra }, group);
    node.textContent = content;
    return node;
  };
  const sx = scale([x0, x1], [box.left, box.right]);
  const sy = scale([y0, y1], [box.bottom, box.top]);
  for (const v of xTicks || ticks(x0, x1, Math.max(2, Math.round((box.right - box.left) / 70)))) {
    const x = sx(v);
    el("line", { x1: x, y1: box.bottom, x2: x, y2: box.bottom + 4, class: "axis tick-mark" }, group);
    text(x, box.bottom + 15, formatNumber(v), "middle", { "data-axis": "x" });
  }
  for (const v of yTicks || ticks(y0, y1, Math.max(2, Math.round((box.bottom - box.top) / 40)))) {
    const y = sy(v);
    el("line", { x1: box.left - 4, y1: y, x2: box.left, y2: y, class: "axis tick-mark" }, group);
    text(box.left - 6, y + 3, formatNumber(v), "end", { "data-axis": "y" });
  }
  text((box.left + box.right) / 2, box.bottom + 32, xLabel, "middle", { class: "label x-label" });
  const y = (box.top + box.bottom) / 2;
  text(12, y, yLabel, "middle", { class: "label y-label", transform: `rotate(-90 12 ${y})` });
}

function scale([d0, d1], [r0, r1]) {
  return (v) => r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);
}

// series: [{name, points: [[x, y], ...], className}]
export function lineChart(svg, series, { xLabel = "", yLabel = "", width = 480, height = 240 } = {}) {
  const box = frame(svg, width, height);
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xr = extent(xs, 0);
  const yr = extent(ys);
  axes(svg, box, xr, yr, xLabel, yLabel);
  const sx = scale(xr, [box.left, box.right]);
  const sy = scale(yr, [box.bottom, box.top]);
  series.forEach((s, i) => {
    const points = s.points.filter((p) => Number.isFinite(p[1]));
    if (!points.length) return;
    const colour = PALETTE[i % PALETTE.length];
    el("polyline", {
      points: points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" "),
      fill: "none", stroke: colour, "stroke-width": 2, class: `series ${s.className || ""}`,
    }, svg);
    for (const [x, y] of points) {
      el("circle", { cx: sx(x), cy: sy(y), r: 2.5, fill: colour, class: "point" }, svg);
    }
    const legend = el("text", { x: box.right - 4, y: box.top + 12 + 14 * i, "text-anchor": "end", fill: colour, class: "legend" }, svg);
    legend.textContent = s.name;
  });
}

// A histogram of {edges, counts}, with a marker at `value` when it is a number.
export function histogram(svg, { edges, counts }, { value = null, xLabel = "", width = 480, height = 220 } = {}) {
  const box = frame(svg, width, height);
  const lowEdge = edges[0];
  const highEdge = edges[edges.length - 1];
  const xr = [Math.min(lowEdge, value ?? lowEdge), Math.max(highEdge, value ?? highEdge)];
  const pad = (xr[1] - xr[0]) * 0.03 || 1;
  xr[0] -= pad;
  xr[1] += pad;
  const yr = [0, Math.max(1, ...counts)];
  axes(svg, box, xr, yr, xLabel, "examples (count)");
  const sx = scale(xr, [box.left, box.right]);
  const sy = scale(yr, [box.bottom, box.top]);
  counts.forEach((count, i) => {
    const x = sx(edges[i]);
    const w = Math.max(0.5, sx(edges[i + 1]) - x - 0.5);
    const bar = el("rect", { x, y: sy(count), width: w, height: box.bottom - sy(count), class: "bar" }, svg);
    el("title", {}, bar).textContent = `${formatNumber(edges[i])} to ${formatNumber(edges[i + 1])}: ${count} examples`;
  });
  if (value !== null && Number.isFinite(value)) {
    const x = sx(value);
    el("line", { x1: x, y1: box.top, x2: x, y2: box.bottom, class: "marker" }, svg);
    const label = el("text", { x: Math.min(Math.max(x, box.left + 30), box.right - 30), y: box.top + 10, "text-anchor": "middle", class: "marker-label" }, svg);
    label.textContent = "yours";
  }
}

// Points coloured by label (when given; `classes` names them in the legend), and an optional
// highlighted point.
export function scatter(svg, points, { labels = null, classes = null, highlight = null, xLabel = "", yLabel = "", width = 320, height = 320 } = {}) {
  const name = (label) => (classes && classes[label] !== undefined ? classes[label] : String(label));
  const box = frame(svg, width, height);
  const all = highlight ? [...points, highlight] : points;
  const xr = extent(all.map((p) => p[0]));
  const yr = extent(all.map((p) => p[1]));
  axes(svg, box, xr, yr, xLabel, yLabel);
  const sx = scale(xr, [box.left, box.right]);
  const sy = scale(yr, [box.bottom, box.top]);
  points.forEach(([x, y], i) => {
    const colour = labels ? PALETTE[labels[i] % PALETTE.length] : "#8899aa";
    const dot = el("circle", { cx: sx(x), cy: sy(y), r: 2.2, fill: colour, "fill-opacity": 0.6 }, svg);
    // hovering a point says what it is
    el("title", {}, dot).textContent = `(${formatNumber(x)}, ${formatNumber(y)})${labels ? `, class ${name(labels[i])}` : ""}`;
  });
  if (highlight) {
    el("circle", { cx: sx(highlight[0]), cy: sy(highlight[1]), r: 7, class: "highlight" }, svg);
  }
  if (labels) {
    // the legend: one swatch per class (the first ten; the palette has ten colours)
    const seen = [...new Set(labels)].sort((a, b) => a - b).slice(0, PALETTE.length);
    seen.forEach((label, i) => {
      const y = box.top + 10 + 11 * i;
      const colour = PALETTE[label % PALETTE.length];
      el("circle", { cx: box.right - 4, cy: y - 3.5, r: 3, fill: colour, class: "legend-swatch" }, svg);
      const t = el("text", { x: box.right - 10, y, "text-anchor": "end", fill: colour, class: "legend small" }, svg);
      t.textContent = name(label);
    });
  }
}

// Horizontal-free bar chart of probabilities, one bar per component.
export function bars(svg, values, { xLabel = "component", yLabel = "p(k | x)", names = null, width = 320, height = 200 } = {}) {
  const box = frame(svg, width, height);
  const step = (box.right - box.left) / Math.max(1, values.length);
  const every = Math.ceil(values.length / 10);
  const xTicks = values.map((_, i) => i).filter((i) => i % every === 0);
  // component k's bar is centred on k: the axis runs from -0.5 to K - 0.5
  axes(svg, box, [-0.5, values.length - 0.5], [0, 1], xLabel, yLabel, { xTicks });
  values.forEach((v, i) => {
    const h = (box.bottom - box.top) * Math.max(0, Math.min(1, v));
    const bar = el("rect", { x: box.left + i * step + 1, y: box.bottom - h, width: Math.max(1, step - 2), height: h, fill: PALETTE[i % PALETTE.length] }, svg);
    el("title", {}, bar).textContent = `${names ? `class ${names[i]}` : `component ${i}`}: p = ${formatNumber(v)}`;
  });
}

// Viridis-like colour map, t in [0, 1].
const STOPS = [
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];
function colour(t) {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  return STOPS[i].map((c, j) => Math.round(c + f * (STOPS[i + 1][j] - c)));
}

// grid: {x: [nx], y: [ny], log_density: [ny][nx]} drawn onto `canvas`; returns the data->pixel maps.
export function heatmap(canvas, grid) {
  const nx = grid.x.length;
  const ny = grid.y.length;
  const values = grid.log_density.flat().filter(Number.isFinite);
  const sorted = [...values].sort((a, b) => a - b);
  const high = sorted[sorted.length - 1];
  const low = Math.max(sorted[0], sorted[Math.floor(sorted.length * 0.02)], high - 12);
  const small = document.createElement("canvas");
  small.width = nx;
  small.height = ny;
  const context = small.getContext("2d");
  const image = context.createImageData(nx, ny);
  for (let row = 0; row < ny; row += 1) {
    for (let col = 0; col < nx; col += 1) {
      const v = grid.log_density[row][col];
      const [r, g, b] = colour(Number.isFinite(v) ? (v - low) / (high - low || 1) : 0);
      const k = ((ny - 1 - row) * nx + col) * 4; // y grows upwards
      image.data.set([r, g, b, 255], k);
    }
  }
  context.putImageData(image, 0, 0);
  const target = canvas.getContext("2d");
  target.imageSmoothingEnabled = true;
  target.clearRect(0, 0, canvas.width, canvas.height);
  target.drawImage(small, 0, 0, canvas.width, canvas.height);
  const [x0, x1] = [grid.x[0], grid.x[nx - 1]];
  const [y0, y1] = [grid.y[0], grid.y[ny - 1]];
  return {
    toPixel: ([x, y]) => [((x - x0) / (x1 - x0)) * canvas.width, ((y1 - y) / (y1 - y0)) * canvas.height],
    toData: ([px, py]) => [x0 + (px / canvas.width) * (x1 - x0), y1 - (py / canvas.height) * (y1 - y0)],
    range: { low, high },
    extent: { x: [x0, x1], y: [y0, y1] },
    // log p at the grid point nearest to a data point
    valueAt: ([x, y]) => {
      const col = Math.round(((x - x0) / (x1 - x0)) * (nx - 1));
      const row = Math.round(((y - y0) / (y1 - y0)) * (ny - 1));
      return col < 0 || row < 0 || col >= nx || row >= ny ? null : grid.log_density[row][col];
    },
  };
}

// The frame of a heat map drawn by `heatmap`: the map sits at DENSITY_BOX of this SVG's
// 560 x 600 view box (style.css puts the canvas there); axes in data units, and a colour bar
// of the log-density below, in nats.
export const DENSITY_BOX = { left: 56, right: 536, top: 10, bottom: 490 };
export function densityFrame(svg, map, { xLabel = "x₁", yLabel = "x₂", unit = "log p(x), nats" } = {}) {
  clear(svg);
  svg.setAttribute("viewBox", "0 0 560 600");
  const box = DENSITY_BOX;
  axes(svg, box, map.extent.x, map.extent.y, xLabel, yLabel);
  const bar = { left: box.left, right: box.right, top: 540, bottom: 552 };
  const gradient = el("linearGradient", { id: "density-gradient", x1: "0", x2: "1", y1: "0", y2: "0" }, el("defs", {}, svg));
  for (let i = 0; i <= 10; i += 1) {
    const [r, g, b] = colour(i / 10);
    el("stop", { offset: `${i * 10}%`, "stop-color": `rgb(${r},${g},${b})` }, gradient);
  }
  const group = el("g", { class: "colour-bar" }, svg);
  el("rect", { x: bar.left, y: bar.top, width: bar.right - bar.left, height: bar.bottom - bar.top, fill: "url(#density-gradient)", class: "colour-bar-fill" }, group);
  const { low, high } = map.range;
  const sx = scale([low, high], [bar.left, bar.right]);
  for (const v of ticks(low, high, 6)) {
    el("line", { x1: sx(v), y1: bar.bottom, x2: sx(v), y2: bar.bottom + 4, class: "axis tick-mark" }, group);
    const t = el("text", { x: sx(v), y: bar.bottom + 15, "text-anchor": "middle", class: "tick", "data-axis": "colour" }, group);
    t.textContent = formatNumber(v);
  }
  const label = el("text", { x: (bar.left + bar.right) / 2, y: 590, "text-anchor": "middle", class: "label colour-label" }, group);
  label.textContent = `colour: ${unit} (lower values drawn as the lowest colour)`;
}

// Ellipse of a 2x2 covariance at `radius` standard deviations, as polygon points in data space.
export function ellipse(mean, cov, radius = 2, segments = 64) {
  const [[a, b], [, c]] = cov;
  const half = (a - c) / 2;
  const root = Math.sqrt(half * half + b * b);
  const l1 = Math.max(0, (a + c) / 2 + root);
  const l2 = Math.max(0, (a + c) / 2 - root);
  const angle = 0.5 * Math.atan2(2 * b, a - c);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const points = [];
  for (let i = 0; i < segments; i += 1) {
    const t = (2 * Math.PI * i) / segments;
    const u = radius * Math.sqrt(l1) * Math.cos(t);
    const v = radius * Math.sqrt(l2) * Math.sin(t);
    points.push([mean[0] + u * cos - v * sin, mean[1] + u * sin + v * cos]);
  }
  return points;
}
