// Scoring one entry (templates/judging/assignment.html, judge_rubric.html). The server is the truth (the rules are
// in contest/judging/scoring.py); this page shows the weighted total as the judge types, checks each score against
// its range before sending it, and makes sure a draft is never lost on the way:
//
// * Every change is copied at once to localStorage (one key per assignment, with the server's saved_at it was
//   based on) and saved as a draft through PUT /api/v1/assignments/{id}/scores about 1.2 s after typing stops, and
//   at once when the page is hidden (fetch keepalive). A score outside its range is marked and not sent; the rest
//   is saved.
// * Offline or a server error: the state says so, with a retry button, and the save is retried with a growing
//   delay (and at once when the connection returns). The local copy stays until the server has those values.
// * On load, a local copy is put back only when the server still has the draft it was based on (so it is the
//   continuation of this draft, e.g. after an offline reload); one based on an older draft is dropped, because the
//   judge saved later elsewhere.
// * "Submit scores" asks for confirmation, sends everything with submit: true and reloads the page (read-only).
//   A reopened, already submitted score is not autosaved: every change to it is audited, so it is sent once, when
//   the judge submits it again.
//
// Without JavaScript the form posts to the page (save draft / submit buttons) and the server answers the same.
(function () {
  "use strict";
  var root = document.getElementById("judge-scoring");
  var form = document.getElementById("rubric-form");
  if (!root || !form || !window.fetch || !window.Promise) { return; }

  var data = root.dataset;
  var editable = data.editable === "1";
  var autosave = data.autosave === "1";
  var storeKey = "contest-judging-" + data.assignment;
  var lang = document.documentElement.lang || "vi";
  var scale = parseFloat(data.scale) || 0;

  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-criterion]"));
  var commentBoxes = Array.prototype.slice.call(form.querySelectorAll("textarea[data-comment]"));
  var overall = document.getElementById("overall-comment");
  var totalEl = document.getElementById("judge-total");
  var noteEl = document.getElementById("judge-total-note");
  var stateEl = document.getElementById("save-state");
  var retryButton = document.getElementById("retry-save");
  var draftButton = document.getElementById("save-draft");
  var submitButton = document.getElementById("submit-scores");
  var messageEl = document.getElementById("judge-message");

  var base = data.savedAt || "";  // the server's saved_at our values are based on
  var lastSaved = null;           // the values the server has (our serialisation)
  var inFlight = false;
  var saveTimer = null;
  var retryTimer = null;
  var retryDelay = 0;
  var problem = null;             // "offline", "error"
  var stopped = null;             // "closed", "gone": no more saving

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function formatNumber(n) {
    var rounded = Math.round(n * 100) / 100;
    try { return rounded.toLocaleString(lang, {maximumFractionDigits: 2}); } catch (e) { return String(rounded); }
  }

  // --- the values ----------------------------------------------------------------------------------------------
  function raw() {
    var values = {scores: {}, comments: {}, comment: overall ? overall.value : ""};
    inputs.forEach(function (input) { values.scores[input.dataset.criterion] = input.value; });
    commentBoxes.forEach(function (box) { values.comments[box.dataset.comment] = box.value; });
    return values;
  }

  function applyRaw(values) {
    inputs.forEach(function (input) {
      var v = values.scores ? values.scores[input.dataset.criterion] : undefined;
      if (typeof v === "string") { input.value = v; }
    });
    commentBoxes.forEach(function (box) {
      var v = values.comments ? values.comments[box.dataset.comment] : undefined;
      if (typeof v === "string") {
        box.value = v;
        if (v && box.closest("details")) { box.closest("details").open = true; }
      }
    });
    if (overall && typeof values.comment === "string") { overall.value = values.comment; }
  }

  // A score as a number, null when empty, or undefined when it is not a score of this criterion.
  function scoreOf(input) {
    if (input.validity && input.validity.badInput) { return undefined; }
    var text = input.value.trim();
    if (!text) { return null; }
    var value = Number(text);
    var max = parseFloat(input.dataset.max);
    if (!isFinite(value) || value < 0 || value > max) { return undefined; }
    return value;
  }

  function errorSlot(name) { return document.getElementById(name + "-error"); }

  function showFieldError(input, message) {
    var slot = errorSlot(input.id);
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    if (slot) { slot.textContent = message || ""; slot.hidden = !message; }
  }

  function checkInput(input) {
    var value = scoreOf(input);
    if (value === undefined) {
      showFieldError(input, input.validity && input.validity.badInput ? data.msgNotNumber : input.dataset.msgRange);
    } else {
      showFieldError(input, "");
    }
    return value;
  }

  // What the API takes: valid scores (null clears one), the comments and the overall comment.
  function payload() {
    var body = {scores: {}, comments: {}, comment: overall ? overall.value : ""};
    inputs.forEach(function (input) {
      var value = scoreOf(input);
      if (value !== undefined) { body.scores[input.dataset.criterion] = value; }
    });
    commentBoxes.forEach(function (box) { body.comments[box.dataset.comment] = box.value; });
    return body;
  }

  function fingerprint(body) { return JSON.stringify(body); }

  function invalidCount() {
    return inputs.filter(function (input) { return scoreOf(input) === undefined; }).length;
  }

  function dirty() { return lastSaved !== null && fingerprint(payload()) !== fingerprint(lastSaved); }

  // --- the total, as the server computes it: Σ score / max × weight on the rubric's scale ----------------------
  function showTotal() {
    var sum = 0;
    var scored = 0;
    inputs.forEach(function (input) {
      var value = scoreOf(input);
      if (typeof value === "number") {
        sum += value / parseFloat(input.dataset.max) * parseFloat(input.dataset.weight);
        scored += 1;
      }
    });
    totalEl.textContent = scored ? formatNumber(sum) : "—";
    if (noteEl) {
      noteEl.textContent = scored && scored < inputs.length
        ? data.msgPartial.replace("{n}", String(scored)).replace("{m}", String(inputs.length)) : "";
    }
    totalEl.setAttribute("data-complete", scored === inputs.length ? "1" : "0");
    return scale;
  }

  // --- local copies ----------------------------------------------------------------------------------------------
  function persist() {
    try {
      if (dirty() || invalidCount()) {
        window.localStorage.setItem(storeKey, JSON.stringify({base: base, at: Date.now(), data: raw()}));
      } else {
        window.localStorage.removeItem(storeKey);
      }
    } catch (e) { /* private mode or full storage: the server copy still counts */ }
  }

  function localCopy() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }

  function forget() {
    try { window.localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
  }

  // --- state and messages ----------------------------------------------------------------------------------------
  function showState(state, message) {
    if (!stateEl) { return; }
    stateEl.hidden = false;
    stateEl.setAttribute("data-state", state);
    stateEl.textContent = message;
  }

  function showMessage(message, kind) {
    if (!messageEl) { return; }
    messageEl.textContent = message || "";
    messageEl.className = "flash flash-" + (kind || "info");
    messageEl.setAttribute("data-kind", kind || "info");
    messageEl.hidden = !message;
  }

  function refreshState() {
    if (!autosave) {
      if (stopped === "closed" || stopped === "gone") { showState("error", stopped === "gone" ? data.msgGone : data.msgClosed); }
      return;
    }
    if (stopped === "closed") { showState("error", data.msgClosed); }
    else if (stopped === "gone") { showState("error", data.msgGone); }
    else if (problem === "offline") { showState("offline", data.msgOffline); }
    else if (problem === "error" || invalidCount()) { showState("error", data.msgNotSaved); }
    else if (dirty() || inFlight) { showState("saving", data.msgSaving); }
    else { showState("saved", data.msgSaved); }
    if (retryButton) { retryButton.hidden = !(problem && !stopped); }
  }

  function lock() {
    Array.prototype.forEach.call(form.querySelectorAll("input, textarea, button"), function (el) {
      if (el.type !== "hidden") { el.disabled = true; }
    });
  }

  // --- saving ----------------------------------------------------------------------------------------------------
  function changed() {
    showTotal();
    if (!editable || stopped) { refreshState(); return; }
    if (!autosave) { return; }
    persist();
    if (problem === "error") { problem = null; }
    if (saveTimer) { window.clearTimeout(saveTimer); }
    saveTimer = window.setTimeout(function () { saveTimer = null; save(false); }, 1200);
    refreshState();
  }

  function send(body, leaving) {
    var text = JSON.stringify(body);
    return fetch(data.saveUrl, {
      method: "PUT",
      credentials: "same-origin",
      keepalive: Boolean(leaving) && text.length < 60000,  // browsers cap keepalive bodies at 64 KB
      headers: {"Content-Type": "application/json", "Accept": "application/json", "Accept-Language": lang,
                "X-CSRFToken": csrfToken()},
      body: text
    });
  }

  function save(leaving) {
    if (saveTimer) { window.clearTimeout(saveTimer); saveTimer = null; }
    if (!autosave || stopped || inFlight || (retryTimer && !leaving)) { refreshState(); return; }
    var body = payload();
    if (fingerprint(body) === fingerprint(lastSaved)) { persist(); refreshState(); return; }
    if (navigator.onLine === false) { retryLater("offline"); return; }  // known offline: keep it here, retry later
    body.submit = false;
    inFlight = true;
    refreshState();
    send(body, leaving).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (answer) {
        inFlight = false;
        delete body.submit;
        if (resp.ok) { saved(body, answer); } else { refused(resp.status, answer); }
      });
    }, function () {
      inFlight = false;
      retryLater("offline");
    });
  }

  function saved(body, answer) {
    lastSaved = body;
    if (answer && answer.saved_at) { base = answer.saved_at; }
    retryDelay = 0;
    problem = null;
    if (messageEl && messageEl.getAttribute("data-kind") === "error") { showMessage("", "info"); }
    clearServerErrors();
    persist();
    if (dirty()) { save(false); }
    refreshState();
  }

  function clearServerErrors() {
    commentBoxes.forEach(function (box) {
      var slot = errorSlot(box.id);
      if (slot) { slot.hidden = true; slot.textContent = ""; }
    });
    var slot = errorSlot("comment");
    if (slot) { slot.hidden = true; slot.textContent = ""; }
  }

  // The server's field errors ("scores.<id>", "comments.<id>", "comment") next to their fields.
  function showServerErrors(fields) {
    Object.keys(fields || {}).forEach(function (name) {
      var message = [].concat(fields[name]).join(" ");
      var parts = name.split(".");
      var target = null;
      if (parts[0] === "scores") { target = document.getElementById("score-" + parts[1]); }
      else if (parts[0] === "comments") { target = document.getElementById("comment-" + parts[1]); }
      else if (name === "comment") { target = document.getElementById("comment"); }
      if (target && target.tagName === "INPUT") { showFieldError(target, message); return; }
      var slot = errorSlot(target ? target.id : name);
      if (slot) { slot.textContent = message; slot.hidden = false; }
    });
  }

  function refused(status, answer) {
    var error = answer && answer.error ? answer.error : {};
    if (status === 409) {
      stopped = "closed";
      forget();
      showMessage(error.message || data.msgClosed, "warning");
      lock();
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
      showMessage(data.msgGone, "error");
      lock();
      refreshState();
      return;
    }
    if (status === 400 || status === 413 || status === 422) {
      // Never accepted as it is: the judge must change something; the values stay here and on this device.
      problem = "error";
      showMessage(error.message || data.msgNotSaved, "error");
      showServerErrors(error.fields);
      persist();
      refreshState();
      return;
    }
    retryLater("offline");  // 429, 5xx: the server is busy
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
    problem = null;
    save(false);
  }

  // --- submitting ------------------------------------------------------------------------------------------------
  function submitScores() {
    var missing = false;
    var invalid = false;
    inputs.forEach(function (input) {
      var value = checkInput(input);
      if (value === undefined) { invalid = true; }
      if (value === null) { missing = true; }
    });
    if (invalid || missing) {
      showMessage(invalid ? data.msgNotSaved : data.msgIncomplete, "error");
      var first = inputs.filter(function (input) { return scoreOf(input) === undefined || scoreOf(input) === null; })[0];
      if (first) { first.focus(); }
      return;
    }
    if (!window.confirm(data.msgConfirm)) { return; }
    if (saveTimer) { window.clearTimeout(saveTimer); saveTimer = null; }
    var body = payload();
    body.submit = true;
    submitButton.disabled = true;
    if (draftButton) { draftButton.disabled = true; }
    showState("saving", data.msgSubmitting);
    var finish = function () {
      submitButton.disabled = false;
      if (draftButton) { draftButton.disabled = false; }
    };
    var go = function () {
      send(body, false).then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (answer) {
          if (resp.ok) {
            forget();
            window.location.reload();
            return;
          }
          finish();
          refused(resp.status, answer);
        });
      }, function () {
        finish();
        problem = "offline";
        showMessage(data.msgOffline, "error");
        refreshState();
      });
    };
    // Let a draft save already on its way land first, so the two never cross.
    var wait = function () { if (inFlight) { window.setTimeout(wait, 100); } else { go(); } };
    wait();
  }

  // --- wiring ----------------------------------------------------------------------------------------------------
  inputs.forEach(function (input) {
    input.addEventListener("input", function () { checkInput(input); changed(); });
    input.addEventListener("blur", function () { checkInput(input); });
  });
  commentBoxes.concat(overall ? [overall] : []).forEach(function (box) {
    box.addEventListener("input", changed);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var action = event.submitter ? event.submitter.value : "save";
    if (action === "submit") { submitScores(); } else if (autosave) { save(false); } else { form.submit(); }
  });
  if (retryButton) { retryButton.addEventListener("click", retryNow); }
  window.addEventListener("online", function () { if (problem === "offline") { retryNow(); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty()) { save(true); }
  });
  window.addEventListener("pagehide", function () { if (dirty()) { save(true); } });

  lastSaved = payload();
  var local = autosave ? localCopy() : null;
  if (local && local.data) {
    if ((local.base || "") === base) {
      var before = fingerprint(raw());
      applyRaw(local.data);
      if (fingerprint(raw()) !== before) {
        showMessage(data.msgRestored, "info");
        inputs.forEach(checkInput);
        window.setTimeout(function () { save(false); }, 0);
      }
    } else {
      forget();
    }
  }
  showTotal();
  refreshState();
})();
