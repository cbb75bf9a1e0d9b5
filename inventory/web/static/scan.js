// The scan station, enhanced: each code is posted for a JSON row, the batch grows in place, every outcome has
// its own colour and sound, and the input takes focus back so a keyboard-wedge scanner never types elsewhere.
// Without a connection a scan is kept, on the page and on the phone (offline-store.js), as "waiting", and
// looked up when the connection returns (its tone then says how it went); the batch's action waits until
// every scan is looked up, and is sent once.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form) return;
  var input = document.getElementById("f-code");
  var outcome = document.getElementById("outcome");
  var list = document.getElementById("scans");
  var progress = document.getElementById("kit-progress");
  var batchForm = document.getElementById("batch-form");
  var store = window.OfflineStore && window.indexedDB ? window.OfflineStore : null;
  var page = location.pathname + location.search;
  var busy = false, queue = [], batchWaiting = false;

  // The tones are tones.js's (loaded first); the outcome element says which one played last, so a tone
  // heard later (a scan kept offline that fails when it is looked up) can be checked.
  function play(kind) {
    outcome.setAttribute("data-tone", kind);
    window.scanTones.play(kind);
  }

  function batch() {
    return Array.prototype.map.call(list.querySelectorAll("li.ok[data-tag]"), function (li) {
      return li.getAttribute("data-tag");
    }).reverse();
  }
  function syncBatch() {
    var tags = batch();
    document.querySelectorAll("[data-batch-tags]").forEach(function (field) { field.value = tags.join(" "); });
    document.querySelectorAll("[data-batch-count]").forEach(function (el) { el.textContent = tags.length; });
  }
  // Take an item out of the batch (a refused one, or one scanned by mistake) without starting again.
  function addRemoveButton(li) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0 remove";
    button.textContent = "Remove";
    button.setAttribute("aria-label", "Remove " + li.getAttribute("data-tag") + " from the batch");
    button.addEventListener("click", function () { li.remove(); syncBatch(); input.focus(); });
    li.appendChild(button);
  }
  list.querySelectorAll("li.ok[data-tag]").forEach(addRemoveButton);

  function describe(counts) {
    return Object.keys(counts).map(function (t) { return counts[t] + " " + t; }).join(", ");
  }
  function showProgress(p) {
    if (!progress || !p) return;
    progress.textContent = "";
    var line = document.createElement("p");
    if (p.complete) { line.className = "success"; line.textContent = "Everything " + p.template + " needs is here."; }
    else {
      var parts = [];
      if (Object.keys(p.missing).length) parts.push("Still missing: " + describe(p.missing));
      if (Object.keys(p.extra).length) parts.push("Too many: " + describe(p.extra));
      line.textContent = parts.join(". ");
    }
    progress.appendChild(line);
  }

  function show(row, p, replacing) {
    outcome.className = "outcome outcome-" + row.outcome;
    outcome.setAttribute("data-outcome", row.outcome);
    outcome.textContent = row.message;
    var li = document.createElement("li");
    li.className = row.outcome;
    if (row.outcome === "ok") li.setAttribute("data-tag", row.tag);
    // A known item links to its page (a look-up row too); an unknown code is only text.
    var tag = document.createElement(row.tag ? "a" : "span");
    tag.className = row.tag ? "govuk-link app-code tag" : "app-code tag";
    if (row.tag) tag.href = "/a/" + encodeURIComponent(row.tag);
    tag.textContent = row.tag || row.code;
    li.appendChild(tag);
    li.appendChild(document.createTextNode(" " + row.message));
    if (row.outcome === "ok") addRemoveButton(li);
    if (replacing && replacing.parentNode === list) list.replaceChild(li, replacing);
    else list.insertBefore(li, list.firstChild);
    syncBatch();
    showProgress(p);
    play(row.outcome);
  }

  // A scan kept for later: shown as waiting (not in the batch yet), and kept on the phone.
  function wait(code, li, keptId) {
    if (!li) {
      li = document.createElement("li");
      li.className = "waiting";
      li.setAttribute("data-waiting", code);
      var tag = document.createElement("span");
      tag.className = "app-code tag";
      tag.textContent = code;
      li.appendChild(tag);
      li.appendChild(document.createTextNode(" Waiting: looked up when the connection returns."));
      list.insertBefore(li, list.firstChild);
      if (keptId) li.setAttribute("data-scan-id", keptId);
      else if (store) store.addScan({ page: page, code: code }).then(function (id) { li.setAttribute("data-scan-id", id); });
    }
    outcome.className = "outcome outcome-waiting";
    outcome.setAttribute("data-outcome", "waiting");
    outcome.textContent = "No connection: " + code + " is kept and will be looked up when the connection returns.";
    return li;
  }
  function forget(li) {
    var id = li && li.getAttribute("data-scan-id");
    if (store && id) store.removeScan(parseInt(id, 10));
  }

  function next() {
    busy = false;
    if (queue.length) { var item = queue.shift(); send(item.code, item.li); return; }
    if (batchWaiting && navigator.onLine && !list.querySelector("li.waiting")) {
      batchWaiting = false;  // sent once
      syncBatch();
      batchForm.submit();
    }
  }

  function send(code, waiting) {
    busy = true;
    if (!navigator.onLine) { wait(code, waiting); next(); return; }
    var data = new FormData(form);
    data.set("code", code);
    fetch(form.action, { method: "POST", body: data, headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location = form.action; throw new Error("signed out"); }
        if (!r.ok) throw new Error("The server answered " + r.status);
        return r.json();
      }, function () {
        return null;  // no connection: kept
      })
      .then(function (body) {
        if (body === null) { wait(code, waiting); return; }
        forget(waiting);
        show(body.row, body.progress, waiting);
      })
      .catch(function (err) {
        forget(waiting);
        show({ code: code, outcome: "unknown", message: "Could not check " + code + ": " + err.message }, null, waiting);
      })
      .finally(next);
  }

  // Back online (or the page opened again): look up what waits, in the order scanned.
  function lookUpWaiting() {
    if (!navigator.onLine) return;
    var rows = Array.prototype.slice.call(list.querySelectorAll("li.waiting")).reverse();
    rows.forEach(function (li) { queue.push({ code: li.getAttribute("data-waiting"), li: li }); });
    if (!busy) next();
  }
  window.addEventListener("online", lookUpWaiting);
  if (store) {
    store.scans().then(function (kept) {
      kept.filter(function (s) { return s.page === page; }).forEach(function (s) {
        wait(s.code, null, s.id);
      });
    }).then(lookUpWaiting);
  }

  // The batch's action waits for the connection and for every scan to be looked up; then it is sent once.
  if (batchForm) {
    batchForm.addEventListener("submit", function (event) {
      if (navigator.onLine && !list.querySelector("li.waiting")) return;
      event.preventDefault();
      if (batchWaiting) return;
      batchWaiting = true;
      outcome.className = "outcome outcome-waiting";
      outcome.setAttribute("data-outcome", "waiting");
      outcome.textContent = "Waiting: this will be done once the connection returns and every scan is looked up.";
      lookUpWaiting();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value.trim();
    input.value = "";
    input.focus();
    if (!code) return;
    if (busy) queue.push({ code: code }); else send(code);  // a fast scanner can outrun the server: keep the order
  });

  // Keep the scan box focused unless the person has chosen another control (keyboard users can still Tab away).
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, label, summary")) input.focus();
  });
  window.addEventListener("focus", function () { input.focus(); });
  document.addEventListener("camera:code", function (event) {
    if (event.detail.input === input) form.requestSubmit();
  });
})();
