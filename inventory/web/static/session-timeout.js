// The idle-timeout warning. Two minutes before the server's idle timeout it asks the server how long is
// really left (another tab may have been busy), then shows the warning with a countdown and "Stay signed
// in". When the time is up it posts the page's form (what was typed, never passwords) to be kept for after
// signing in again, and goes to the sign-in page: the screen no longer shows anyone's details.
(function () {
  "use strict";
  var dialog = document.getElementById("timeout-warning");  // macros.html, timeout_warning
  var urls = document.getElementById("session-endpoints");    // _session_timeout.html
  if (!dialog || !urls || typeof dialog.showModal !== "function") { return; }
  var WARN = parseInt(dialog.getAttribute("data-warn-seconds"), 10) || 120;
  var idle = parseInt(dialog.getAttribute("data-idle-minutes"), 10) * 60;
  var leftText = dialog.querySelector("[data-timeout-countdown]");
  var token = document.querySelector('input[name="csrf_token"]');
  var timer = null, ticker = null, deadline = 0, lastForm = null;

  // The form being filled in: the last one typed into (the sign-out form in the header never counts).
  document.addEventListener("input", function (e) {
    var form = e.target && e.target.form;
    if (form && (form.method || "").toLowerCase() === "post" && !form.closest("header")) { lastForm = form; }
  });

  function schedule(secondsLeft) {
    clearTimeout(timer);
    deadline = Date.now() + secondsLeft * 1000;
    timer = setTimeout(check, Math.max(0, secondsLeft - WARN) * 1000);
  }

  function ask(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({"Accept": "application/json"}, options.headers || {});
    return fetch(url, options);
  }

  function check() {
    ask(urls.getAttribute("data-time-left"), {redirect: "manual"})
      .then(function (r) { return r.ok ? r.json() : {seconds_left: 0}; })
      .then(function (d) { if (d.seconds_left > WARN + 5) { schedule(d.seconds_left); } else { warn(d.seconds_left); } })
      .catch(function () { warn(WARN); });
  }

  function say(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    leftText.textContent = m > 0 ? m + " minute" + (m === 1 ? "" : "s") + (s ? " " + s + " seconds" : "") : s + " seconds";
  }

  function warn(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    say(Math.max(0, secondsLeft));
    if (!dialog.open) { dialog.showModal(); }
    clearInterval(ticker);
    ticker = setInterval(function () {
      var left = Math.round((deadline - Date.now()) / 1000);
      // Only every 15 seconds for screen readers' sake (the text is a live region), and the last ten.
      if (left % 15 === 0 || left <= 10) { say(Math.max(0, left)); }
      if (left <= -2) { clearInterval(ticker); timeUp(); }
    }, 1000);
  }

  function stay() {
    ask(urls.getAttribute("data-keep-alive"), {method: "POST", redirect: "manual", headers: {"X-CSRFToken": token ? token.value : ""}})
      .then(function (r) {
        if (r.status !== 204) { timeUp(); return; }
        clearInterval(ticker);
        dialog.close();
        schedule(idle);
      })
      .catch(function () { timeUp(); });
  }

  function timeUp() {
    var body = lastForm ? new FormData(lastForm) : new FormData();
    body.set("csrf_token", token ? token.value : "");
    body.set("__path", location.pathname + location.search);
    body.set("__action", lastForm ? new URL(lastForm.action, location.href).pathname : "");
    ask(urls.getAttribute("data-timed-out"), {method: "POST", body: body, redirect: "manual"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.sign_in) { location.assign(d.sign_in); return; }  // signed out, the form kept: to sign-in
        clearInterval(ticker); dialog.close(); schedule(d.seconds_left);  // another tab kept the session alive
      })
      .catch(function () { location.reload(); });  // the server signs out a page it is asked for too late
  }

  dialog.querySelector("[data-timeout-stay]").addEventListener("click", stay);
  dialog.addEventListener("cancel", function (e) { e.preventDefault(); stay(); });  // Escape means "stay"
  schedule(idle);
})();
