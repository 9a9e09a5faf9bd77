// Node-side checks of an exported model with onnxruntime-node (the runtime the product uses).
//   node models/train/onnx_tool.mjs verify  <model.onnx> <verify.json>          max |onnx - torch| on saved cases
//   node models/train/onnx_tool.mjs predict <model.onnx> <windows.json> <out.json>  logits for scoring in Python
//   node models/train/onnx_tool.mjs bench   <model.onnx> <windows.json> [runs=5] [batch=8]  windows/s, median of runs
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import ort from 'onnxruntime-node';

const [mode, modelPath, dataPath, a3, a4] = process.argv.slice(2);

async function session() {
  const t = performance.now();
  const s = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  return { s, loadMs: performance.now() - t };
}

// A window is an array of ids (phi-ner/1) or {ids, shapes} (phi-ner/2, shapes = case class per token).
const idsOf = (w) => (Array.isArray(w) ? w : w.ids);

function tensor(s, rows, len) {
  const ids = new BigInt64Array(rows.length * len);
  const mask = new BigInt64Array(rows.length * len);
  const shp = new BigInt64Array(rows.length * len);
  rows.forEach((r, i) => idsOf(r).forEach((v, j) => {
    ids[i * len + j] = BigInt(v); mask[i * len + j] = 1n; shp[i * len + j] = BigInt(Array.isArray(r) ? 0 : r.shapes[j]);
  }));
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [rows.length, len]),
    attention_mask: new ort.Tensor('int64', mask, [rows.length, len]),
  };
  if (s.inputNames.includes('shape_ids')) feeds.shape_ids = new ort.Tensor('int64', shp, [rows.length, len]);
  return feeds;
}

async function runBatch(s, rows) {
  const len = Math.max(...rows.map((r) => idsOf(r).length));
  const out = await s.run(tensor(s, rows, len));
  return { data: out.logits.data, dims: out.logits.dims };
}

if (mode === 'verify') {
  const { s, loadMs } = await session();
  const cases = JSON.parse(readFileSync(dataPath, 'utf8'));
  let worst = 0;
  for (const c of cases) {
    const [b, n] = [c.input_ids.length, c.input_ids[0].length];
    const ids = BigInt64Array.from(c.input_ids.flat().map(BigInt));
    const mask = BigInt64Array.from(c.attention_mask.flat().map(BigInt));
    const feeds = { input_ids: new ort.Tensor('int64', ids, [b, n]), attention_mask: new ort.Tensor('int64', mask, [b, n]) };
    if (c.shape_ids) feeds.shape_ids = new ort.Tensor('int64', BigInt64Array.from(c.shape_ids.flat().map(BigInt)), [b, n]);
    const out = await s.run(feeds);
    const ref = c.logits.flat(2);
    const got = out.logits.data;
    // compare only unpadded positions
    const L = c.logits[0][0].length;
    for (let i = 0; i < b; i++) for (let j = 0; j < n; j++) {
      if (!c.attention_mask[i][j]) continue;
      for (let k = 0; k < L; k++) worst = Math.max(worst, Math.abs(got[(i * n + j) * L + k] - ref[(i * n + j) * L + k]));
    }
  }
  console.log(JSON.stringify({ model: modelPath, bytes: statSync(modelPath).size, loadMs: Math.round(loadMs), maxAbsDiff: worst }));
} else if (mode === 'predict') {
  const { s } = await session();
  const wins = JSON.parse(readFileSync(dataPath, 'utf8'));
  const out = [];
  for (const w of wins) {
    const { data, dims } = await runBatch(s, [w]);
    const L = dims[2];
    const rows = [];
    for (let j = 0; j < idsOf(w).length; j++) rows.push(Array.from(data.subarray(j * L, (j + 1) * L), (x) => Math.round(x * 1e4) / 1e4));
    out.push(rows);
  }
  writeFileSync(a3, JSON.stringify(out));
  console.log(`predicted ${wins.length} windows`);
} else if (mode === 'bench') {
  const { s, loadMs } = await session();
  const wins = JSON.parse(readFileSync(dataPath, 'utf8'));
  const runs = Number(a3 ?? 5);
  const batch = Number(a4 ?? 8);
  const sorted = [...wins].sort((x, y) => idsOf(x).length - idsOf(y).length); // length-bucketed batches, as a runtime would
  const times = [];
  for (let r = 0; r < runs + 1; r++) {
    const t = performance.now();
    for (let i = 0; i < sorted.length; i += batch) await runBatch(s, sorted.slice(i, i + batch));
    if (r > 0) times.push(performance.now() - t); // first run is warm-up
  }
  times.sort((x, y) => x - y);
  const med = times[Math.floor(times.length / 2)];
  const tokens = wins.reduce((a, w) => a + idsOf(w).length, 0);
  console.log(JSON.stringify({ model: modelPath, bytes: statSync(modelPath).size, loadMs: Math.round(loadMs), windows: wins.length,
    meanTokens: Math.round(tokens / wins.length), batch, runs, medianMs: Math.round(med), windowsPerSec: Math.round((wins.length / med) * 1000 * 10) / 10,
    rssMB: Math.round(process.memoryUsage().rss / 1e6) }));
}
