// The review page's only script of its own: "select all in review" on the plan calendar.
// Everything else works without it (plain forms); htmx polls running jobs.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
  const form = box.closest("form");
  if (!form) return;
  for (const item of form.querySelectorAll(`.item[data-state="${box.dataset.selectAll}"] input[type=checkbox]`)) {
    item.checked = box.checked;
  }
});
