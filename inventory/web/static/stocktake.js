// The stocktake page, live: each scan is posted for a JSON row (a tone says found, unexpected, already
// counted or not recognised), and the counts and lists are polled so that everyone else's scans show up
// too. The input keeps focus, so a keyboard-wedge scanner never types elsewhere; the camera button
// (camera.js) fills the input and submits it.
(function () {
  "use strict";
  var counts = document.getElementById("stocktake-counts");
  if (!counts) return;
  var form = document.getElementById("stocktake-scan");
  var input = document.getElementById("f-code");
  var outcome = document.getElementById("outcome");
  var scans = document.getElementById("scans");
  var missingList = document.getElementById("missing-list");
  var unexpectedList = document.getElementById("unexpected-list");
  var busy = false, queue = [];
  var play = window.scanTones.play;  // tones.js, loaded first

  function item(text, tag) {
    var li = document.createElement("li");
    var span = document.createElement("span");
    span.className = "app-code tag";
    span.textContent = tag;
    li.appendChild(span);
    if (text) li.appendChild(document.createTextNode(" " + text));
    return li;
  }
  function describe(u) {
    var text = u.type;
    if (u.location) text += ", recorded at " + (u.location_name ? u.location_name + " (" + u.location + ")" : u.location);
    if (u.status) text += " (" + (u.status_text || u.status).toLowerCase() + ")";
    return text;
  }
  function redraw(live) {
    Object.keys(live.counts).forEach(function (name) {
      var el = counts.querySelector('[data-count="' + name + '"]');
      if (el) el.textContent = live.counts[name];
    });
    if (missingList) {
      missingList.textContent = "";
      live.missing.forEach(function (tag) { missingList.appendChild(item("", tag)); });
    }
    if (unexpectedList) {
      unexpectedList.textContent = "";
      live.unexpected.forEach(function (u) { unexpectedList.appendChild(item(describe(u), u.tag)); });
    }
    if (live.status !== "open" && form) window.location.reload();  // someone closed it: show the outcome
  }

  function poll() {
    fetch(counts.getAttribute("data-counts-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok || r.redirected) throw new Error("answered " + r.status); return r.json(); })
      .then(redraw)
      .catch(function () { /* try again at the next tick */ });
  }
  setInterval(poll, 2000);

  if (!form) return;
  function show(row) {
    outcome.className = "outcome outcome-" + (row.outcome === "found" ? "ok" : row.outcome);
    outcome.setAttribute("data-outcome", row.outcome);
    outcome.textContent = row.message;
    var li = item(row.message.replace(row.tag + " ", ""), row.tag || row.code);
    li.className = row.outcome === "found" ? "ok" : row.outcome;
    scans.insertBefore(li, scans.firstChild);
    play(row.outcome);
  }
  function send(code) {
    busy = true;
    var data = new FormData(form);
    data.set("code", code);
    fetch(form.action, { method: "POST", body: data, headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location.reload(); throw new Error("signed out"); }
        if (!r.ok) throw new Error("the server answered " + r.status);
        return r.json();
      })
      .then(function (body) { show(body.row); redraw(body); })
      .catch(function (err) { show({ code: code, outcome: "unknown", message: "Could not count " + code + ": " + err.message }); })
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
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, label, summary")) input.focus();
  });
  document.addEventListener("camera:code", function (event) {
    if (event.detail.input === input) form.requestSubmit();
  });
})();
