"""The page ``ember serve`` shows at ``/``: draw on a canvas, see the model's prediction.

One self-contained HTML document (no external resources). It reads ``/metadata``, turns the
drawing into the model's input shape in the browser (crop to the ink, centre, average blocks of
pixels down to height x width, map 0-255 onto the training data's ``value_range``) and posts it
to ``/predict`` as JSON while the person draws.
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ember serve</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
  h1 { font-size: 1.3rem; margin: 0 0 1rem; }
  .row { display: flex; gap: 2rem; flex-wrap: wrap; align-items: flex-start; }
  #board { background: #000; border-radius: 6px; touch-action: none; cursor: crosshair; }
  #preview { width: 112px; height: 112px; image-rendering: pixelated; background: #000;
             border: 1px solid #ccc; }
  button { margin-top: .5rem; padding: .35rem 1rem; font-size: 1rem; }
  #prediction { font-size: 4rem; font-weight: 700; line-height: 1; min-width: 3rem; }
  .bar { display: flex; align-items: center; gap: .4rem; margin: 2px 0; font-size: .85rem; }
  .bar .name { width: 4rem; text-align: right; overflow: hidden; text-overflow: ellipsis; }
  .bar .track { width: 200px; height: 14px; background: #e4e4e4; border-radius: 3px; }
  .bar .fill { height: 14px; background: #e8590c; border-radius: 3px; width: 0; }
  .bar.top .fill { background: #2f9e44; }
  .bar .value { width: 3.5rem; font-variant-numeric: tabular-nums; }
  table { border-collapse: collapse; font-size: .85rem; table-layout: fixed; width: 20rem; }
  td { padding: 2px 8px 2px 0; vertical-align: top; overflow-wrap: anywhere; }
  td:first-child { width: 6rem; color: #666; }
  #status { color: #a00; font-size: .85rem; min-height: 1.2em; }
</style>
</head>
<body>
<h1>ember serve: draw a digit</h1>
<div class="row">
  <div>
    <canvas id="board" width="280" height="280"></canvas><br>
    <button id="clear">Clear</button>
    <div id="status"></div>
  </div>
  <div>
    <div>Prediction</div>
    <div id="prediction">&ndash;</div>
    <div style="margin-top:.6rem">What the model sees</div>
    <canvas id="preview" width="8" height="8"></canvas>
  </div>
  <div>
    <div>Probabilities</div>
    <div id="bars"></div>
    <div style="margin-top:.8rem">Model</div>
    <table id="meta"></table>
  </div>
</div>
<script>
"use strict";
const board = document.getElementById("board"), ctx = board.getContext("2d");
const preview = document.getElementById("preview");
const predictionEl = document.getElementById("prediction"), statusEl = document.getElementById("status");
let meta = null, drawing = false, last = null, inFlight = false, dirty = false, hasInk = false;

function clearBoard() {
  ctx.fillStyle = "#000"; ctx.fillRect(0, 0, board.width, board.height);
  preview.getContext("2d").clearRect(0, 0, preview.width, preview.height);
  predictionEl.textContent = "\\u2013"; hasInk = false; dirty = false; showBars(null);
}

function point(e) {
  const r = board.getBoundingClientRect();
  return [(e.clientX - r.left) * board.width / r.width, (e.clientY - r.top) * board.height / r.height];
}

function stroke(a, b) {
  ctx.strokeStyle = "#fff"; ctx.lineWidth = board.width / 14; ctx.lineCap = "round"; ctx.lineJoin = "round";
  ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
  hasInk = true; schedule();
}

board.addEventListener("pointerdown", e => {
  drawing = true; last = point(e); board.setPointerCapture(e.pointerId); stroke(last, last);
});
board.addEventListener("pointermove", e => {
  if (!drawing) return;
  const p = point(e); stroke(last, p); last = p;
});
["pointerup", "pointercancel"].forEach(t => board.addEventListener(t, () => { drawing = false; schedule(); }));
document.getElementById("clear").addEventListener("click", clearBoard);

// The drawing as the model's input: crop a square around the ink (digits are centred and
// fill their box), average blocks of pixels down to height x width, map 0-255 onto value_range.
function modelInput() {
  const [c, h, w] = meta.input_shape;
  const src = ctx.getImageData(0, 0, board.width, board.height).data;
  let x0 = board.width, y0 = board.height, x1 = -1, y1 = -1;
  for (let y = 0; y < board.height; y++)
    for (let x = 0; x < board.width; x++)
      if (src[4 * (y * board.width + x)] > 32) {
        if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      }
  if (x1 < 0) return null;
  const side = Math.max(x1 - x0, y1 - y0, 1) * 1.15, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const k = Math.max(1, Math.min(8, Math.floor(256 / Math.max(h, w))));  // sub-pixels per input pixel
  const tmp = document.createElement("canvas"); tmp.width = w * k; tmp.height = h * k;
  const t = tmp.getContext("2d");
  t.fillStyle = "#000"; t.fillRect(0, 0, tmp.width, tmp.height);
  t.drawImage(board, cx - side / 2, cy - side / 2, side, side, 0, 0, tmp.width, tmp.height);
  const px = t.getImageData(0, 0, tmp.width, tmp.height).data;
  const [lo, hi] = meta.value_range;
  const img = preview.getContext("2d").createImageData(w, h);
  const sample = [];
  for (let ch = 0; ch < c; ch++) {
    const plane = [];
    for (let i = 0; i < h; i++) {
      const row = [];
      for (let j = 0; j < w; j++) {
        let sum = 0;
        for (let a = 0; a < k; a++)
          for (let b = 0; b < k; b++)
            sum += px[4 * ((i * k + a) * tmp.width + j * k + b) + (c === 3 ? ch : 0)];
        const v = sum / (k * k);  // 0-255, the block's average
        row.push(lo + (hi - lo) * v / 255);
        if (ch === 0 || c === 3) {
          const o = 4 * (i * w + j);
          if (c !== 3) { img.data[o] = img.data[o + 1] = img.data[o + 2] = v; } else { img.data[o + ch] = v; }
          img.data[o + 3] = 255;
        }
      }
      plane.push(row);
    }
    sample.push(plane);
  }
  preview.getContext("2d").putImageData(img, 0, 0);
  return sample;
}

function schedule() {
  dirty = true;
  if (!inFlight) predict();
}

async function predict() {
  if (!meta || !dirty) return;
  dirty = false;
  const sample = hasInk ? modelInput() : null;
  if (!sample) return;
  inFlight = true;
  try {
    const r = await fetch("predict", { method: "POST", headers: { "Content-Type": "application/json" },
                                       body: JSON.stringify({ inputs: sample }) });
    const out = await r.json();
    if (!r.ok) throw new Error(out.error || r.status);
    if (hasInk) { predictionEl.textContent = out.labels[0]; showBars(out.probabilities[0]); }
    statusEl.textContent = "";
  } catch (err) {
    statusEl.textContent = "prediction failed: " + err.message;
  } finally {
    inFlight = false;
    if (dirty) predict();  // the drawing changed while the request was out
  }
}

function showBars(probs) {
  const bars = document.getElementById("bars");
  if (!meta) return;
  if (bars.children.length !== meta.classes.length) {
    bars.innerHTML = "";
    meta.classes.forEach(name => {
      const d = document.createElement("div"); d.className = "bar";
      d.innerHTML = '<span class="name"></span><span class="track"><div class="fill"></div></span><span class="value"></span>';
      d.querySelector(".name").textContent = name;
      bars.appendChild(d);
    });
  }
  const top = probs ? probs.indexOf(Math.max(...probs)) : -1;
  [...bars.children].forEach((d, i) => {
    const p = probs ? probs[i] : 0;
    d.classList.toggle("top", i === top);
    d.querySelector(".fill").style.width = (100 * p).toFixed(1) + "%";
    d.querySelector(".value").textContent = probs ? (100 * p).toFixed(1) + "%" : "";
  });
}

fetch("metadata").then(r => r.json()).then(m => {
  meta = m;
  const [c, h, w] = m.input_shape;
  preview.width = w; preview.height = h;
  preview.style.height = (112 * h / w) + "px";
  const rows = [["input shape", JSON.stringify(m.input_shape)], ["classes", m.classes.join(", ")],
                ["value range", JSON.stringify(m.value_range)], ["model", m.model], ["format", m.format],
                ["source", m.source], ["max batch", m.max_batch], ["max wait", m.max_wait_ms + " ms"]];
  const table = document.getElementById("meta");
  rows.forEach(([k, v]) => {
    if (v === undefined) return;
    const tr = table.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = v;
  });
  if (m.input_shape.length !== 3) statusEl.textContent = "this model's input is not an image";
  clearBoard();
}).catch(err => { statusEl.textContent = "cannot read /metadata: " + err.message; });
</script>
</body>
</html>
"""
