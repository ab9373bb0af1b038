/* Autosave for the rapporteur's notes editor (progressive enhancement; the form works without it).
 *
 * - Saves a draft a few seconds after typing stops, through the same rules as the Save button:
 *   the server never overwrites someone else's revision; a stale or idle editor gets a new one.
 * - Keeps a copy in this browser (localStorage) until the server has it, so text typed while the
 *   sign-in expired is offered back after signing in again.
 */
(function () {
  "use strict";
  var form = document.querySelector("form.note-editor");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-autosave-url");
  var key = form.getAttribute("data-note-key");
  var status = form.querySelector(".autosave-status");
  var base = form.querySelector("input[name=base]");
  var summary = form.querySelector("textarea[name=summary]");
  var body = form.querySelector("textarea[name=body]");
  var timer = null;
  var saving = false;
  var dirty = false;
  var DELAY = 4000;

  function say(text) { if (status) { status.textContent = text; } }
  function now() { return new Date().toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}); }

  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({summary: summary.value, body: body.value,
                                                base: base.value, at: Date.now()}));
    } catch (e) { /* storage full or disabled: the server save still works */ }
  }
  function forget() { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
  function stored() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function save() {
    timer = null;
    if (saving || !dirty) { return; }
    saving = true;
    dirty = false;
    var data = new FormData(form);
    fetch(url, {method: "POST", body: data, credentials: "same-origin",
                headers: {"Accept": "application/json"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("application/json") === -1) {
          throw new Error("signed-out");
        }
        return response.json().then(function (json) { return {ok: response.ok, json: json}; });
      })
      .then(function (result) {
        if (!result.ok || !result.json.ok) {
          dirty = true;
          say("Not autosaved: " + (result.json.message || "the server refused it") +
              " Your text is kept in this browser.");
          return;
        }
        base.value = String(result.json.revision);
        if (!dirty) { forget(); }
        say(result.json.kept_apart ? result.json.message : "Autosaved at " + now() +
            " (revision " + result.json.revision + ").");
      })
      .catch(function () {
        dirty = true;
        say("Not autosaved (you may have been signed out, or the connection dropped). " +
            "Your text is kept in this browser; sign in again and it will be offered back.");
      })
      .then(function () { saving = false; });
  }

  function changed() {
    dirty = true;
    store();
    say("Unsaved changes…");
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, DELAY);
  }

  function offerRestore() {
    var copy = stored();
    if (!copy || (copy.summary === summary.value && copy.body === body.value)) {
      if (copy) { forget(); }
      return;
    }
    var box = document.createElement("div");
    box.className = "restore flash flash-warning";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = "This browser holds text for these notes that the server does not have yet (from " +
      new Date(copy.at).toLocaleString() + ").";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = "Put it back in the editor";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button secondary";
    discard.textContent = "Discard it";
    restore.addEventListener("click", function () {
      summary.value = copy.summary;
      body.value = copy.body;
      base.value = copy.base;  // the server keeps it apart if others saved since
      box.remove();
      changed();
      body.focus();
    });
    discard.addEventListener("click", function () { forget(); box.remove(); });
    box.appendChild(text);
    box.appendChild(restore);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(discard);
    form.insertBefore(box, form.firstChild);
  }

  summary.addEventListener("input", changed);
  body.addEventListener("input", changed);
  form.addEventListener("submit", function () { store(); if (timer) { clearTimeout(timer); } });
  window.addEventListener("beforeunload", function () { if (dirty) { store(); } });
  offerRestore();
})();
