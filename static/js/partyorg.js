// Small behaviours of every page, kept out of the HTML so the Content Security Policy can forbid
// inline script entirely.
"use strict";

// A <select data-autosubmit> sends its form as soon as it changes (the language switcher).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});

// Organisation picker (orgs/widgets/org_picker.html): choosing a suggestion puts its name in the
// search box and its code in the hidden field the form sends. Without JavaScript the name typed
// is sent instead, and the server resolves it (orgs.selectors.org_choice).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-org-pick]") : null;
  if (!button) return;
  const picker = button.closest("[data-org-picker]");
  if (!picker) return;
  const search = picker.querySelector("input[type=search]");
  const code = picker.querySelector("[data-org-code]");
  if (search) search.value = button.getAttribute("data-name") || "";
  if (code) code.value = button.getAttribute("data-code") || "";
  const results = picker.querySelector(".org-picker-results");
  if (results) results.replaceChildren();
  if (search) search.focus();
});

// Typing again in a picker forgets the organisation chosen before.
document.addEventListener("input", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLInputElement) || target.type !== "search") return;
  const picker = target.closest("[data-org-picker]");
  const code = picker ? picker.querySelector("[data-org-code]") : null;
  if (code) code.value = "";
});
