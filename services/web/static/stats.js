// Each picture's views per day as a small bar chart (uPlot), drawn when its card scrolls
// into view, with the same numbers in words for screen readers.
import uPlot from "/web/vendor/uPlot.esm.js";
import { api, describe } from "./api.js";
import { h } from "./dom.js";

const DAYS = 14;
const FRESH_MS = 15000; // views show within 15 s (API.md): no point asking more often
let observer = null;
const cache = new Map(); // photo id -> {at, promise}: the gallery re-renders often

function statsOf(id) {
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.promise;
  const promise = api("GET", `/v1/photos/${id}/stats`);
  cache.set(id, { at: Date.now(), promise });
  return promise;
}

function lastDays(days) {
  const byDate = new Map(days.map((d) => [d.date, d.views]));
  const out = [];
  const today = new Date();
  for (let i = DAYS - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    const key = d.toISOString().slice(0, 10);
    out.push([d.getTime() / 1000, byDate.get(key) || 0, key]);
  }
  return out;
}

async function draw(el) {
  const id = el.dataset.statsFor;
  let stats;
  try {
    stats = await statsOf(id);
  } catch (problem) {
    el.replaceChildren(h("p", { class: "hint", text: describe(problem, "Counting views") }));
    return;
  }
  const series = lastDays(stats.days || []);
  const summary = `${stats.total} view${stats.total === 1 ? "" : "s"} in all`;
  const chart = h("div", { class: "chart", role: "img",
    "aria-label": `Views per day over the last ${DAYS} days: ${series.map(([, v, d]) => `${d}: ${v}`).join(", ")}` });
  el.replaceChildren(h("p", { class: "meta", text: `Views per day · ${summary}` }), chart);
  const width = Math.max(120, chart.clientWidth || el.clientWidth || 180);
  const HALF_DAY = 43200; // seconds: room for the first and last bar
  new uPlot({
    width, height: 80, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: true, range: (_u, min, max) => [min - HALF_DAY, max + HALF_DAY] },
              y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { fill: "#3b6fd8", stroke: "#3b6fd8", points: { show: false },
                   paths: uPlot.paths.bars({ size: [0.7, 12] }) }],
  }, [series.map((s) => s[0]), series.map((s) => s[1])], chart);
}

export function observeStats(el) {
  observer ??= new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      draw(entry.target);
    }
  });
  observer.observe(el);
}
