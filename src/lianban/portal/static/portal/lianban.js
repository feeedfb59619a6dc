/* lianban — a little progressive enhancement. Every page works without it.
   Served by the platform itself: no CDN, no build step, no dependencies. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  // 大字版 chosen earlier: the portal's pages render it on the server; pages of other templates (the
  // Django admin) take it from the cookie here.
  if (/(?:^|;\s*)lianban_text_size=large(?:;|$)/.test(document.cookie)) { root.classList.add("large-text"); }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Phone menu: fold the navigation behind a button (without JS it is always open).
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    // 大字版 (large text): a toggle on every page; the choice is kept in a cookie for a year, so the
    // server renders the next page large from its first paint.
    var textSize = document.querySelector("[data-text-size]");
    if (textSize) {
      textSize.hidden = false;
      textSize.addEventListener("click", function () {
        var large = root.classList.toggle("large-text");
        textSize.setAttribute("aria-pressed", large ? "true" : "false");
        document.cookie = "lianban_text_size=" + (large ? "large" : "normal") + "; Path=/; Max-Age=31536000; SameSite=Lax" +
          (window.location.protocol === "https:" ? "; Secure" : "");
      });
    }

    // Tools that only make sense with JS (copy link, print).
    document.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-copy-link]").forEach(function (button) {
      button.addEventListener("click", function () {
        var status = button.parentNode.querySelector(".copy-status");
        var done = function (ok) {
          if (status) { status.textContent = ok ? button.getAttribute("data-copied") : window.location.href; }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(window.location.href).then(function () { done(true); }, function () { done(false); });
        } else {
          done(false);
        }
      });
    });

    // Ask before irreversible actions: <form data-confirm="...">.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });

    // A code asked for (sign-up, password reset): ask every 2 s whether it went out, until it was sent or
    // failed, or for a little longer than the server waits before it calls it late. No JS: reload the page.
    var codeStatus = document.querySelector("[data-code-status]");
    if (codeStatus && window.fetch) {
      var asked = 0;
      var ask = function () {
        asked += 1;
        fetch(codeStatus.getAttribute("data-code-status"), { credentials: "same-origin", headers: { accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (answer) {
            if (!answer) { return; }
            if (answer.state !== codeStatus.getAttribute("data-code-state")) {
              codeStatus.setAttribute("data-code-state", answer.state);
              codeStatus.className = "code-status code-" + answer.state;
              codeStatus.textContent = answer.text;
            }
            if (!answer.final && asked < 60) { window.setTimeout(ask, 2000); }
          }, function () { if (asked < 60) { window.setTimeout(ask, 2000); } });
      };
      var state = codeStatus.getAttribute("data-code-state");
      if (state !== "sent" && state !== "failed") { window.setTimeout(ask, 1000); }
    }

    // After a submit with errors, move focus to the summary so screen readers announce it.
    // Its links take the focus to the field they name (a plain #anchor only scrolls).
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.querySelectorAll('a[href^="#"]').forEach(function (link) {
        link.addEventListener("click", function (event) {
          var target = document.getElementById(link.getAttribute("href").slice(1));
          if (!target) { return; }
          event.preventDefault();
          target.focus();
          target.scrollIntoView({ block: "center" });
        });
      });
    }
  });
})();
