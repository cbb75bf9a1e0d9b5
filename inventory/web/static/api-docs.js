// The API's interactive documentation (Swagger UI, vendored from npm): started from this file rather than
// an inline script, so the page keeps the same Content-Security-Policy as every other.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  window.ui = window.SwaggerUIBundle({ url: container.getAttribute("data-spec-url"), dom_id: "#swagger-ui-container" });
})();
