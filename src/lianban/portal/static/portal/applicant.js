/* lianban — applicant pages: the draft saves itself while you type, and each material uploads with a
   progress bar. Without JavaScript the same forms post normally (a save button, a multipart form per
   material). Served by the platform itself: no CDN, no build step, no dependencies. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  // ------------------------------------------------------------ autosave
  // Only the form fields ("field-…") save themselves; a changed answer changes the list of items and
  // materials, so it is saved with the "Update the list" button.
  function autosave(form) {
    var status = document.querySelector("[data-save-status]");
    if (!status || !window.fetch || !window.FormData) { return; }
    var timer = null;
    var saving = false;
    var again = false;
    var dirty = false;

    function show(state, suffix) {
      status.textContent = status.getAttribute("data-" + state) + (suffix ? " " + suffix : "");
      status.setAttribute("data-state", state);
    }

    function body() {
      var data = new FormData(form);
      data.set("action", "autosave");
      return data;
    }

    function save() {
      timer = null;
      if (saving) { again = true; return; }
      saving = true;
      dirty = false;
      show("saving");
      fetch(form.getAttribute("action"), {
        method: "POST", body: body(), credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, json: parse(text) }; });
      }).then(function (result) {
        saving = false;
        if (result.ok && result.json && result.json.ok) { show("saved", result.json.saved_at); } else { show("failed"); }
        if (again) { again = false; schedule(); }
      }, function () {
        saving = false;
        dirty = true;
        show("failed");
      });
    }

    function schedule() {
      dirty = true;
      show("dirty");
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, 1200);
    }

    function onEdit(event) {
      var name = event.target && event.target.name;
      if (name && name.indexOf("field-") === 0) { schedule(); }
    }

    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);
    form.addEventListener("submit", function () {
      if (timer) { clearTimeout(timer); timer = null; }
      dirty = false;
    });
    // Leaving the page with unsaved typing: send it in the background.
    window.addEventListener("pagehide", function () {
      if (dirty && navigator.sendBeacon) { navigator.sendBeacon(form.getAttribute("action"), body()); }
    });
  }

  // ------------------------------------------------------------- uploads
  function uploads(uploadForm) {
    var input = uploadForm.querySelector('input[type="file"]');
    var bar = uploadForm.querySelector("[data-progress]");
    var status = uploadForm.querySelector("[data-upload-status]");
    var error = uploadForm.querySelector("[data-upload-error]");
    var button = uploadForm.querySelector("[data-upload-button]");
    var slot = uploadForm.closest("[data-slot]");
    if (!input || !bar || !window.XMLHttpRequest || !window.FormData) { return; }
    if (button) { button.hidden = true; } // choosing a file sends it

    function fail(message) {
      bar.hidden = true;
      status.textContent = "";
      error.textContent = message || uploadForm.getAttribute("data-failed");
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      if (slot) { slot.classList.add("has-error"); }
    }

    function done(json) {
      bar.value = 100;
      status.textContent = uploadForm.getAttribute("data-done");
      input.value = "";
      input.removeAttribute("aria-invalid");
      if (!slot) { return; }
      var wasEmpty = !slot.classList.contains("has-file");
      slot.classList.add("has-file");
      slot.classList.remove("has-error");
      var line = slot.querySelector("[data-slot-file]");
      if (line) {
        line.textContent = "";
        var mark = document.createElement("span");
        mark.className = "ok-mark";
        mark.setAttribute("aria-hidden", "true");
        mark.textContent = "✓";
        var link = document.createElement("a");
        link.href = json.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = json.name;
        var size = document.createElement("span");
        size.className = "muted";
        size.textContent = " (" + json.size + ")";
        line.appendChild(mark);
        line.appendChild(document.createTextNode(" " + line.getAttribute("data-uploaded-label") + " "));
        line.appendChild(link);
        line.appendChild(size);
      }
      var counter = document.querySelector("[data-uploaded]");
      if (counter && wasEmpty) { counter.textContent = String(parseInt(counter.textContent, 10) + 1); }
    }

    function send() {
      if (!input.files || !input.files.length) { return; }
      var data = new FormData(uploadForm);
      var request = new XMLHttpRequest();
      var label = uploadForm.getAttribute("data-uploading");
      request.open("POST", uploadForm.getAttribute("action"));
      request.setRequestHeader("Accept", "application/json");
      bar.hidden = false;
      bar.value = 0;
      error.hidden = true;
      error.textContent = "";
      status.textContent = label + " 0%";
      uploadForm.setAttribute("data-state", "uploading");
      request.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) { return; }
        var percent = Math.round(100 * event.loaded / event.total);
        bar.value = percent;
        status.textContent = label + " " + percent + "%";
        uploadForm.setAttribute("data-progress-events", String(1 + parseInt(uploadForm.getAttribute("data-progress-events") || "0", 10)));
      });
      request.addEventListener("load", function () {
        var json = parse(request.responseText);
        if (request.status === 200 && json && json.ok) { done(json); uploadForm.setAttribute("data-state", "done"); } else { fail(json && json.error); uploadForm.setAttribute("data-state", "failed"); }
      });
      request.addEventListener("error", function () { fail(null); uploadForm.setAttribute("data-state", "failed"); });
      request.send(data);
    }

    input.addEventListener("change", send);
    uploadForm.addEventListener("submit", function (event) { event.preventDefault(); send(); });
  }

  // ---------------------------------------------- show a part for one radio
  function reveal(part) {
    var radio = document.getElementById(part.getAttribute("data-revealed-by"));
    if (!radio || !radio.name) { return; }
    var group = document.querySelectorAll('input[type="radio"][name="' + radio.name + '"]');
    function update() { part.hidden = !radio.checked; }
    group.forEach(function (other) { other.addEventListener("change", update); });
    update();
  }

  ready(function () {
    var form = document.querySelector("form[data-autosave]");
    if (form) { autosave(form); }
    document.querySelectorAll("form[data-upload]").forEach(uploads);
    document.querySelectorAll("[data-revealed-by]").forEach(reveal);
  });
})();
