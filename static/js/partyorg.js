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

// Member picker of the congress results form (congresses/results.html): choosing a suggestion
// puts the member's name in the row's name box and their id in its hidden field; typing again
// makes the row a person typed by hand (not a member of the registry).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-member-pick]") : null;
  if (!button) return;
  const row = button.closest("[data-member-picker]");
  if (!row) return;
  const name = row.querySelector("[data-member-name]");
  const id = row.querySelector("input[type=hidden][name$='-member']");
  if (name) name.value = button.getAttribute("data-name") || "";
  if (id) id.value = button.getAttribute("data-id") || "";
  const sex = row.querySelector("select[name$='-sex']");
  if (sex) sex.value = button.getAttribute("data-sex") || "";
  const year = row.querySelector("input[name$='-birth_year']");
  if (year) year.value = button.getAttribute("data-year") || "";
  const badge = row.querySelector("[data-member-badge]");
  if (badge) badge.classList.remove("d-none");
  const results = row.querySelector(".member-results");
  if (results) results.replaceChildren();
});

document.addEventListener("input", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLInputElement) || !target.hasAttribute("data-member-name")) return;
  const row = target.closest("[data-member-picker]");
  const id = row ? row.querySelector("input[type=hidden][name$='-member']") : null;
  if (id) id.value = "";
  const badge = row ? row.querySelector("[data-member-badge]") : null;
  if (badge) badge.classList.add("d-none");
});
