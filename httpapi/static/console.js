// Alleen Werken: the information page updates itself while the ladder runs.
(function () {
  "use strict";
  var info = document.getElementById("info");
  if (!info || info.getAttribute("data-open") !== "true") {
    return;
  }
  var url = info.getAttribute("data-live");
  var version = info.getAttribute("data-version");
  var live = document.getElementById("live");
  var timer = null;

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401 || r.status === 403 || r.status === 404) {
          return null; // logged out or the link expired: stop polling
        }
        if (!r.ok) { throw new Error("status " + r.status); }
        return r.json();
      })
      .then(function (d) {
        if (d === null) {
          var stale = document.getElementById("stale");
          if (stale) { stale.hidden = false; }
          return;
        }
        live.innerHTML = d.html;
        if (d.version !== version) {
          version = d.version;
          info.setAttribute("data-version", version);
        }
        if (!d.open) {
          var form = document.getElementById("handle-form");
          if (form) { form.remove(); }
          info.setAttribute("data-open", "false");
          return;
        }
        timer = setTimeout(poll, 2000);
      })
      .catch(function () { timer = setTimeout(poll, 5000); });
  }
  timer = setTimeout(poll, 2000);
})();
