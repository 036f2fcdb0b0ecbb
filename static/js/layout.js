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

  // A heat strip scrolled sideways keeps its row labels in view, as a sticky first column
  // would: each label (the first child of its row) moves to the box's left edge, over a
  // backing as wide as the labels' column so the cells pass beneath it.
  const SVG = "http://www.w3.org/2000/svg";
  document.querySelectorAll(".heat-strip-scroll").forEach(function (box) {
    const svg = box.querySelector("svg.heat-strip");
    if (!svg) return;
    const labels = [];
    svg.querySelectorAll(".heat-strip-row").forEach(function (row) {
      const label = row.firstElementChild;
      const cell = row.querySelector(":scope > rect");
      if (!label || !cell) return;
      const backing = document.createElementNS(SVG, "rect");
      backing.setAttribute("class", "heat-strip-label-backing");
      backing.setAttribute("x", "0");
      backing.setAttribute("y", String(Number(cell.getAttribute("y")) - 1));
      backing.setAttribute("width", String(Number(cell.getAttribute("x")) - 2));
      backing.setAttribute("height", String(Number(cell.getAttribute("height")) + 2));
      label.insertBefore(backing, label.firstChild);
      // Drawn last, the label lies over the cells it passes.
      row.appendChild(label);
      labels.push(label);
    });
    function place() {
      const shift = Math.max(0, box.getBoundingClientRect().left - svg.getBoundingClientRect().left);
      labels.forEach(function (label) {
        label.setAttribute("transform", "translate(" + shift + " 0)");
      });
    }
    box.addEventListener("scroll", place, { passive: true });
    window.addEventListener("resize", place);
    place();
  });
})();
