/* The export form's "select all" toggle, attached here rather than inline (CSP). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll('input.select-toggle[name="select-all-toggle"]').forEach(function (toggle) {
    toggle.addEventListener("change", function (event) {
      if (typeof window.onSelectToggleChange === "function") window.onSelectToggleChange(event);
    });
  });
});
