// Packing and receiving a consignment by scanning: each code is posted for a JSON answer (the item is packed
// or received at once), the outcome shows in colour with the scan station's tones, and the summary of what is
// still to pack or still to come counts down. Without JavaScript the form posts and the page is drawn again.
(function () {
  "use strict";
  var form = document.getElementById("box-scan-form");
  if (!form) return;
  var input = document.getElementById("f-code");
  var outcome = document.getElementById("outcome");
  var list = document.getElementById("scans");
  var summary = document.getElementById("box-summary");
  var status = document.querySelector("[data-box-status]");
  var busy = false, queue = [];
  var play = window.scanTones.play;  // tones.js, loaded first

  function show(row, body) {
    outcome.className = "outcome outcome-" + row.outcome;
    outcome.setAttribute("data-outcome", row.outcome);
    outcome.textContent = row.message;
    var li = document.createElement("li");
    li.className = row.outcome;
    var tag = document.createElement("span");
    tag.className = "app-code tag";
    tag.textContent = row.tag || row.code;
    li.appendChild(tag);
    li.appendChild(document.createTextNode(" " + row.message));
    list.insertBefore(li, list.firstChild);
    if (body && body.summary) summary.textContent = body.summary;
    if (body && body.status_text && status) status.textContent = body.status_text;
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
      .then(function (body) { show(body.row, body); })
      .catch(function (err) { show({ code: code, outcome: "unknown", message: "Could not check " + code + ": " + err.message }); })
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
  document.addEventListener("camera:code", function (event) {
    if (event.detail.input === input) form.requestSubmit();
  });
})();
