// ECharts, loaded by a plain <script> from /vendor (window.echarts), drawn into a panel's
// chart box. Every chart's numbers are also in a table in the same panel; the chart is for
// the eye. One calm palette, system fonts, and a resize when the box changes size.
const PALETTE = ["#2f5d8a", "#c0843d", "#5b8c5a", "#8a5a83", "#b5524a", "#4f8fa8", "#8c7b4f", "#6b6b6b"];
const FONT = '-apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

const resizer = typeof ResizeObserver === "undefined"
  ? null
  : new ResizeObserver((entries) => {
    for (const entry of entries) window.echarts?.getInstanceByDom(entry.target)?.resize();
  });

/** Draw `option` into `box` (a fresh div in the panel); nothing when ECharts is missing. */
export function draw(box, option) {
  if (!window.echarts) {
    box.hidden = true;
    return null;
  }
  box.setAttribute("aria-hidden", "true"); // the table beside it carries the same numbers
  const chart = window.echarts.getInstanceByDom(box) || window.echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({ color: PALETTE, textStyle: { fontFamily: FONT }, animation: false, ...option }, true);
  resizer?.observe(box);
  return chart;
}

/** Dispose the charts inside `root` before its contents are replaced. */
export function release(root) {
  if (!window.echarts) return;
  for (const box of root.querySelectorAll(".chart")) {
    resizer?.unobserve(box);
    window.echarts.getInstanceByDom(box)?.dispose();
  }
}

const GRID = { left: 8, right: 12, top: 36, bottom: 8, containLabel: true };
const LEGEND = { top: 0, type: "scroll", textStyle: { fontSize: 12 } };

/** A bar chart: `categories` along x, one series per entry of `series` ({name, values});
 * stacked when `stack`. `format` turns a value into the tooltip's text. */
export function bars(box, categories, series, { stack = false, format = String, horizontal = false } = {}) {
  const categoryAxis = { type: "category", data: categories, axisLabel: { fontSize: 11, hideOverlap: true }, axisTick: { alignWithLabel: true } };
  // A horizontal chart is as tall as its rows need (one street, or fourteen rules).
  if (horizontal) box.style.height = `${Math.max(120, categories.length * 28 + (series.length > 1 ? 70 : 40))}px`;
  const valueAxis = { type: "value", axisLabel: { fontSize: 11 }, splitLine: { lineStyle: { color: "#e5e7eb" } } };
  return draw(box, {
    legend: series.length > 1 ? LEGEND : undefined,
    grid: { ...GRID, top: series.length > 1 ? 36 : 12 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: format },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
    series: series.map((s) => ({
      name: s.name,
      type: "bar",
      stack: stack ? "total" : undefined,
      data: s.values,
      barMaxWidth: 28,
      emphasis: { focus: "series" },
    })),
  });
}

/** A ring chart of parts of a whole ({name, value}). */
export function ring(box, parts, { format = String } = {}) {
  return draw(box, {
    legend: { ...LEGEND, bottom: 0, top: undefined },
    tooltip: { trigger: "item", valueFormatter: format },
    series: [{
      type: "pie",
      radius: ["45%", "70%"],
      center: ["50%", "45%"],
      label: { show: false },
      data: parts,
    }],
  });
}
