/* PrivacyDesk first-party analytics: reports this page's path to our own server, once.
 * base.html loads this file only when the visitor has allowed performance cookies, and the
 * server refuses to record anything without that consent. No third party, no fingerprinting. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) {
    return;
  }
  fetch(script.getAttribute("data-endpoint"), {
    method: "POST",
    credentials: "same-origin",
    keepalive: true,
    headers: {
      "Content-Type": "application/json",
      "X-CSRFToken": script.getAttribute("data-csrf")
    },
    body: JSON.stringify({ path: window.location.pathname })
  }).catch(function () {
    /* Analytics must never break a page. */
  });
})();
