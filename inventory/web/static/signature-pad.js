// The signature pads (issuing, returns, assessments): a finger (or mouse, or pen) draws on the canvas
// with pointer events; each stroke is kept as a polyline, and the whole drawing goes in the form's
// hidden field `signature_svg` as SVG, which the server checks and rewrites. "Verbal" hides the pad and
// asks for the advocate's note instead. A page may hold several forms, each with its own pad: every
// pad works within its own form. No inline script: CSP allows only files from our own origin.
(function () {
  "use strict";
  document.querySelectorAll("[data-signature-pad]").forEach(setUp);

  function setUp(pad) {
  var scope = pad.closest("form") || document;
  var canvas = pad.querySelector("canvas");
  var field = document.getElementById(pad.getAttribute("data-signature-pad"));
  var clear = pad.querySelector("[data-signature-clear]");
  var status = pad.querySelector("[data-signature-status]");
  var ctx = canvas.getContext("2d");
  var strokes = [];
  var current = null;
  var W = canvas.width, H = canvas.height;  // the drawing's own units: the viewBox

  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#0b0c0c";

  function point(event) {
    var box = canvas.getBoundingClientRect();
    var x = (event.clientX - box.left) * W / box.width;
    var y = (event.clientY - box.top) * H / box.height;
    return [Math.round(Math.max(0, Math.min(W, x)) * 10) / 10, Math.round(Math.max(0, Math.min(H, y)) * 10) / 10];
  }

  function save() {
    var lines = strokes.filter(function (s) { return s.length > 0; }).map(function (s) {
      var pts = s.length === 1 ? [s[0], [s[0][0] + 0.5, s[0][1] + 0.5]] : s;  // a dot is a tiny line
      return '<polyline points="' + pts.map(function (p) { return p[0] + "," + p[1]; }).join(" ") + '"/>';
    });
    field.value = lines.length
      ? '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + " " + H + '">' + lines.join("") + "</svg>"
      : "";
    status.textContent = lines.length ? "Signed." : "Not signed yet.";
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    strokes.push(current);
    ctx.beginPath();
    ctx.moveTo(current[0][0], current[0][1]);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!current) return;
    var p = point(event);
    var last = current[current.length - 1];
    if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < 1) return;  // keep the SVG small
    current.push(p);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
  });
  function end() {
    if (!current) return;
    current = null;
    save();
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  clear.addEventListener("click", function () {
    strokes = [];
    ctx.clearRect(0, 0, W, H);
    save();
  });

  // Drawn or verbal: show the pad or the note, whichever was chosen.
  var choices = scope.querySelectorAll("input[name=signature_method]");
  function show() {
    var chosen = scope.querySelector("input[name=signature_method]:checked");
    var method = chosen ? chosen.value : "drawn";
    scope.querySelectorAll("[data-signature-for]").forEach(function (part) {
      part.hidden = part.getAttribute("data-signature-for") !== method;
    });
  }
  choices.forEach(function (choice) { choice.addEventListener("change", show); });
  pad.hidden = false;
  show();
  }
})();
