// Enhancements for the evidence form; the form works without them.
(function () {
  "use strict";
  const form = document.querySelector("form.evidence-form");
  if (!form) return;

  // Show only the chosen capability's indicators, and untick the others.
  const select = form.querySelector("select[name=capability]");
  const groups = form.querySelectorAll(".indicator-group");
  function showIndicators() {
    groups.forEach(function (group) {
      const match = group.dataset.capability === select.value;
      group.hidden = !match;
      if (!match) {
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          box.checked = false;
        });
      }
    });
  }
  if (select) {
    select.addEventListener("change", showIndicators);
    showIndicators();
  }

  // A preview button under each Markdown field, rendered by the server's sanitiser.
  const url = form.dataset.previewUrl;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  form.querySelectorAll(".markdown-field").forEach(function (wrapper) {
    const textarea = wrapper.querySelector("textarea");
    const preview = wrapper.querySelector(".markdown-preview");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary mb-2";
    button.textContent = "Preview";
    button.setAttribute("aria-expanded", "false");
    preview.before(button);
    button.addEventListener("click", function () {
      if (!preview.hidden) {
        preview.hidden = true;
        button.textContent = "Preview";
        button.setAttribute("aria-expanded", "false");
        return;
      }
      const body = new URLSearchParams({ text: textarea.value });
      fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": token },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          const parsed = new DOMParser().parseFromString(html, "text/html");
          preview.replaceChildren(...parsed.body.childNodes);
          if (!preview.childNodes.length) preview.textContent = "Nothing to preview yet.";
          preview.hidden = false;
          button.textContent = "Hide preview";
          button.setAttribute("aria-expanded", "true");
        })
        .catch(function () {
          preview.textContent = "The preview could not be loaded; your text is unchanged.";
          preview.hidden = false;
        });
    });
  });
})();
