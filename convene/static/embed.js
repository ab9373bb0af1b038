/* Convene embed: fills every <div data-convene-briefs> with the latest briefs (no iframe, no cookies).
   The list is the HTML fragment served at /embed/publications, built and escaped on our server. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script ? new URL(script.src).origin : "";
  document.querySelectorAll("[data-convene-briefs]").forEach(function (box) {
    var url = new URL("/embed/publications", origin);
    if (box.dataset.region) { url.searchParams.set("region", box.dataset.region); }
    if (box.dataset.limit) { url.searchParams.set("limit", box.dataset.limit); }
    fetch(url.toString(), { credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { /* leave the fallback link the snippet carries */ });
  });
})();
