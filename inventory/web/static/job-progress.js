// A background job's page: asks for its progress every two seconds until it is done or has failed, and
// shows the download link when the file is ready. Without JavaScript, "Check again" reloads the page.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var bar = document.getElementById("job-bar");
  function part(name) { return box.querySelector('[data-job="' + name + '"]'); }
  function show(name, visible) { part(name).hidden = !visible; }
  function number(n) { return Number(n).toLocaleString("en-GB"); }

  function render(state) {
    box.setAttribute("data-status", state.status);
    show("waiting", state.status === "queued");
    show("running", state.status === "running");
    show("finished", state.status === "done");
    show("failed", state.status === "failed");
    show("again", state.status !== "done" && state.status !== "failed");
    part("done").textContent = number(state.done);
    part("total").textContent = number(state.total);
    part("percent").textContent = state.percent;
    part("message").textContent = state.message || "";
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    if (state.download) { part("download").href = state.download; }
    show("ready", Boolean(state.download));
    return state.status === "done" || state.status === "failed";
  }

  function poll() {
    fetch(box.getAttribute("data-state-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (state) {
        if (!state || !render(state)) { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 4000); });
  }

  var status = box.getAttribute("data-status");
  if (status !== "done" && status !== "failed") { window.setTimeout(poll, 1000); }
})();
