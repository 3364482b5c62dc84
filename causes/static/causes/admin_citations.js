// "Cite" buttons on an entry's form (ReviewedEntryAdmin.citation_status): insert a
// source's [slug] marker at the cursor of the text last edited, or at the end of the
// summary. A file of its own, as the site's CSP allows no inline script.
(function () {
  "use strict";
  var TEXTS = ["id_summary", "id_used_to_treat", "id_mechanism_note", "id_advice", "id_body"];
  var last = null;
  document.addEventListener("focusin", function (event) {
    if (event.target && TEXTS.indexOf(event.target.id) !== -1) {
      last = event.target;
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".cite-button") : null;
    if (!button) {
      return;
    }
    event.preventDefault();
    var text = last || document.getElementById("id_summary");
    if (!text) {
      return;
    }
    var marker = button.getAttribute("data-marker");
    var start = typeof text.selectionStart === "number" ? text.selectionStart : text.value.length;
    var end = typeof text.selectionEnd === "number" ? text.selectionEnd : start;
    text.value = text.value.slice(0, start) + marker + text.value.slice(end);
    var caret = start + marker.length;
    text.focus();
    text.setSelectionRange(caret, caret);
    text.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
