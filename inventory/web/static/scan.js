// The scan station, enhanced: each code is posted for a JSON row, the batch grows in place, every outcome has
// its own colour and sound, and the input takes focus back so a keyboard-wedge scanner never types elsewhere.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form) return;
  var input = document.getElementById("f-code");
  var outcome = document.getElementById("outcome");
  var list = document.getElementById("scans");
  var progress = document.getElementById("kit-progress");
  var busy = false, queue = [];
  var play = window.scanTones.play;  // tones.js, loaded first

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

  function show(row, p) {
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
    list.insertBefore(li, list.firstChild);
    syncBatch();
    showProgress(p);
    play(row.outcome);
  }

  function send(code) {
    busy = true;
    var data = new FormData(form);
    data.set("code", code);
    fetch(form.action, { method: "POST", body: data, headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location = form.action; throw new Error("signed out"); }
        if (!r.ok) throw new Error("The server answered " + r.status);
        return r.json();
      })
      .then(function (body) { show(body.row, body.progress); })
      .catch(function (err) {
        show({ code: code, outcome: "unknown", message: "Could not check " + code + ": " + err.message });
      })
      .finally(function () { busy = false; if (queue.length) send(queue.shift()); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value.trim();
    input.value = "";
    input.focus();
    if (!code) return;
    if (busy) queue.push(code); else send(code);  // a fast scanner can outrun the server: keep the order
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
