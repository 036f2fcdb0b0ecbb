// Small helps for every page; each page works without them.
(function () {
  "use strict";
  // After a failed submit, focus moves to the summary of what went wrong, so a keyboard or
  // screen reader user starts there (the GOV.UK habit).
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // On a phone, filters start folded; the page is drawn with them open for wider screens and
  // for browsers without scripts.
  if (window.matchMedia("(max-width: 575.98px)").matches) {
    document.querySelectorAll("details.filters-fold[open]").forEach(function (details) {
      if (!details.querySelector(".is-invalid, [role=alert]")) details.open = false;
    });
  }
})();
