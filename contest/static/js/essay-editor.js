// The entry editor (templates/essays/editor.html). The server is the truth; this page only makes sure nothing the
// writer types is ever lost on the way to it:
//
// * Every change is copied at once to localStorage (one key per entry and page load, with the server version the
//   text was based on) and saved through the API about 1.5 s after typing stops, and straight away when the page
//   is hidden or left (fetch keepalive). A save sends the whole entry with the version it was based on; the server
//   refuses it with 409 version_conflict when another tab or device saved in between.
// * Offline or a server error: the state says so and the save is retried with a growing delay (and at once when
//   the connection returns). The local copy stays until the server has exactly that text.
// * On a conflict autosave stops and the writer chooses: load the newer version (their text stays on this device
//   and is offered back, copyable, after the reload) or save theirs as the newest version. Never silently.
// * On load, a local copy that differs from the server's text is restored by itself only when the server still has
//   the version that copy was based on (so it is simply the continuation of the same draft, e.g. after a crash or
//   an offline reload): it is marked unsaved and saved. A local copy based on an older version than the server's
//   is offered, never applied unasked, because that would overwrite what was saved elsewhere.
// * The word count follows contest/essays/wordcount.py (whitespace-separated syllables of the plain text); after
//   each save the page shows the server's own count. Submitting is possible only when everything is saved, and the
//   server checks everything again.
//
// Without JavaScript the page is a plain form (the HTML in a textarea) with a Save button; with it, that button
// saves at once.
(function () {
  "use strict";
  var root = document.getElementById("entry-editor");
  var form = document.getElementById("entry-form");
  if (!root || !form || !window.fetch || !window.Promise || !window.ContestRichText) { return; }

  var data = root.dataset;
  var entryId = data.entry;
  var readOnly = data.readonly === "1";
  var storePrefix = "contest-entry-" + entryId + ":";
  var storeKey = storePrefix + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  var limits = {};
  try { limits = JSON.parse(data.limits || "{}"); } catch (e) { limits = {}; }

  var stateEl = document.getElementById("save-state");
  var countEl = document.getElementById("word-count");
  var limitEl = document.getElementById("word-limits");
  var versionEl = document.getElementById("current-version");
  var messageEl = document.getElementById("editor-message");
  var conflictEl = document.getElementById("conflict");
  var recoverEl = document.getElementById("recover");
  var submitButton = document.getElementById("submit-entry");
  var submitHint = document.getElementById("submit-hint");
  var versionInput = form.querySelector("input[name=version]");
  var textarea = document.getElementById("body_html");
  var editorBox = document.getElementById("body-editor");
  var coauthorsBox = document.getElementById("coauthors");

  var base = parseInt(data.version, 10) || 1;  // the server version our text is based on
  var lastSaved = null;     // the entry as the server has it (our serialisation)
  var inFlight = false;
  var saveTimer = null;
  var retryTimer = null;
  var retryDelay = 0;
  var problem = null;       // "offline", "error" while saves fail
  var stopped = null;       // "conflict", "closed", "gone": no more autosaving
  var uploads = 0;
  var afterSave = [];       // forms waiting for everything to be saved

  function texts() {
    return {
      placeholder: data.msgPlaceholder, linkPrompt: data.msgLinkPrompt, linkInvalid: data.msgLinkInvalid,
      linkVisit: data.msgLinkVisit, linkEnter: data.msgLinkEnter, linkEdit: data.msgLinkEdit,
      linkSave: data.msgLinkSave, linkRemove: data.msgLinkRemove, uploadFailed: data.msgUploadFailed,
      uploadOffline: data.msgUploadOffline, imageType: data.msgImageType, imageNotHere: data.msgImageType,
      toolHeading2: data.msgToolHeading2, toolHeading3: data.msgToolHeading3, toolBold: data.msgToolBold,
      toolItalic: data.msgToolItalic, toolUnderline: data.msgToolUnderline, toolQuote: data.msgToolQuote,
      toolOrdered: data.msgToolOrdered, toolBullet: data.msgToolBullet, toolLink: data.msgToolLink,
      toolImage: data.msgToolImage, toolClean: data.msgToolClean
    };
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // --- the entry as data ------------------------------------------------------------------------------------
  var rich = window.ContestRichText.create({
    textarea: textarea, container: editorBox, uploadUrl: readOnly ? null : data.uploadUrl, texts: texts(),
    readOnly: readOnly,
    onChange: function (source) { if (source !== "silent") { changed(); } },
    onUploaded: addAttachmentRow,
    onError: function (message) { showMessage(message, "error"); },
    onBusy: function (busy) { uploads += busy ? 1 : -1; refreshState(); }
  });

  function field(name) { return form.querySelector("[name=" + name + "]"); }

  function coauthorRows() {
    if (!coauthorsBox) { return null; }
    var rows = [];
    Array.prototype.forEach.call(coauthorsBox.querySelectorAll(".coauthor-row"), function (row) {
      var name = row.querySelector("[name=coauthor_name]").value;
      var email = row.querySelector("[name=coauthor_email]").value;
      if (name.trim() || email.trim()) { rows.push({full_name: name, email: email}); }
    });
    return rows;
  }

  function collect() {
    var entry = {
      title: field("title").value, category_id: parseInt(field("category_id").value, 10) || null,
      subject_name: field("subject_name").value, subject_unit: field("subject_unit").value,
      subject_description: field("subject_description").value, body_html: rich.html()
    };
    var rows = coauthorRows();
    if (rows !== null) { entry.coauthors = rows; }
    return entry;
  }

  // Two states of the entry are the same when they differ only in runs of spaces, which HTML does not keep.
  function fingerprint(entry) {
    var copy = {};
    Object.keys(entry || {}).sort().forEach(function (k) {
      var value = entry[k];
      copy[k] = typeof value === "string" ? value.replace(/\s+/g, " ").trim() : value;
    });
    return JSON.stringify(copy);
  }

  function dirty() { return lastSaved !== null && fingerprint(collect()) !== fingerprint(lastSaved); }

  function applyEntry(entry) {
    ["title", "subject_name", "subject_unit", "subject_description"].forEach(function (name) {
      if (typeof entry[name] === "string") { field(name).value = entry[name]; }
    });
    if (entry.category_id && field("category_id").querySelector('option[value="' + entry.category_id + '"]')) {
      field("category_id").value = String(entry.category_id);
    }
    if (coauthorsBox && Array.isArray(entry.coauthors)) { setCoauthors(entry.coauthors); }
    rich.setHtml(entry.body_html || "");
  }

  function plainText(entry) {
    var box = document.createElement("div");
    box.innerHTML = (entry.body_html || "").replace(/<(p|h2|h3|li|blockquote)\b/g, "\n<$1");
    return [entry.title || "", entry.subject_name || "", (box.textContent || "").trim()]
      .filter(function (part) { return part; }).join("\n\n");
  }

  // --- local copies ----------------------------------------------------------------------------------------
  function persist() {
    try {
      if (dirty() || stopped === "conflict") {
        window.localStorage.setItem(storeKey, JSON.stringify({base: base, at: Date.now(), data: collect()}));
      } else {
        window.localStorage.removeItem(storeKey);
      }
    } catch (e) { /* private mode or full storage: the server copy still counts */ }
  }

  function localDrafts() {
    var found = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(storePrefix) === 0 && key !== storeKey) {
          var value = JSON.parse(window.localStorage.getItem(key) || "null");
          if (value && value.data && typeof value.base === "number") { value.key = key; found.push(value); }
        }
      }
    } catch (e) { return []; }
    return found.sort(function (a, b) { return b.at - a.at; });
  }

  function forget(draft) {
    try { window.localStorage.removeItem(draft.key); } catch (e) { /* nothing kept */ }
  }

  // --- state and messages ------------------------------------------------------------------------------------
  function showState(state, message) {
    stateEl.setAttribute("data-state", state);
    stateEl.textContent = message;
  }

  function showMessage(message, kind) {
    if (!messageEl) { return; }
    messageEl.textContent = message || "";
    messageEl.className = "flash flash-" + (kind || "info");
    messageEl.hidden = !message;
  }

  function refreshState() {
    var unsaved = dirty();
    if (stopped === "conflict") { showState("conflict", data.msgConflictState); }
    else if (stopped === "closed") { showState("error", data.msgClosed); }
    else if (stopped === "gone") { showState("error", data.msgGone); }
    else if (problem === "offline") { showState("offline", data.msgOffline); }
    else if (problem === "error") { showState("error", data.msgNotSaved); }
    else if (unsaved || inFlight || uploads) { showState("saving", data.msgSaving); }
    else { showState("saved", data.msgSaved); }
    var busy = unsaved || inFlight || uploads > 0 || Boolean(stopped);
    if (submitButton) { submitButton.disabled = busy || readOnly; }
    if (submitHint) { submitHint.hidden = !busy || readOnly; }
    if (!busy) {
      var waiting = afterSave;
      afterSave = [];
      waiting.forEach(function (f) { f.submit(); });
    }
  }

  function countWords(text) {
    // Exactly contest/essays/wordcount.py: zero-width characters deleted, split on its whitespace, and every
    // piece with a letter or digit is a word (each Vietnamese syllable counts once; a lone dash does not).
    return (text || "").normalize("NFC").replace(/[\u200B\u200C\u200D\u2060\uFEFF]/g, "")
      .split(/[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/)
      .filter(function (piece) { return /[\p{L}\p{N}]/u.test(piece); }).length;
  }

  function formatNumber(n) {
    try { return n.toLocaleString(document.documentElement.lang || "vi"); } catch (e) { return String(n); }
  }

  function showCount(n) {
    if (!countEl) { return; }
    countEl.textContent = data.msgWords.replace("{n}", formatNumber(n));
    var limit = limits[field("category_id").value] || [null, null];
    var low = limit[0];
    var high = limit[1];
    var state = "ok";
    if (low !== null && n < low) { state = "short"; }
    if (high !== null && n > high) { state = "long"; }
    countEl.parentNode.setAttribute("data-limit", state);
    if (limitEl) {
      var text = "";
      if (low !== null && high !== null) { text = data.msgLimitBoth.replace("{min}", formatNumber(low)).replace("{max}", formatNumber(high)); }
      else if (low !== null) { text = data.msgLimitMin.replace("{min}", formatNumber(low)); }
      else if (high !== null) { text = data.msgLimitMax.replace("{max}", formatNumber(high)); }
      limitEl.textContent = text;
    }
  }

  // --- saving --------------------------------------------------------------------------------------------
  function changed() {
    if (readOnly || lastSaved === null) { return; }
    persist();
    showCount(countWords(rich.text()));
    if (stopped) { refreshState(); return; }
    if (problem === "error") { problem = null; }
    if (saveTimer) { window.clearTimeout(saveTimer); }
    saveTimer = window.setTimeout(function () { saveTimer = null; save(false); }, 1500);
    refreshState();
  }

  function save(leaving) {
    if (saveTimer) { window.clearTimeout(saveTimer); saveTimer = null; }
    if (readOnly || stopped || inFlight || (retryTimer && !leaving)) { refreshState(); return; }
    var entry = collect();
    if (fingerprint(entry) === fingerprint(lastSaved)) { persist(); refreshState(); return; }
    var payload = JSON.parse(JSON.stringify(entry));
    payload.version = base;
    var body = JSON.stringify(payload);
    inFlight = true;
    refreshState();
    fetch(data.saveUrl, {
      method: "PATCH",
      credentials: "same-origin",
      keepalive: Boolean(leaving) && body.length < 60000,  // browsers cap keepalive bodies at 64 KB
      headers: {"Content-Type": "application/json", "Accept": "application/json", "Accept-Language": document.documentElement.lang || "vi", "X-CSRFToken": csrfToken()},
      body: body
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (answer) {
        inFlight = false;
        if (resp.ok) { saved(entry, answer); } else { refused(resp.status, answer); }
      });
    }, function () {
      inFlight = false;
      retryLater("offline");
    });
  }

  function saved(entry, answer) {
    if (typeof answer.version === "number") { base = answer.version; }
    lastSaved = entry;
    retryDelay = 0;
    problem = null;
    if (versionInput) { versionInput.value = String(base); }
    if (versionEl) { versionEl.textContent = String(base); }
    if (typeof answer.word_count === "number" && !dirty()) { showCount(answer.word_count); }
    persist();
    if (dirty()) { save(false); }
    refreshState();
  }

  function refused(status, answer) {
    var error = answer && answer.error ? answer.error : {};
    if (status === 409 && error.code === "version_conflict") { conflict(error); return; }
    if (status === 409) {
      stopped = "closed";
      persist();
      showMessage(error.message || data.msgClosed, "warning");
      rich.enable(false);
      refreshState();
      return;
    }
    if (status === 401 || status === 403 || error.code === "csrf_failed") {
      showMessage(data.msgSignedOut, "error");
      retryLater("error");
      return;
    }
    if (status === 404) {
      stopped = "gone";
      persist();
      refreshState();
      return;
    }
    if (status === 400 || status === 413 || status === 422) {
      // Never accepted as it is: the writer must change something; the text stays here and on this device.
      problem = "error";
      showMessage(error.message || data.msgNotSaved, "error");
      persist();
      refreshState();
      return;
    }
    retryLater("offline"); // 429, 5xx: the server is busy
  }

  function retryLater(kind) {
    problem = kind;
    persist();
    refreshState();
    if (retryTimer) { return; }
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 1000, 30000);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      save(false);
    }, retryDelay + Math.floor(Math.random() * 300));
  }

  function retryNow() {
    if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
    retryDelay = 0;
    if (problem === "offline") { problem = null; }
    save(false);
  }

  // --- a newer version was saved elsewhere ------------------------------------------------------------------
  function newerVersion(error) {
    var fields = error.fields || {};
    var value = fields.version;
    if (Array.isArray(value)) { value = value[0]; }
    if (value === undefined && error.version !== undefined) { value = error.version; }
    var number = parseInt(value, 10);
    if (number) { return Promise.resolve(number); }
    return fetch(data.saveUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) { return resp.ok ? resp.json() : {}; })
      .then(function (entry) { return parseInt(entry.version, 10) || null; }, function () { return null; });
  }

  function conflict(error) {
    stopped = "conflict";
    persist();
    refreshState();
    conflictEl.hidden = false;
    conflictEl.querySelector(".conflict-message").textContent = error.message || data.msgConflict;
    conflictEl.querySelector("textarea").value = plainText(collect());
    conflictEl.scrollIntoView({block: "center"});
    newerVersion(error).then(function (number) {
      conflictEl.setAttribute("data-newer", number ? String(number) : "");
    });
  }

  conflictEl.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-choice]");
    if (!button) { return; }
    if (button.getAttribute("data-choice") === "load") {
      persist(); // our text stays on this device; the reloaded page offers it back
      window.location.reload();
      return;
    }
    var newer = parseInt(conflictEl.getAttribute("data-newer"), 10);
    var go = function (number) {
      if (!number) { showMessage(data.msgOffline, "error"); return; }
      base = number;
      stopped = null;
      conflictEl.hidden = true;
      showMessage("", "info");
      save(false);
    };
    if (newer) { go(newer); } else { newerVersion({}).then(go); }
  });

  // --- local copies found on load ------------------------------------------------------------------------------
  function offerDraft(draft) {
    recoverEl.hidden = false;
    var when = new Date(draft.at);
    recoverEl.querySelector(".recover-when").textContent = when.toLocaleString(document.documentElement.lang || "vi");
    recoverEl.querySelector("textarea").value = plainText(draft.data);
    recoverEl.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-choice]");
      if (!button) { return; }
      if (button.getAttribute("data-choice") === "restore") {
        applyEntry(draft.data);
        forget(draft);
        recoverEl.hidden = true;
        changed();
        save(false);
      } else if (button.getAttribute("data-choice") === "discard") {
        forget(draft);
        recoverEl.hidden = true;
      }
    });
  }

  function restoreLocal() {
    var drafts = localDrafts().filter(function (draft) {
      var stale = Date.now() - draft.at > 60 * 24 * 3600 * 1000;
      if (stale || fingerprint(draft.data) === fingerprint(lastSaved)) { forget(draft); return false; }
      return true;
    });
    if (!drafts.length || readOnly) { return; }
    var newest = drafts[0];
    if (newest.base === base) {
      applyEntry(newest.data);
      forget(newest);
      showMessage(data.msgRestored, "info");
      changed();
      save(false);
      return;
    }
    offerDraft(newest);
  }

  // --- co-authors --------------------------------------------------------------------------------------------
  function setCoauthors(rows) {
    var list = coauthorsBox.querySelector(".coauthor-rows");
    var template = coauthorsBox.querySelector(".coauthor-row");
    var wanted = Math.max(rows.length, 1);
    var existing = list.querySelectorAll(".coauthor-row");
    for (var i = existing.length; i < wanted; i++) { list.appendChild(blankRow(template)); }
    existing = list.querySelectorAll(".coauthor-row");
    for (var j = existing.length - 1; j >= wanted; j--) { existing[j].remove(); }
    Array.prototype.forEach.call(list.querySelectorAll(".coauthor-row"), function (row, index) {
      row.querySelector("[name=coauthor_name]").value = rows[index] ? rows[index].full_name || "" : "";
      row.querySelector("[name=coauthor_email]").value = rows[index] ? rows[index].email || "" : "";
    });
  }

  function blankRow(template) {
    var row = template.cloneNode(true);
    Array.prototype.forEach.call(row.querySelectorAll("input"), function (input) {
      input.value = "";
      input.removeAttribute("id");
    });
    Array.prototype.forEach.call(row.querySelectorAll("label"), function (labelEl) { labelEl.removeAttribute("for"); });
    return row;
  }

  if (coauthorsBox) {
    var addButton = coauthorsBox.querySelector("[data-add-coauthor]");
    if (addButton) {
      addButton.hidden = readOnly;
      addButton.addEventListener("click", function () {
        var list = coauthorsBox.querySelector(".coauthor-rows");
        var row = blankRow(coauthorsBox.querySelector(".coauthor-row"));
        list.appendChild(row);
        row.querySelector("input").focus();
      });
    }
    coauthorsBox.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-coauthor]");
      if (!remove || readOnly) { return; }
      var rows = coauthorsBox.querySelectorAll(".coauthor-row");
      var row = remove.closest(".coauthor-row");
      if (rows.length > 1) { row.remove(); }
      else { Array.prototype.forEach.call(row.querySelectorAll("input"), function (i) { i.value = ""; }); }
      changed();
    });
    Array.prototype.forEach.call(coauthorsBox.querySelectorAll("[data-remove-coauthor]"), function (b) { b.hidden = readOnly; });
  }

  // --- attachments ---------------------------------------------------------------------------------------------
  function addAttachmentRow(answer) {
    var list = document.getElementById("attachment-list");
    if (!list || !answer || !answer.url) { return; }
    var empty = document.getElementById("attachments-empty");
    if (empty) { empty.hidden = true; }
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = answer.url;
    link.textContent = answer.name || answer.key;
    link.target = "_blank";
    link.rel = "noopener";
    item.appendChild(link);
    list.appendChild(item);
  }

  var uploadForm = document.getElementById("attachment-form");
  if (uploadForm && data.uploadUrl) {
    uploadForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = uploadForm.querySelector("input[type=file]");
      if (!input.files || !input.files.length) { return; }
      var body = new FormData();
      body.append("file", input.files[0]);
      uploads += 1;
      refreshState();
      fetch(data.uploadUrl, {
        method: "POST", credentials: "same-origin", body: body,
        headers: {"Accept": "application/json", "Accept-Language": document.documentElement.lang || "vi", "X-CSRFToken": csrfToken()}
      }).then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (answer) {
          if (resp.ok) { addAttachmentRow(answer); input.value = ""; showMessage("", "info"); }
          else { showMessage(answer.error && answer.error.message ? answer.error.message : data.msgUploadFailed, "error"); }
        });
      }, function () {
        showMessage(data.msgUploadOffline, "error");
      }).then(function () { uploads -= 1; refreshState(); });
    });
  }

  // Forms that leave the page (submit, remove an attachment, withdraw) wait until everything is saved.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-after-save]"), function (f) {
    f.addEventListener("submit", function (event) {
      if (!dirty() && !inFlight && !uploads && !stopped) { return; }
      event.preventDefault();
      if (stopped) { return; }
      if (afterSave.indexOf(f) === -1) { afterSave.push(f); }
      save(false);
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault(); // the Save button: save now through the API
    if (problem === "offline") { retryNow(); } else { problem = null; save(false); }
  });
  form.addEventListener("input", function (event) {
    if (event.target === textarea) { return; }
    changed();
  });
  form.addEventListener("change", function (event) {
    if (event.target === field("category_id")) { showCount(countWords(rich.text())); }
    changed();
  });
  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget) && dirty()) { save(false); }
  });
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { if (dirty()) { save(true); } }
    else if (problem === "offline") { retryNow(); }
  });
  window.addEventListener("pagehide", function () {
    persist();
    if (dirty() && !inFlight) { save(true); }
  });

  // --- start ----------------------------------------------------------------------------------------------------
  lastSaved = collect();
  showCount(parseInt(data.wordCount, 10) || 0);
  root.setAttribute("data-ready", "1");
  restoreLocal();
  refreshState();
})();
