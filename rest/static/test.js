/* /api/test: run the listed cases through POST /api/test/run/<method>/<index>, one at a time,
 * with a progress bar and counts; each result shows obtained vs expected by category. */
"use strict";

(function () {
  const { h, renderValue, release } = window.AModule;
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const cases = Array.from(document.querySelectorAll("tbody.case"));
  const runAll = document.getElementById("run-all");
  const progress = document.getElementById("progress");
  const summary = document.getElementById("summary");
  const filter = document.getElementById("filter");
  const DISPLAYABLE = /\.(png|jpe?g|gif|webp|bmp)$/i;
  let busy = false;

  function counts() {
    const c = { passed: 0, failed: 0, error: 0, pending: 0, running: 0 };
    for (const tbody of cases) c[tbody.dataset.status] = (c[tbody.dataset.status] || 0) + 1;
    return c;
  }

  function showSummary(prefix) {
    const c = counts();
    const parts = [`${c.passed} passed`, `${c.failed} failed`];
    if (c.error) parts.push(`${c.error} error${c.error === 1 ? "" : "s"}`);
    summary.textContent = `${prefix} · ${parts.join(" · ")}`;
    summary.dataset.passed = c.passed;
    summary.dataset.failed = c.failed + c.error;
    summary.className = c.failed + c.error ? "has-failures" : c.passed ? "all-passed" : "";
  }

  function applyFilter() {
    const want = filter.value;
    for (const tbody of cases) {
      const s = tbody.dataset.status;
      tbody.hidden = !(want === "all" || s === want || (want === "failed" && s === "error"));
    }
  }

  function setStatus(tbody, status, text) {
    tbody.dataset.status = status;
    const badge = tbody.querySelector(".badge");
    badge.className = `badge ${status}`;
    badge.textContent = text || status;
  }

  /** The first input picture of a case, to draw masks and annotations over. */
  function baseOf(tbody, result) {
    const slots = tbody.querySelectorAll(".case-row td.slots")[0].querySelectorAll(".slot");
    for (const slot of slots) {
      const link = slot.querySelector("a.thumb");
      if (!link) continue;
      const name = slot.querySelector(".slot-name").textContent;
      const shape = (result.input_shapes || {})[name];
      const url = link.getAttribute("href");
      const src = DISPLAYABLE.test(url) ? url : `${url}?size=1024`;
      return { src, width: shape ? shape[1] : 0, height: shape ? shape[0] : 0 };
    }
    return null;
  }

  function renderResult(tbody, result) {
    const body = tbody.querySelector(".details-body");
    release(body);
    body.replaceChildren();
    const ctx = { base: baseOf(tbody, result), owner: body, preview: 280 };
    if (result.message) body.append(h("pre", { className: `message ${result.status}`, text: result.message }));
    const grid = h("div", { className: "outputs" });
    for (const out of result.outputs) {
      const category = out.category ? out.category.name : "";
      const head = h("div", { className: "output-head" }, [
        h("strong", { text: out.name }), " ",
        h("code", { className: "type", text: out.type }),
        category ? h("span", { className: "tag", text: category }) : null,
        result.status === "error" ? null
          : h("span", { className: out.passed ? "badge passed small" : "badge failed small", text: out.passed ? "matches" : "differs" }),
      ]);
      const row = h("div", { className: "compare" }, [
        h("div", { className: "side" }, [h("div", { className: "side-title", text: "obtained" }), renderValue(out.obtained, out, ctx, "")]),
        h("div", { className: "side" }, [h("div", { className: "side-title", text: "expected" }), renderValue(out.expected, out, ctx, "")]),
      ]);
      if (out.diff) {
        row.append(h("div", { className: "side diff" }, [
          h("div", { className: "side-title", text: "difference" }),
          renderValue(out.diff, { name: "diff", category: null }, ctx, "red: outside the tolerance"),
        ]));
      }
      grid.append(h("section", { className: out.passed ? "output" : "output differs" }, [head, row]));
    }
    body.append(grid);
    tbody.querySelector("tr.details").hidden = false;
  }

  async function run(tbody) {
    setStatus(tbody, "running", "running…");
    tbody.querySelector(".duration").textContent = "";
    let result;
    try {
      const response = await fetch(tbody.dataset.runUrl, { method: "POST", headers: { Accept: "application/json" } });
      const data = await response.json().catch(() => null);
      if (!response.ok || !data || data.error) {
        const message = data && data.error ? data.error.message : `HTTP ${response.status} ${response.statusText}`;
        throw new Error(message);
      }
      result = data;
    } catch (err) {
      setStatus(tbody, "error", "error");
      const body = tbody.querySelector(".details-body");
      release(body);
      body.replaceChildren(h("pre", { className: "message error", text: `could not run ${tbody.dataset.case}: ${err.message}` }));
      tbody.querySelector("tr.details").hidden = false;
      return;
    }
    setStatus(tbody, result.status);
    tbody.querySelector(".duration").textContent = `${(result.duration * 1000).toFixed(result.duration < 0.01 ? 1 : 0)} ms`;
    renderResult(tbody, result);
  }

  async function runMany(list) {
    if (busy) return;
    busy = true;
    document.body.classList.add("busy");
    runAll.disabled = true;
    for (const button of document.querySelectorAll(".run-one")) button.disabled = true;
    progress.max = list.length;
    progress.value = 0;
    const start = performance.now();
    for (const [i, tbody] of list.entries()) {
      showSummary(`Running ${i + 1} / ${list.length}`);
      await run(tbody);
      progress.value = i + 1;
      applyFilter();
    }
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    showSummary(`${list.length} run in ${seconds} s`);
    busy = false;
    document.body.classList.remove("busy");
    runAll.disabled = false;
    for (const button of document.querySelectorAll(".run-one")) button.disabled = false;
  }

  runAll.addEventListener("click", () => runMany(cases));
  for (const tbody of cases) {
    tbody.querySelector(".run-one").addEventListener("click", () => runMany([tbody]));
  }
  filter.addEventListener("change", applyFilter);
  document.body.dataset.cases = String(page.count);
})();
