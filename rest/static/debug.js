/* /api/debug: send the form to /api/run/<method> as multipart, render the outputs by
 * category, the raw JSON and the equivalent curl command; errors go next to their field. */
"use strict";

(function () {
  const { h, renderValue, own, release, shortened, formatBytes, fit, drawScaled, loadImage } = window.AModule;
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const picker = document.getElementById("method-select");
  if (picker) picker.addEventListener("change", () => { picker.form.submit(); });
  const form = document.getElementById("run-form");
  if (!form || !page.method) return;

  const method = page.method;
  const fields = Array.from(form.querySelectorAll("fieldset.field"));
  const choices = new Map(); // array field name -> {kind: "files", files} | {kind: "testdata", names, urls}
  const DISPLAYABLE = /\.(png|jpe?g|gif|webp|bmp)$/i;
  const status = document.getElementById("status");
  const formError = document.getElementById("form-error");
  const outputsBox = document.getElementById("outputs");

  function fieldOf(name) {
    return fields.find((fs) => fs.dataset.field === name) || null;
  }

  function isList(fs) {
    return fs.dataset.widget === "array_list";
  }

  // ---------------------------------------------------------------- array inputs

  function showChosen(fs) {
    const box = fs.querySelector("[data-role=chosen]");
    release(box);
    box.replaceChildren();
    const choice = choices.get(fs.dataset.field);
    for (const button of fs.querySelectorAll("button.pick")) {
      button.classList.toggle("selected", !!choice && choice.kind === "testdata" && choice.names.includes(button.dataset.name));
    }
    if (!choice) return;
    const items = choice.kind === "files"
      ? choice.files.map((f) => ({ name: f.name, size: f.size, blob: f }))
      : choice.names.map((name, i) => ({ name, url: choice.urls[i] }));
    for (const item of items) {
      const canvas = h("canvas", { attrs: { width: 64, height: 48 } });
      const label = h("span", { text: item.size === undefined ? `${item.name} (test data)` : `${item.name} · ${formatBytes(item.size)}` });
      box.append(h("div", { className: "chosen-item" }, [canvas, label]));
      let src = item.url ? `${item.url}?size=128` : null;
      if (item.blob && /^image\/(png|jpeg|gif|webp|bmp)$/.test(item.blob.type)) {
        src = URL.createObjectURL(item.blob);
        item.temporary = src;
      }
      if (!src) { canvas.remove(); continue; }
      loadImage(src).then((img) => {
        const [w, hgt] = fit(img.naturalWidth, img.naturalHeight, 96);
        canvas.width = w;
        canvas.height = hgt;
        drawScaled(canvas.getContext("2d"), img, w, hgt);
        if (item.temporary) label.textContent += ` · ${img.naturalWidth} × ${img.naturalHeight}`;
      }).catch(() => canvas.remove()).finally(() => { if (item.temporary) URL.revokeObjectURL(item.temporary); });
    }
    box.append(h("button", { className: "small link-button", text: "clear", attrs: { type: "button" }, on: { click: () => choose(fs, null) } }));
  }

  function choose(fs, choice) {
    if (choice) {
      fs.querySelector("[data-role=url]").value = "";
      if (choice.kind !== "files") fs.querySelector("[data-role=file]").value = "";
    } else {
      fs.querySelector("[data-role=file]").value = "";
    }
    if (choice) choices.set(fs.dataset.field, choice);
    else choices.delete(fs.dataset.field);
    clearError(fs);
    showChosen(fs);
  }

  for (const fs of fields) {
    if (!fs.querySelector("[data-role=file]")) continue;
    const file = fs.querySelector("[data-role=file]");
    const drop = fs.querySelector("[data-role=drop]");
    file.addEventListener("change", () => {
      const files = Array.from(file.files || []);
      choose(fs, files.length ? { kind: "files", files: isList(fs) ? files : files.slice(0, 1) } : null);
    });
    for (const type of ["dragenter", "dragover"]) {
      drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
    }
    for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      const files = Array.from((e.dataTransfer && e.dataTransfer.files) || []);
      if (files.length) choose(fs, { kind: "files", files: isList(fs) ? files : files.slice(0, 1) });
    });
    fs.querySelector("[data-role=url]").addEventListener("input", (e) => {
      if (e.target.value.trim() && choices.has(fs.dataset.field)) {
        const text = e.target.value;
        choose(fs, null);
        e.target.value = text;
      }
    });
    for (const button of fs.querySelectorAll("button.pick")) {
      button.addEventListener("click", () => {
        const old = choices.get(fs.dataset.field);
        const { name, url } = button.dataset;
        if (isList(fs) && old && old.kind === "testdata") {
          const at = old.names.indexOf(name);
          const names = at < 0 ? [...old.names, name] : old.names.filter((n) => n !== name);
          const urls = at < 0 ? [...old.urls, url] : old.urls.filter((u, i) => i !== at);
          choose(fs, names.length ? { kind: "testdata", names, urls } : null);
        } else {
          choose(fs, { kind: "testdata", names: [name], urls: [url] });
        }
      });
    }
  }

  // ---------------------------------------------------------------- errors

  function clearError(fs) {
    fs.classList.remove("invalid");
    const p = fs.querySelector(".field-error");
    p.hidden = true;
    p.textContent = "";
  }

  function showError(error, httpStatus) {
    const path = String(error.path || "").replace(/^'|'$/g, "");
    const fs = fieldOf(path.split(/[[.\s]/)[0]);
    if (fs) {
      const p = fs.querySelector(".field-error");
      p.textContent = error.message;
      p.hidden = false;
      fs.classList.add("invalid");
      fs.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } else {
      formError.textContent = `${error.type || "Error"} (${httpStatus}): ${error.message}`;
      formError.hidden = false;
    }
  }

  // ---------------------------------------------------------------- curl

  function quote(text) {
    return `'${String(text).replace(/'/g, "'\\''")}'`;
  }

  function shortText(text) {
    return text.startsWith("data:") && text.length > 100 ? `${text.slice(0, 60)}…` : text;
  }

  function curlCommand(parts) {
    const url = new URL(form.dataset.runUrl, window.location.href).href;
    const lines = parts.map(([flag, value]) => `${flag} ${quote(value)}`);
    if (!lines.length) lines.push("-X POST");
    return ["curl -sS", ...lines, quote(url)].join(" \\\n  ");
  }

  // ---------------------------------------------------------------- running

  function baseImage() {
    for (const fs of fields) {
      if (!fs.querySelector("[data-role=file]")) continue;
      const url = fs.querySelector("[data-role=url]").value.trim().split(",")[0];
      const choice = choices.get(fs.dataset.field);
      if (url && /^(https?:|data:image\/)/i.test(url)) return { src: url };
      if (choice && choice.kind === "files") {
        const src = URL.createObjectURL(choice.files[0]);
        own(outputsBox, src);
        return { src };
      }
      if (choice && choice.kind === "testdata") {
        const src = DISPLAYABLE.test(choice.urls[0]) ? choice.urls[0] : `${choice.urls[0]}?size=1024`;
        return { src };
      }
      return null;
    }
    return null;
  }

  async function gather() {
    const data = new FormData();
    const parts = [];
    for (const fs of fields) {
      const name = fs.dataset.field;
      const widget = fs.dataset.widget;
      if (widget === "array" || widget === "array_list") {
        const url = fs.querySelector("[data-role=url]").value.trim();
        const choice = choices.get(name);
        if (url) {
          data.append(name, url);
          parts.push(["--form-string", `${name}=${shortText(url)}`]);
        } else if (choice && choice.kind === "files") {
          for (const f of choice.files) {
            data.append(name, f, f.name);
            parts.push(["-F", `${name}=@${f.name}`]);
          }
        } else if (choice && choice.kind === "testdata") {
          for (const [i, url2] of choice.urls.entries()) {
            const response = await fetch(url2);
            if (!response.ok) throw new Error(`test-data file ${choice.names[i]} cannot be read (HTTP ${response.status})`);
            const fileName = choice.names[i].split("/").pop();
            data.append(name, await response.blob(), fileName);
            parts.push(["-F", `${name}=@testdata/${choice.names[i]}`]);
          }
        }
        continue;
      }
      const input = fs.querySelector("[data-role=value]");
      const value = widget === "bool" ? (input.checked ? "true" : "false") : input.value;
      data.append(name, value);
      parts.push(["--form-string", `${name}=${value}`]);
    }
    return { data, parts };
  }

  function renderOutputs(outputs, base) {
    outputsBox.replaceChildren();
    const ctx = { base, owner: outputsBox, preview: 480 };
    for (const out of method.outputs) {
      const category = out.category ? out.category.name : "";
      outputsBox.append(h("section", { className: "output", attrs: { "data-output": out.name } }, [
        h("div", { className: "output-head" }, [
          h("strong", { text: out.name }), " ",
          h("code", { className: "type", text: out.type }),
          category ? h("span", { className: "tag", text: category }) : null,
        ]),
        out.description ? h("p", { className: "field-desc", text: out.description }) : null,
        renderValue(outputs[out.name], out, ctx, ""),
      ]));
    }
  }

  document.getElementById("copy-curl").addEventListener("click", async (event) => {
    const text = document.getElementById("curl").textContent;
    try {
      await navigator.clipboard.writeText(text);
      event.target.textContent = "Copied";
    } catch (err) { // no clipboard (plain http): select the text for a manual copy
      window.getSelection().selectAllChildren(document.getElementById("curl"));
      event.target.textContent = "Selected";
    }
    setTimeout(() => { event.target.textContent = "Copy"; }, 1500);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fields.forEach(clearError);
    formError.hidden = true;
    const submit = document.getElementById("submit");
    submit.disabled = true;
    status.textContent = "Running…";
    const start = performance.now();
    try {
      const { data, parts } = await gather();
      const curl = document.getElementById("curl");
      curl.textContent = curlCommand(parts);
      document.getElementById("curl-box").hidden = false;
      const response = await fetch(form.dataset.runUrl, { method: "POST", body: data, headers: { Accept: "application/json" } });
      const text = await response.text();
      let json = null;
      try { json = JSON.parse(text); } catch (err) { json = null; }
      const raw = document.getElementById("raw");
      document.getElementById("raw-json").textContent = json ? JSON.stringify(shortened(json), null, 2) : text.slice(0, 2000);
      raw.hidden = false;
      const ms = (performance.now() - start).toFixed(0);
      if (!response.ok || !json || json.error) {
        showError(json && json.error ? json.error : { type: "HTTPError", message: response.statusText || "no JSON answer" }, response.status);
        status.textContent = `Failed (HTTP ${response.status}, ${ms} ms)`;
        outputsBox.classList.add("stale");
        return;
      }
      document.getElementById("placeholder").hidden = true;
      outputsBox.classList.remove("stale");
      release(outputsBox);
      renderOutputs(json.outputs || {}, baseImage());
      status.textContent = `Done in ${ms} ms${response.headers.get("X-AModule-Cache") === "hit" ? " (cached)" : ""}`;
    } catch (err) {
      formError.textContent = `The request failed: ${err.message}`;
      formError.hidden = false;
      status.textContent = "";
    } finally {
      submit.disabled = false;
    }
  });
})();
