// Offers the browser's own timezone on the attendee's settings form (no data leaves the page).
document.addEventListener("DOMContentLoaded", function () {
  var select = document.querySelector("select[data-browser-zone]");
  var hint = document.getElementById("browser-zone");
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!select || !hint || !zone || select.value === zone) return;
  if (!Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) return;
  hint.querySelector("strong").textContent = zone;
  hint.hidden = false;
  hint.querySelector("button").addEventListener("click", function () { select.value = zone; hint.hidden = true; });
});
