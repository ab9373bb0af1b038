/* Selection on list pages (guest list, follow-up board): "Select all on this page" and "None" toggle the
   row checkboxes in place (without JavaScript they are links that reload the page with every box ticked),
   "Select all N matching" ticks the page's boxes too, and a short summary says what is selected. */
(function () {
  "use strict";

  function setUp(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][data-row]"));
    var matching = form.querySelector("input[data-matching]");
    var summary = form.querySelector("[data-selection-summary]");

    function update() {
      if (!summary) { return; }
      var ticked = rows.filter(function (row) { return row.checked; }).length;
      if (matching && matching.checked) {
        summary.textContent = "All " + matching.getAttribute("data-total") + " matching are selected, on every page.";
      } else {
        summary.textContent = ticked ? ticked + " of " + rows.length + " on this page selected." : "None selected.";
      }
    }

    function setAll(checked) {
      rows.forEach(function (row) { row.checked = checked; });
      if (!checked && matching) { matching.checked = false; }
      update();
    }

    Array.prototype.forEach.call(form.querySelectorAll("a[data-select]"), function (link) {
      link.setAttribute("role", "button");
      link.addEventListener("click", function (event) {
        event.preventDefault();
        setAll(link.getAttribute("data-select") === "page");
      });
      link.addEventListener("keydown", function (event) {
        if (event.key === " ") { event.preventDefault(); link.click(); }
      });
    });
    rows.forEach(function (row) {
      row.addEventListener("change", function () {
        if (!row.checked && matching) { matching.checked = false; }
        update();
      });
    });
    if (matching) {
      matching.addEventListener("change", function () {
        if (matching.checked) { rows.forEach(function (row) { row.checked = true; }); }
        update();
      });
    }
    update();
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-selection]"), setUp);
}());
