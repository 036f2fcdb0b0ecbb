// The page of a cycle export follows its job: every few seconds it asks the server for itself
// again and shows the new count, until the job is over; then it shows the download (or what went
// wrong). Without this script the page says so and offers a link to look again.
(function () {
  "use strict";
  const box = document.getElementById("export-progress");
  if (!box || !box.dataset.refresh) {
    return;
  }
  const every = Number(box.dataset.refresh) * 1000;

  function copy(selector, next, take) {
    const here = box.querySelector(selector);
    const there = next.querySelector(selector);
    if (here && there) {
      take(here, there);
    }
  }

  async function check() {
    let html;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      html = await response.text();
    } catch (error) {
      window.setTimeout(check, every);
      return;
    }
    const next = new DOMParser().parseFromString(html, "text/html").getElementById("export-progress");
    if (!next) {
      return;
    }
    copy('[role="status"]', next, (here, there) => { here.textContent = there.textContent; });
    copy("progress", next, (here, there) => {
      here.max = there.max;
      here.value = there.value;
      here.textContent = there.textContent;
    });
    if (next.dataset.refresh) {
      window.setTimeout(check, every);
      return;
    }
    box.querySelectorAll(".export-after").forEach((element) => element.remove());
    next.querySelectorAll(".export-after").forEach((element) => box.append(element));
    delete box.dataset.refresh;
  }

  window.setTimeout(check, every);
})();
