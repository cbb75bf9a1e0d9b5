// A <select data-auto-submit> sends its form as soon as a choice is made (the form's button, inside
// <noscript>, does the same without JavaScript).
(function () {
  "use strict";
  document.querySelectorAll("select[data-auto-submit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
