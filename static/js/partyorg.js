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
