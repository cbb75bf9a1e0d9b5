// After signing in again: put back what was typed into the form when the last session ran out (the server
// kept it, see services/kept_forms.py), and say so above the form.
(function () {
  "use strict";
  var data = document.getElementById("kept-form");
  if (!data) { return; }
  var kept = JSON.parse(data.textContent);
  var form = Array.prototype.find.call(document.forms, function (f) {
    return (f.method || "").toLowerCase() === "post" && new URL(f.action, location.href).pathname === kept.action;
  });
  if (!form) { return; }
  Object.keys(kept.fields).forEach(function (name) {
    var values = kept.fields[name];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || el.type === "file" || el.type === "password" || el.name === "csrf_token") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else {
        el.value = values[0] !== undefined ? values[0] : "";
      }
    });
  });
  var note = document.createElement("div");
  note.className = "flash kept-form-note";
  note.setAttribute("role", "status");
  note.textContent = "You were signed out before this was sent. What you typed is back: check it and send it again.";
  form.parentNode.insertBefore(note, form);
  var first = form.querySelector("input:not([type=hidden]), select, textarea");
  if (first) { first.focus(); }
})();
