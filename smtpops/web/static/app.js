// The SMTP Settings page. Plain JavaScript, no build step, no storage: nothing is kept in
// localStorage, sessionStorage or cookies by this script; the password stays in its field
// until it is sent (only to test or save) and is never received back from the server.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrf = $('meta[name="csrf-token"]').content;
  const boot = JSON.parse($("#boot").textContent);
  // the config's fields the form edits (the model's list, from the server)
  const FIELDS = boot.fields.filter((f) => document.getElementById("f-" + f));
  const REQUIRED = ["host", "username"];
  const state = {
    env: null, name: null, isNew: false, saved: null, passwordSet: false, oauthSet: false, active: false,
    touched: new Set(), errors: 0, tested: false, version: 0, seq: 0, environments: [],
    canPropose: false, busy: false,
  };

  // -- talking to the server --------------------------------------------------------------
  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
  }

  async function api(path, body) {
    const res = body === undefined ? await fetch(path, { credentials: "same-origin" })
      : await post(path, body);
    let data;
    try { data = await res.json(); } catch (e) { data = { error: res.statusText }; }
    if (!res.ok) {
      const err = new Error(data.error || res.statusText);
      err.hint = data.hint;
      throw err;
    }
    return data;
  }

  // -- small DOM helpers ------------------------------------------------------------------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }
  const input = (name) => document.getElementById("f-" + name);
  const box = (name) => document.querySelector(`.field[data-field="${name}"]`);
  const label = (name) => boot.labels[name] || name;

  function showMessage(text, hint, kind) {
    const panel = $("#message");
    panel.hidden = false;
    panel.className = "panel " + (kind || "info");
    panel.textContent = "";
    panel.append(el("p", {}, el("strong", {}, text)));
    if (hint) panel.append(el("p", {}, "How to fix: " + hint));
    panel.scrollIntoView({ block: "nearest" });
    return panel;
  }
  const hideMessage = () => { $("#message").hidden = true; };

  // -- the form's values ------------------------------------------------------------------
  function readForm() {
    const values = {};
    for (const f of FIELDS) {
      const node = input(f);
      values[f] = node.type === "checkbox" ? node.checked : node.value;
    }
    if (state.isNew) values.name = $("#f-name").value.trim();
    return values;
  }

  function writeForm(values) {
    for (const f of FIELDS) {
      const node = input(f);
      const value = values[f];
      if (node.type === "checkbox") node.checked = value !== false;
      else node.value = value === null || value === undefined ? "" : String(value);
    }
    describeOptions();
  }

  const currentEnv = () => (state.isNew ? $("#f-env").value : state.env);
  const currentName = () => (state.isNew ? $("#f-name").value.trim() : state.name);
  // an OAuth2 config (XOAUTH2, OAUTHBEARER) signs in with a token, never with a password
  const usesToken = () => boot.tokenMechanisms.includes(input("auth_protocol").value);
  const passwordTyped = () => !usesToken() && input("password").value.length > 0;
  const norm = (v) => (typeof v === "boolean" ? v : String(v === null || v === undefined ? "" : v).trim());

  function changedFields() {
    if (!state.saved) return [];
    const values = readForm();
    return FIELDS.filter((f) => norm(values[f]) !== norm(state.saved[f]));
  }

  function dirty() {
    if (!state.saved) return false;
    if (passwordTyped()) return true;
    if (state.isNew) return state.touched.size > 0 || $("#f-name").value.trim() !== "";
    return changedFields().length > 0;
  }

  function markChanged() {
    const changed = new Set(state.isNew ? [] : changedFields());
    for (const f of FIELDS) box(f).classList.toggle("changed", changed.has(f));
    box("password").classList.toggle("changed", passwordTyped() && !state.isNew);
  }

  // -- option descriptions (security level of each TLS and sign-in method) ----------------
  function describeOptions() {
    for (const [field, table] of [["tls", boot.tls], ["auth_protocol", boot.auth]]) {
      const about = $("#d-" + field);
      if (!about) continue;
      const option = table[input(field).value];
      about.textContent = option ? `${option[1]} — ${option[2]}` : "";
      about.dataset.level = option ? option[1].split(": ")[1] : "";
    }
    const provider = boot.providers.find((p) => p.id === input("provider").value);
    $("#d-provider").textContent = provider && provider.notes.length ? provider.notes.join(" ") : "";
  }

  function updatePasswordNote() {
    const node = input("password");
    const note = $("#s-password");
    const token = usesToken();
    $(".password", box("password")).hidden = token;
    $("#h-password").hidden = token;
    if (token) {
      const ref = state.isNew ? "ENV/NAME" : `${state.env}/${state.name}`;
      note.textContent = state.oauthSet
        ? "Signs in with OAuth2: a token is obtained with the OAuth2 secret stored encrypted in the file. No password is needed."
        : `Signs in with OAuth2, but no OAuth2 secret is set yet: IT sets it with \`smtpops secrets set-oauth ${ref}\`.`;
    } else if (state.passwordSet && !passwordTyped()) {
      node.placeholder = "set, unchanged";
      note.textContent = "A password is set (stored encrypted). Type a new one only to replace it.";
    } else if (!state.passwordSet) {
      node.placeholder = "required";
      note.textContent = "No password is set yet: enter the account's password (or app password).";
    } else {
      note.textContent = "A new password will be encrypted when you save.";
    }
  }

  // -- steppers ---------------------------------------------------------------------------
  function updateSteppers() {
    for (const button of $$(".step")) {
      const node = input(button.dataset.for);
      const text = node.value.trim();
      const min = Number(node.dataset.min);
      const max = Number(node.dataset.max);
      if (!/^\d+$/.test(text)) { button.disabled = true; continue; }
      const n = Number(text);
      button.disabled = Number(button.dataset.delta) > 0 ? n >= max : n <= min;
    }
  }

  function step(name, delta) {
    const node = input(name);
    const text = node.value.trim();
    if (!/^\d+$/.test(text)) return;
    const n = Math.min(Number(node.dataset.max), Math.max(Number(node.dataset.min), Number(text) + delta));
    node.value = String(n);
    node.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // -- validation as you type -------------------------------------------------------------
  let timer = null;
  function scheduleValidate() {
    clearTimeout(timer);
    document.body.dataset.checking = "yes";
    timer = setTimeout(validate, 200);
  }

  function draftBody() {
    return {
      env: currentEnv(),
      name: currentName() || "new-config",
      new: state.isNew,
      values: readForm(),
    };
  }

  async function validate() {
    if (!state.saved) return;
    const seq = ++state.seq;
    const body = { ...draftBody(), password_typed: passwordTyped() };
    try {
      const result = await api("/api/validate", body);
      if (seq === state.seq) showFindings(result.findings);
    } catch (err) {
      if (seq === state.seq) showMessage(err.message, err.hint, "error");
    } finally {
      if (seq === state.seq) document.body.dataset.checking = "no";
    }
  }

  function clearFindings() {
    for (const node of $$(".field")) {
      node.classList.remove("invalid");
      const error = $(".error", node);
      if (error) { error.hidden = true; error.textContent = ""; }
      const control = $("input,select,textarea", node);
      if (control) control.removeAttribute("aria-invalid");
    }
    $("#findings-list").textContent = "";
    $("#findings").hidden = true;
  }

  function showFindings(findings) {
    clearFindings();
    let errors = 0;
    const list = $("#findings-list");
    for (const f of findings) {
      const where = f.field && box(f.field);
      const fix = `How to fix: ${f.hint} (${f.rule})`;
      if (f.severity === "error") {
        errors += 1;
        if (where && !where.closest("[hidden]")) {
          where.classList.add("invalid");
          const control = $("input,select,textarea", where);
          if (control) control.setAttribute("aria-invalid", "true");
          const error = $(".error", where);
          error.hidden = false;
          error.append(el("span", { class: "what" }, f.message), el("span", { class: "fix" }, fix));
          continue;
        }
      }
      const kind = f.severity === "info" ? "note" : f.severity;
      list.append(el("li", { class: kind },
        el("span", { class: "tag" }, kind === "note" ? "Note" : kind === "error" ? "Error" : "Warning"),
        el("span", { class: "what" }, `${f.field ? label(f.field) + ": " : ""}${f.message}`),
        el("span", { class: "fix" }, fix)));
    }
    $("#findings").hidden = list.children.length === 0;
    state.errors = errors;
    updateButtons();
  }

  // -- buttons ----------------------------------------------------------------------------
  function updateButtons() {
    const values = readForm();
    const missing = REQUIRED.filter((f) => !norm(values[f]));
    const hasPassword = usesToken() ? state.oauthSet : state.passwordSet || passwordTyped();
    const ready = state.saved && state.errors === 0 && missing.length === 0 && hasPassword
      && (!state.isNew || currentName());
    $("#test").disabled = !ready || state.busy;
    $("#send").disabled = !ready || state.busy;
    const why = $("#save-why");
    let reason = "";
    if (!state.saved) reason = "";
    else if (state.errors) reason = "Save is possible once the errors marked in red are fixed.";
    else if (missing.length) reason = `Fill in ${missing.map(label).join(" and ")} first.`;
    else if (!hasPassword && usesToken()) reason = "Set the OAuth2 secret first (IT: `smtpops secrets set-oauth`).";
    else if (!hasPassword) reason = "Enter the password first.";
    else if (!state.isNew && !dirty()) reason = "Nothing has changed since the last save.";
    else if (!state.tested) reason = "Run Test Connection first: Save needs a passing test of these exact settings.";
    $("#save").disabled = Boolean(reason) || state.busy;
    why.textContent = reason;
    $("#propose").disabled = !state.canPropose || state.busy;
    updateSteppers();
  }

  function changed(event) {
    if (!state.saved) return;
    const name = event.target.name;
    if (name) state.touched.add(name);
    state.tested = false;
    state.version += 1;
    if (name === "tls" || name === "auth_protocol") describeOptions();
    updatePasswordNote();
    markChanged();
    updateButtons();
    scheduleValidate();
  }

  // -- the list of configs ----------------------------------------------------------------
  async function loadList() {
    const data = await api("/api/configs");
    state.environments = data.environments;
    state.canPropose = data.commits > 0;
    updateButtons();
    const list = $("#config-list");
    list.textContent = "";
    for (const env of data.environments) {
      const head = el("h3", {}, env.name);
      if (env.protected) head.append(" ", el("span", { class: "badge protected", title: `Changes need approval by ${env.approvers}` }, "protected"));
      if (env.pinned_to) head.append(" ", el("span", { class: "badge pinned" }, "pinned"));
      const ul = el("ul");
      for (const c of env.configs) {
        const stateText = c.pinned ? "pinned" : c.active ? "active" : "inactive";
        const button = el("button", {
          type: "button", class: "config", "data-env": env.name, "data-name": c.name,
          "aria-current": state.env === env.name && state.name === c.name && !state.isNew ? "true" : null,
        }, el("span", { class: "config-name" }, c.name),
        el("span", { class: `badge ${c.active ? "active" : "inactive"}` }, c.active ? "Active" : "Inactive"));
        if (c.pinned) button.append(el("span", { class: "badge pinned" }, "Pinned"));
        button.append(el("span", { class: "host" }, c.host || ""));
        button.setAttribute("aria-label", `${env.name}/${c.name}, ${stateText}`);
        button.addEventListener("click", () => openConfig(env.name, c.name));
        ul.append(el("li", {}, button));
      }
      if (!env.configs.length) ul.append(el("li", { class: "muted" }, "no configs"));
      list.append(el("section", { class: "env" }, head, ul));
    }
    $("#branch-info").textContent = data.branch
      ? `Started on ${data.started_from}; your changes are on work branch ${data.branch}.`
      : `Started on ${data.started_from}; changes go to a new work branch.`;
  }

  function leaveOk() {
    return !dirty() || window.confirm("You have unsaved changes. Leave them?");
  }

  function resetPanels() {
    hideMessage();
    $("#test-panel").hidden = true;
    $("#review-panel").hidden = true;
  }

  function showForm(title) {
    $("#welcome").hidden = true;
    $("#form").hidden = false;
    $("#form-title").textContent = title;
  }

  function setActive(active, allowed) {
    const toggle = $("#active-toggle");
    toggle.setAttribute("aria-checked", active ? "true" : "false");
    $(".switch-label", toggle).textContent = active ? "Active" : "Inactive";
    toggle.disabled = !allowed;
  }

  async function openConfig(env, name, keepPanels) {
    if (!leaveOk()) return;
    const data = await api(`/api/configs/${encodeURIComponent(env)}/${encodeURIComponent(name)}`);
    Object.assign(state, {
      env, name, isNew: false, saved: { ...data.values }, passwordSet: data.password_set,
      oauthSet: data.oauth_set, active: data.active, touched: new Set(), tested: false, errors: 0, fileVersion: data.version,
    });
    if (!keepPanels) resetPanels();
    $("#new-fields").hidden = true;
    showForm(`${env}/${name}`);
    writeForm(data.values);
    input("password").value = "";
    setActive(data.active, true);
    $("#delete").disabled = false;
    $("#history").disabled = false;
    updatePasswordNote();
    markChanged();
    await loadList();
    updateButtons();
    await validate();
  }

  function addNew() {
    if (!leaveOk()) return;
    const select = $("#f-env");
    select.textContent = "";
    for (const env of state.environments) {
      select.append(el("option", { value: env.name }, env.protected ? `${env.name} (protected)` : env.name));
    }
    Object.assign(state, {
      env: null, name: null, isNew: true, saved: { ...boot.defaults }, passwordSet: false,
      oauthSet: false, active: false, touched: new Set(), tested: false, errors: 0, setupStarted: Date.now(),
    });
    resetPanels();
    $("#new-fields").hidden = false;
    $("#f-name").value = "";
    showForm("New configuration");
    writeForm(boot.defaults);
    input("password").value = "";
    setActive(false, false);
    $("#delete").disabled = true;
    $("#history").disabled = true;
    updatePasswordNote();
    markChanged();
    updateButtons();
    $$(".config[aria-current]").forEach((b) => b.removeAttribute("aria-current"));
    $("#f-name").focus();
  }

  // -- provider templates -----------------------------------------------------------------
  function applyProvider() {
    const id = input("provider").value;
    const provider = boot.providers.find((p) => p.id === id);
    if (!provider) { describeOptions(); return; }
    for (const [field, value] of Object.entries(provider.values)) {
      if (state.touched.has(field)) continue;
      const node = input(field);
      if (!node) continue;
      if (field === "auth_protocol" && provider.auth.includes(node.value)) continue;
      if (node.type === "checkbox") node.checked = Boolean(value);
      else node.value = String(value);
    }
    describeOptions();
    post("/api/events", {
      event: "provider_template_selected",
      properties: { template_type: id },
    }).catch(() => {});
  }

  // -- the connection test ----------------------------------------------------------------
  const MARK = { passed: "✓", failed: "✗", skipped: "–", pending: "○", running: "…", "not run": "–" };

  function stepItem(item, status) {
    const li = el("li", { class: `step-${status.replace(" ", "-")}`, "data-step": item.name });
    li.append(el("span", { class: "mark", "aria-hidden": "true" }, MARK[status] || ""),
      el("span", { class: "title" }, item.title),
      el("span", { class: "status" }, status));
    return li;
  }

  async function runTest(sendTo) {
    const version = state.version;
    state.busy = true;
    updateButtons();
    hideMessage();
    $("#review-panel").hidden = true;
    const panel = $("#test-panel");
    panel.hidden = false;
    panel.scrollIntoView({ block: "start" });
    const status = $("#test-status");
    status.className = "running";
    status.textContent = sendTo ? `Testing connection and sending a test email to ${sendTo}...` : "Testing connection...";
    const steps = $("#test-steps");
    steps.textContent = "";
    const result = $("#test-result");
    result.textContent = "";
    result.className = "";
    const body = { ...draftBody() };
    if (passwordTyped()) body.password = input("password").value;
    if (sendTo) body.send_to = sendTo;
    try {
      const res = await post("/api/test", body);
      if (!res.ok) {
        let data = {};
        try { data = await res.json(); } catch (e) { data = { error: res.statusText }; }
        throw Object.assign(new Error(data.error || res.statusText), { hint: data.hint });
      }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let at;
        while ((at = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, at);
          buffer = buffer.slice(at + 1);
          if (line.trim()) handleTest(JSON.parse(line), version);
        }
      }
    } catch (err) {
      status.className = "failed";
      status.textContent = "The test could not run.";
      result.className = "result failed";
      result.append(el("p", {}, el("strong", {}, "✗ " + err.message)));
      if (err.hint) result.append(el("p", {}, "How to fix: " + err.hint));
    } finally {
      state.busy = false;
      updateButtons();
    }
  }

  function handleTest(item, version) {
    const steps = $("#test-steps");
    const status = $("#test-status");
    const result = $("#test-result");
    if (item.type === "plan") {
      item.steps.forEach((s, i) => steps.append(stepItem(s, i === 0 ? "running" : "pending")));
    } else if (item.type === "step") {
      const old = $(`li[data-step="${item.name}"]`, steps);
      const li = stepItem(item, item.status);
      const detail = item.name === "send" && item.status === "skipped"
        ? "not requested: use Send test email to send a real message" : item.detail || "";
      li.append(el("span", { class: "ms" }, item.status === "skipped" ? "" : `${item.duration_ms} ms`),
        el("span", { class: "detail" }, detail));
      if (item.status === "failed") {
        li.append(el("span", { class: "detail problem" }, `${item.message} How to fix: ${item.hint}`));
      }
      for (const w of item.warnings || []) li.append(el("span", { class: "detail warning" }, "Warning: " + w));
      if (old) old.replaceWith(li); else steps.append(li);
      const next = $("li.step-pending", steps);
      if (next && item.status !== "failed") {
        next.className = "step-running";
        $(".mark", next).textContent = MARK.running;
        $(".status", next).textContent = "running";
      }
    } else if (item.type === "result") {
      for (const li of $$("li.step-pending, li.step-running", steps)) {
        li.className = "step-not-run";
        $(".mark", li).textContent = MARK["not run"];
        $(".status", li).textContent = "not run";
      }
      if (item.passed) {
        status.className = "passed";
        status.textContent = item.sent_to ? `Connection successful; test email sent to ${item.sent_to}.` : "Connection successful";
        result.className = "result passed";
        result.append(el("p", {}, el("strong", {}, "✓ Connection successful. "), item.summary));
        if (state.version === version) state.tested = true;
      } else {
        status.className = "failed";
        status.textContent = `Connection failed at ${item.step}.`;
        result.className = "result failed";
        result.append(el("p", {}, el("strong", {}, "✗ " + item.message)),
          el("p", {}, "How to fix: " + item.hint));
      }
    } else if (item.type === "refused") {
      showFindings(item.findings);
      status.className = "failed";
      status.textContent = "Not tested: fix the errors marked in red first.";
    } else if (item.type === "error") {
      status.className = "failed";
      status.textContent = "The test could not run.";
      result.className = "result failed";
      result.append(el("p", {}, el("strong", {}, "✗ " + item.error)));
      if (item.hint) result.append(el("p", {}, "How to fix: " + item.hint));
    }
  }

  // -- save, propose, activate, delete, history --------------------------------------------
  async function guarded(job) {
    state.busy = true;
    updateButtons();
    try {
      await job();
    } catch (err) {
      showMessage(err.message, err.hint, "error");
    } finally {
      state.busy = false;
      updateButtons();
    }
  }

  function showReview(result) {
    const panel = $("#review-panel");
    panel.hidden = false;
    const approval = $("#approval");
    approval.textContent = "";
    if (result.security_sensitive) {
      approval.className = "approval needed";
      approval.append(el("p", {}, el("strong", {}, "Security-sensitive changes: IT approval needed."),
        ` Reviewers of ${result.env}: ${result.approvers}. Propose the branch and ask them to approve the pull request.`),
        el("ul", {}, ...result.reasons.map((r) => el("li", {}, r))));
    } else {
      approval.className = "approval";
      approval.append(el("p", {}, "No security-sensitive changes."));
    }
    renderMarkdown($("#review-body"), result.review);
    $("#review-md").textContent = result.review;
  }

  // The review's Markdown (what `smtpops diff --format markdown` writes) as page elements:
  // headings, lists, tables, bold and code spans. Built with text nodes only, never HTML.
  function inline(text) {
    const out = document.createDocumentFragment();
    const parts = text.split(/(`+[^`]+`+|\*\*[^*]+\*\*)/);
    for (const part of parts) {
      if (!part) continue;
      if (part.startsWith("`")) out.append(el("code", {}, part.replace(/^`+ ?| ?`+$/g, "")));
      else if (part.startsWith("**")) out.append(el("strong", {}, inline(part.slice(2, -2))));
      else out.append(part);
    }
    return out;
  }

  function renderMarkdown(target, markdown) {
    target.textContent = "";
    let top = null; // the current list, and the list nested in its last item
    let sub = null;
    let table = null;
    for (const raw of markdown.split("\n")) {
      const line = raw.trimEnd();
      const item = line.match(/^(\s*)- (.*)$/);
      if (!item) { top = null; sub = null; }
      if (!line.startsWith("|")) table = null;
      if (line.startsWith("<!--") || !line.trim()) continue;
      if (line.startsWith("|")) {
        const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
        if (cells.every((c) => /^-+$/.test(c))) continue;
        if (!table) { table = el("table", { class: "md" }); target.append(table); }
        const row = el("tr");
        for (const cell of cells) row.append(el(table.rows.length ? "td" : "th", {}, inline(cell)));
        table.append(row);
      } else if (item) {
        if (!top) { top = el("ul"); target.append(top); }
        if (!item[1].length) { top.append(el("li", {}, inline(item[2]))); sub = null; continue; }
        if (!top.lastElementChild) top.append(el("li"));
        if (!sub) { sub = el("ul"); top.lastElementChild.append(sub); }
        sub.append(el("li", {}, inline(item[2])));
      } else if (line.startsWith("### ")) {
        target.append(el("h5", {}, inline(line.slice(4))));
      } else if (line.startsWith("## ")) {
        target.append(el("h4", {}, inline(line.slice(3))));
      } else {
        target.append(el("p", {}, inline(line)));
      }
    }
  }

  function save() {
    return guarded(async () => {
      const body = draftBody();
      if (passwordTyped()) body.password = input("password").value;
      if (!state.isNew) body.version = state.fileVersion;
      else body.setup_seconds = (Date.now() - state.setupStarted) / 1000;
      $("#save").textContent = "Saving…";
      try {
        const result = await api("/api/save", body);
        const env = body.env;
        const name = body.name;
        input("password").value = "";
        state.touched = new Set();
        state.saved = readForm();
        state.isNew = false;
        state.canPropose = true;
        await openConfig(env, name, true);
        showMessage(result.nothing_to_do ? "Nothing to save: the file is unchanged."
          : `Saved: commit ${result.commit.slice(0, 12)} on work branch ${result.branch}. It is not active yet.`, null, "success");
        showReview(result);
      } finally {
        $("#save").textContent = "Save";
      }
    });
  }

  function propose() {
    return guarded(async () => {
      const result = await api("/api/propose", {});
      const panel = showMessage(result.message, null, result.pushed ? "success" : "info");
      if (result.link) {
        panel.append(el("p", {}, el("a", { href: result.link, target: "_blank", rel: "noopener noreferrer" }, "Open the pull request")));
      }
    });
  }

  function toggleActive() {
    if (state.isNew || !state.name) return;
    if (state.active) {
      if (!window.confirm(`Switch off ${state.env}/${state.name}? The CRM sends no email from ${state.env} until a config is activated again.`)) return;
      guarded(async () => {
        const result = await api("/api/deactivate", { env: state.env, name: state.name });
        state.canPropose = true;
        await openConfig(state.env, state.name, true);
        showMessage(result.message, null, "success");
      });
      return;
    }
    if (dirty()) {
      showMessage("Save your changes first.", "Activation deploys the saved config, not the form.", "error");
      return;
    }
    if (!window.confirm(`Activate ${state.env}/${state.name}? The connection test runs again; if it passes, this becomes the only active config of ${state.env}.`)) return;
    guarded(async () => {
      const result = await api("/api/activate", { env: state.env, name: state.name });
      state.canPropose = true;
      await openConfig(state.env, state.name, true);
      showMessage(result.message, null, "success");
    });
  }

  function remove() {
    if (state.isNew || !state.name) return;
    const ref = `${state.env}/${state.name}`;
    if (!state.active && !window.confirm(`Delete ${ref}? Its file is removed on the work branch (git history keeps it). This cannot be undone from this page.`)) return;
    guarded(async () => {
      await api("/api/delete", { env: state.env, name: state.name });
      state.saved = null;
      state.canPropose = true;
      $("#form").hidden = true;
      $("#welcome").hidden = false;
      resetPanels();
      state.env = state.name = null;
      await loadList();
      showMessage(`Deleted ${ref}.`, null, "success");
    });
  }

  async function showHistory() {
    if (!state.name) return;
    const data = await api(`/api/history/${encodeURIComponent(state.env)}/${encodeURIComponent(state.name)}`);
    const body = $("#history-body");
    body.textContent = "";
    $("#history-title").textContent = `History of ${state.env}/${state.name}`;
    if (!data.entries.length) body.append(el("p", {}, "No changes recorded."));
    const list = el("ol", { class: "history" });
    for (const e of data.entries) {
      const changes = el("ul");
      for (const c of e.changes) {
        for (const f of c.fields) {
          const what = "change" in f ? `${f.field}: ${f.change}` : `${f.field}: ${f.old ?? "(not set)"} → ${f.new ?? "(not set)"}`;
          changes.append(el("li", { class: f.security ? "security" : "" }, what));
        }
      }
      list.append(el("li", {}, el("strong", {}, `${e.when} — ${e.action}`), ` by ${e.actor}`,
        el("div", {}, e.subject), e.test ? el("div", { class: "muted" }, "Test: " + e.test) : null, changes));
    }
    body.append(list);
    $("#history-dialog").showModal();
  }

  // -- wiring -----------------------------------------------------------------------------
  function init() {
    const select = input("provider");
    for (const p of boot.providers) select.append(el("option", { value: p.id }, p.name));
    const form = $("#form");
    form.addEventListener("input", changed);
    form.addEventListener("change", (event) => {
      if (event.target.type === "checkbox" || event.target.tagName === "SELECT") changed(event);
      if (event.target === select) applyProvider();
      if (event.target === select) { markChanged(); scheduleValidate(); }
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    for (const button of $$(".step")) {
      button.addEventListener("click", () => step(button.dataset.for, Number(button.dataset.delta)));
    }
    for (const node of $$(".stepper input")) {
      node.addEventListener("keydown", (event) => {
        if (event.key === "ArrowUp" || event.key === "ArrowDown") {
          event.preventDefault();
          step(node.name, event.key === "ArrowUp" ? 1 : -1);
        }
      });
    }
    $("#show-password").addEventListener("click", (event) => {
      const node = input("password");
      const show = node.type === "password";
      node.type = show ? "text" : "password";
      event.currentTarget.textContent = show ? "Hide" : "Show";
      event.currentTarget.setAttribute("aria-pressed", show ? "true" : "false");
    });
    $("#test").addEventListener("click", () => runTest(null));
    $("#send").addEventListener("click", () => {
      const to = $("#send-to").value.trim();
      if (!to) { showMessage("Enter the address to send the test email to.", null, "error"); $("#send-to").focus(); return; }
      runTest(to);
    });
    $("#save").addEventListener("click", save);
    $("#propose").addEventListener("click", propose);
    $("#active-toggle").addEventListener("click", toggleActive);
    $("#delete").addEventListener("click", remove);
    $("#history").addEventListener("click", () => showHistory().catch((err) => showMessage(err.message, err.hint, "error")));
    $("#add-new").addEventListener("click", addNew);
    window.addEventListener("beforeunload", (event) => {
      if (dirty()) { event.preventDefault(); event.returnValue = ""; }
    });
    loadList().catch((err) => showMessage(err.message, err.hint, "error"));
  }

  init();
})();
