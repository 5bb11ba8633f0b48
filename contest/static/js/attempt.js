// The answer sheet (templates/quiz/attempt.html). The server is the truth: it rendered the answers it holds and
// its own time, so the countdown runs on the server's clock whatever the device's clock says. Each answer is sent
// to the API as it is chosen; failed saves are retried with a growing delay and kept in localStorage until the
// server has them, so a reload or a dropped connection loses nothing. All texts come from data- attributes, in
// the reader's language. Without this script the sheet is a plain form that submits every answer at once.
(function () {
  "use strict";
  var sheet = document.getElementById("answer-sheet");
  var form = document.getElementById("sheet-form");
  if (!sheet || !form || !window.fetch || !window.Promise) { return; }

  var data = sheet.dataset;
  var deadline = Date.parse(data.deadline);
  var offset = Date.parse(data.now) - Date.now(); // server clock minus device clock
  var graceMs = parseInt(data.graceMs, 10) || 0;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var questions = Array.prototype.slice.call(form.querySelectorAll(".question"));
  var palette = document.getElementById("palette");
  var stateEl = document.getElementById("save-state");
  var timerEl = document.getElementById("timer");
  var toggle = document.getElementById("view-toggle");
  var submitButton = document.getElementById("submit-button");
  var predictionInput = document.getElementById("prediction");
  var predictionError = document.getElementById("prediction-error");
  var storeKey = "contest-attempt-" + data.attempt;
  var modeKey = "contest-sheet-mode";

  var pending = loadPending(); // {position: [keys]} the server has not confirmed yet
  var inFlight = {};           // {position: JSON of the value being sent}
  var retryDelay = 0;
  var retryTimer = null;
  var problem = null;          // "offline" or "error" while saves are failing
  var submitting = false;
  var finished = false;
  var mode = "one";
  var current = 1;

  // --- small helpers ---------------------------------------------------------------------------------------
  function serverNow() { return Date.now() + offset; }

  function loadPending() {
    try {
      var value = JSON.parse(window.localStorage.getItem(storeKey) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (e) { return {}; }
  }

  function persist() {
    try {
      if (Object.keys(pending).length) { window.localStorage.setItem(storeKey, JSON.stringify(pending)); }
      else { window.localStorage.removeItem(storeKey); }
    } catch (e) { /* private mode or full storage: the server copy still counts */ }
  }

  function questionAt(position) { return document.getElementById("q" + position); }

  function chosen(fieldset) {
    return Array.prototype.slice.call(fieldset.querySelectorAll("input:checked")).map(function (i) { return i.value; });
  }

  function showState(state, message) {
    stateEl.setAttribute("data-state", state);
    stateEl.textContent = message;
  }

  function refreshState() {
    if (finished || submitting) { return; }
    if (problem) { return; }
    if (Object.keys(pending).length) { showState("saving", data.msgSaving); }
    else { showState("saved", data.msgSaved); }
  }

  function markAnswered(fieldset) {
    var answered = chosen(fieldset).length > 0;
    var item = palette.querySelector('[data-goto="' + fieldset.getAttribute("data-position") + '"]');
    if (item) { item.classList.toggle("answered", answered); }
    var clear = fieldset.querySelector(".clear-answer");
    if (clear) { clear.hidden = !answered || finished; }
  }

  // --- saving --------------------------------------------------------------------------------------------
  function record(fieldset) {
    if (finished) { return; }
    pending[fieldset.getAttribute("data-position")] = chosen(fieldset);
    persist();
    markAnswered(fieldset);
    flush();
  }

  function flush() {
    if (retryTimer || finished) { refreshState(); return; }
    Object.keys(pending).forEach(function (position) {
      if (inFlight[position] !== undefined) { return; } // one request per position; the newer value follows it
      var sent = JSON.stringify(pending[position]);
      inFlight[position] = sent;
      send(position, sent);
    });
    refreshState();
  }

  function send(position, sent) {
    fetch(data.answersUrl + position, {
      method: "PUT",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "Accept-Language": document.documentElement.lang || "vi", "X-CSRFToken": csrf},
      body: JSON.stringify({choices: JSON.parse(sent)})
    }).then(function (resp) {
      delete inFlight[position];
      if (resp.ok) {
        if (pending[position] !== undefined && JSON.stringify(pending[position]) === sent) {
          delete pending[position];
          persist();
        }
        retryDelay = 0;
        problem = null;
        flush();
        return null;
      }
      return resp.json().catch(function () { return {}; }).then(function (body) {
        saveRefused(resp.status, body, position);
      });
    }, function () {
      delete inFlight[position];
      retryLater("offline", data.msgOffline);
    });
  }

  function saveRefused(status, body, position) {
    var code = body && body.error ? body.error.code : "";
    if (status === 409) { // deadline passed or already submitted: the server has finalised the attempt
      finish();
      return;
    }
    if (status === 401 || status === 403 || code === "csrf_failed") {
      retryLater("error", data.msgSignedOut);
      return;
    }
    if (status === 404 || status === 422) { // never accepted, however often it is sent
      delete pending[position];
      persist();
      problem = "error";
      showState("error", data.msgRejected);
      window.setTimeout(function () { problem = null; refreshState(); }, 4000);
      return;
    }
    retryLater("offline", data.msgOffline); // 429, 5xx: the server is busy
  }

  function retryLater(state, message) {
    problem = state;
    showState(state, message);
    if (retryTimer) { return; }
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 1000, 30000);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      problem = null;
      flush();
    }, retryDelay + Math.floor(Math.random() * 300));
  }

  function retryNow() {
    if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
    retryDelay = 0;
    problem = null;
    flush();
  }

  function allSaved(maxMs) {
    var started = Date.now();
    return new Promise(function (resolve) {
      (function check() {
        var busy = Object.keys(pending).length || Object.keys(inFlight).length;
        if (!busy || Date.now() - started > maxMs) { resolve(); return; }
        if (retryTimer && !Object.keys(inFlight).length) { retryNow(); }
        window.setTimeout(check, 200);
      })();
    });
  }

  // --- submitting ----------------------------------------------------------------------------------------
  function finish() {
    finished = true;
    try { window.localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
    window.location.assign(data.resultUrl);
  }

  function lock() {
    questions.forEach(function (fieldset) {
      Array.prototype.forEach.call(fieldset.querySelectorAll("input, button"), function (el) { el.disabled = true; });
    });
    if (predictionInput) { predictionInput.readOnly = true; }
    submitButton.disabled = true;
  }

  function predictionValue() {
    if (!predictionInput) { return null; }
    var raw = predictionInput.value.trim();
    return /^\d+$/.test(raw) ? parseInt(raw, 10) : undefined;
  }

  function postSubmit(prediction, attempt) {
    var body = prediction === null || prediction === undefined ? {} : {prediction: prediction};
    fetch(data.submitUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "Accept-Language": document.documentElement.lang || "vi", "X-CSRFToken": csrf},
      body: JSON.stringify(body)
    }).then(function (resp) {
      if (resp.ok || resp.status === 404 || resp.status === 409) { finish(); return null; }
      return resp.json().catch(function () { return {}; }).then(function (answer) {
        var code = answer && answer.error ? answer.error.code : "";
        if (resp.status === 422 && predictionError) {
          submitting = false;
          submitButton.disabled = false;
          predictionError.textContent = answer.error.message || data.msgPredictionNeeded;
          predictionError.hidden = false;
          refreshState();
          return;
        }
        if (code === "csrf_failed" || resp.status === 401) { showState("error", data.msgSignedOut); }
        else { showState("offline", data.msgSubmitRetry); }
        window.setTimeout(function () { postSubmit(prediction, attempt + 1); }, Math.min(1000 * Math.pow(2, attempt), 15000));
      });
    }, function () {
      showState("offline", data.msgSubmitRetry);
      window.setTimeout(function () { postSubmit(prediction, attempt + 1); }, Math.min(1000 * Math.pow(2, attempt), 15000));
    });
  }

  function submitNow(prediction, timeUp) {
    submitting = true;
    submitButton.disabled = true;
    showState("saving", timeUp ? data.msgTimeUp : data.msgSubmitting);
    // Answers still travelling go first, so the submit scores them; at the deadline only until the grace ends.
    allSaved(timeUp ? Math.max(graceMs - 1000, 500) : 15000).then(function () { postSubmit(prediction, 0); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting || finished) { return; }
    var prediction = predictionValue();
    if (prediction === undefined) {
      predictionError.textContent = data.msgPredictionNeeded;
      predictionError.hidden = false;
      predictionInput.focus();
      return;
    }
    var unanswered = questions.filter(function (fieldset) { return !chosen(fieldset).length; }).length;
    var question = unanswered ? data.msgConfirmUnanswered.replace("{n}", String(unanswered)) : data.msgConfirm;
    if (!window.confirm(question)) { return; }
    submitNow(prediction, false);
  });

  function timeUp() {
    if (submitting || finished) { return; }
    lock();
    var prediction = predictionValue();
    if (prediction === undefined) {
      // The round asks for a prediction nobody gave: the server finalises the attempt with its saved answers
      // once the grace has passed; the result page shows it.
      submitting = true;
      showState("saving", data.msgTimeUp);
      allSaved(Math.max(graceMs - 1000, 500)).then(function () {
        window.setTimeout(finish, Math.max(deadline + graceMs + 1000 - serverNow(), 0));
      });
      return;
    }
    submitNow(prediction, true);
  }

  // --- the countdown -------------------------------------------------------------------------------------
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    var left = deadline - serverNow();
    if (left <= 0) {
      timerEl.textContent = "0:00";
      timeUp();
      return;
    }
    var seconds = Math.ceil(left / 1000);
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    timerEl.textContent = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(rest);
    timerEl.parentNode.classList.toggle("is-low", seconds <= 60);
    window.setTimeout(tick, Math.min(left, (left % 1000) || 1000) + 20);
  }

  // --- one question at a time, or all ----------------------------------------------------------------------
  function render() {
    sheet.setAttribute("data-mode", mode);
    questions.forEach(function (fieldset) {
      var position = parseInt(fieldset.getAttribute("data-position"), 10);
      fieldset.hidden = mode === "one" && position !== current;
      fieldset.querySelector(".q-nav").hidden = mode !== "one";
    });
    Array.prototype.forEach.call(palette.querySelectorAll("[data-goto]"), function (item) {
      var here = parseInt(item.getAttribute("data-goto"), 10) === current;
      item.classList.toggle("current", here && mode === "one");
      if (here) { item.setAttribute("aria-current", "step"); } else { item.removeAttribute("aria-current"); }
    });
    toggle.textContent = toggle.getAttribute(mode === "one" ? "data-label-one" : "data-label-all");
  }

  function go(position, scroll) {
    current = Math.min(Math.max(position, 1), questions.length);
    render();
    var target = questionAt(current);
    if (target && (scroll || mode === "all")) { target.scrollIntoView({block: "start", behavior: "smooth"}); }
  }

  toggle.addEventListener("click", function () {
    mode = mode === "one" ? "all" : "one";
    try { window.localStorage.setItem(modeKey, mode); } catch (e) { /* remembered for this page only */ }
    render();
  });

  palette.addEventListener("click", function (event) {
    var item = event.target.closest("[data-goto]");
    if (item) { go(parseInt(item.getAttribute("data-goto"), 10), true); }
  });

  form.addEventListener("click", function (event) {
    var step = event.target.closest("[data-step]");
    if (step) {
      go(current + parseInt(step.getAttribute("data-step"), 10), false);
      palette.scrollIntoView({block: "nearest"});
      return;
    }
    var clear = event.target.closest(".clear-answer");
    if (clear) {
      var fieldset = clear.closest(".question");
      Array.prototype.forEach.call(fieldset.querySelectorAll("input:checked"), function (i) { i.checked = false; });
      record(fieldset);
    }
  });

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest(".question");
    if (fieldset) { record(fieldset); }
    if (event.target === predictionInput && predictionError) { predictionError.hidden = true; }
  });

  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { retryNow(); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!finished && Object.keys(pending).length) {
      event.preventDefault();
      event.returnValue = data.msgLeave;
    }
  });

  // --- start: answers this device had not got to the server yet, then the view ------------------------------
  Object.keys(pending).forEach(function (position) {
    var fieldset = questionAt(position);
    if (!fieldset || !Array.isArray(pending[position])) { delete pending[position]; return; }
    Array.prototype.forEach.call(fieldset.querySelectorAll("input"), function (input) {
      input.checked = pending[position].indexOf(input.value) !== -1;
    });
  });
  persist();
  questions.forEach(markAnswered);
  try { mode = window.localStorage.getItem(modeKey) === "all" ? "all" : "one"; } catch (e) { mode = "one"; }
  var firstOpen = questions.filter(function (fieldset) { return !chosen(fieldset).length; })[0];
  current = firstOpen ? parseInt(firstOpen.getAttribute("data-position"), 10) : 1;
  palette.hidden = false;
  toggle.hidden = false;
  render();
  flush();
  tick();
})();
