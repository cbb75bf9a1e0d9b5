// GOV.UK Frontend's components started from a file, as the Content-Security-Policy allows no inline script.
// A browser that runs this module supports GOV.UK Frontend's JavaScript: the class lets its styles know.
import { initAll } from "/vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
