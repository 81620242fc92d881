// The demo page's behaviour, in plain JavaScript (no library, nothing from the internet).
// It binds to elements by id, so a custom page (swapnlp serve --static-dir) can reuse it as
// <script src="/_swapnlp/demo.js"></script> with a <form id="demo-form">, a <div id="fields"> (or its own
// <textarea name="FIELD"> per field), <div id="error">, and #result with #label, #bars and #raw.
(function () {
  "use strict";
  const byId = (id) => document.getElementById(id);
  let schema = { fields: [], labels: [] };

  // GET or POST JSON; a 4xx/5xx answer becomes an Error carrying the server's message and field.
  async function fetchJson(url, options) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (networkError) {
      throw new Error("could not reach the server at " + location.origin + " (is it still running?)");
    }
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (notJson) { body = null; }
    if (!response.ok) {
      const detail = body && body.detail ? body.detail : text || response.statusText;
      const error = new Error(response.status + ": " + (typeof detail === "string" ? detail : JSON.stringify(detail)));
      error.field = body && body.field;
      throw error;
    }
    return body;
  }

  function inputFor(name) {
    return document.querySelector('[name="' + name.replace(/"/g, '\\"') + '"]');
  }

  function showError(message, field) {
    const box = byId("error");
    if (box) { box.textContent = message; box.hidden = false; } else { window.alert(message); }
    const input = field ? inputFor(field) : null;
    if (input) { input.classList.add("invalid"); input.focus(); }
  }

  function clearError() {
    const box = byId("error");
    if (box) { box.hidden = true; box.textContent = ""; }
    document.querySelectorAll(".invalid").forEach((input) => input.classList.remove("invalid"));
  }

  // One labelled text box per field the model reads, unless the page already has one.
  function buildFields() {
    const container = byId("fields");
    for (const name of schema.fields) {
      if (inputFor(name) || !container) continue;
      const label = document.createElement("label");
      label.className = "field";
      label.htmlFor = "field-" + name;
      label.textContent = name;
      const input = document.createElement("textarea");
      input.id = "field-" + name;
      input.name = name;
      input.rows = 6;
      input.placeholder = "Type a " + name + " here, e.g. a short movie review";
      container.append(label, input);
    }
  }

  function describeModel() {
    const title = byId("title");
    if (title && !title.textContent.trim()) { title.textContent = schema.title; document.title = schema.title; }
    const info = byId("model-info");
    const model = schema.model || {};
    if (info && !info.textContent.trim() && model.type) {
      info.textContent = [model.archive, model.type + (model.encoder ? " + " + model.encoder : ""),
        model.parameters ? model.parameters.toLocaleString() + " parameters" : "",
        schema.labels.length ? "labels: " + schema.labels.join(", ") : ""].filter(Boolean).join(" · ");
    }
  }

  // The answer for humans: the label, a bar per class probability (largest first), the raw JSON.
  function render(prediction, milliseconds) {
    const result = byId("result");
    const label = byId("label");
    const bars = byId("bars");
    const raw = byId("raw");
    if (label) label.textContent = prediction.label !== undefined ? String(prediction.label) : "(no label)";
    if (raw) raw.textContent = JSON.stringify(prediction, null, 2);
    const latency = byId("latency");
    if (latency) latency.textContent = "(" + Math.round(milliseconds) + " ms)";
    if (bars) {
      bars.replaceChildren();
      const probs = Object.entries(prediction.probs || {}).sort((a, b) => b[1] - a[1]);
      probs.forEach(([name, p], rank) => {
        const row = document.createElement("div");
        row.className = "bar-row" + (rank === 0 ? " top" : "");
        row.dataset.label = name;
        const percent = (100 * p).toFixed(1) + "%";
        row.innerHTML = '<span class="bar-name"></span><div class="bar-track" role="meter" aria-valuemin="0" ' +
          'aria-valuemax="1"><div class="bar"></div></div><span class="bar-value"></span>';
        row.querySelector(".bar-name").textContent = name;
        row.querySelector(".bar-track").setAttribute("aria-valuenow", String(p));
        row.querySelector(".bar-track").setAttribute("aria-label", name + " " + percent);
        row.querySelector(".bar").style.width = percent;
        row.querySelector(".bar-value").textContent = percent;
        bars.append(row);
      });
      const toggle = byId("raw-toggle");
      if (toggle && !probs.length) toggle.open = true;  // not a classifier: the JSON is the result
    }
    if (result) result.hidden = false;
  }

  async function predict(event) {
    event.preventDefault();
    clearError();
    const button = byId("predict");
    const body = {};
    for (const name of schema.fields) { const input = inputFor(name); body[name] = input ? input.value : ""; }
    if (button) { button.disabled = true; button.dataset.text = button.textContent; button.textContent = "Predicting…"; }
    const started = performance.now();
    try {
      const prediction = await fetchJson("/predict", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body) });
      render(prediction, performance.now() - started);
    } catch (error) {
      const result = byId("result");
      if (result) result.hidden = true;
      showError(error.message, error.field);
    } finally {
      if (button) { button.disabled = false; button.textContent = button.dataset.text; }
    }
  }

  async function start() {
    const form = byId("demo-form");
    if (form) form.addEventListener("submit", predict);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && form) form.requestSubmit();
    });
    try {
      schema = await fetchJson("/api/schema");
    } catch (error) {
      showError("could not load the model's description (/api/schema): " + error.message);
      return;
    }
    describeModel();
    buildFields();
    document.body.dataset.ready = "true";  // tests wait for this
  }

  start();
})();
