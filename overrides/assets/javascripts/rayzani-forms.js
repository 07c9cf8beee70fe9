/* Rayzani's comment and vote forms, where JavaScript runs (they work without it too).
 *
 * 1. A random token per filled form: a double click, a browser's retry or a resent form is
 *    received once (the receiver keeps one submission per token and text).
 * 2. A proof of work (ALTCHA's protocol): while the participant writes, ask the receiver for a
 *    signed puzzle and find the number whose SHA-256 with the salt is the challenge. The
 *    receiver makes and checks the puzzles itself; nothing goes to a third party. A form sent
 *    without a solution is still received, and held for an editor's check.
 */
(function () {
  "use strict";

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  function token() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return hex(bytes.buffer);
  }

  async function solve(puzzle) {
    if (puzzle.algorithm !== "SHA-256" || typeof puzzle.salt !== "string") return "";
    var encoder = new TextEncoder();
    for (var number = 0; number <= puzzle.maxNumber; number++) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(puzzle.salt + number));
      if (hex(digest) === puzzle.challenge) {
        return btoa(JSON.stringify({
          algorithm: puzzle.algorithm, challenge: puzzle.challenge, number: number,
          salt: puzzle.salt, signature: puzzle.signature
        }));
      }
    }
    return "";
  }

  function prepare(form) {
    if (form.elements.token && !form.elements.token.value && window.crypto && crypto.getRandomValues) {
      form.elements.token.value = token();
    }
    var proof = form.elements.altcha;
    if (!proof || !window.fetch || !window.crypto || !crypto.subtle || !window.TextEncoder) return;
    var solving = null, sending = false;
    function start() {
      if (!solving) {
        // The receiver answers puzzles at "challenge" beside its "submit".
        solving = fetch(new URL("challenge", form.action).href, { credentials: "omit", cache: "no-store" })
          .then(function (r) { return r.ok ? r.json() : ""; })
          .then(function (puzzle) { return puzzle ? solve(puzzle) : ""; })
          .then(function (solution) { proof.value = solution; })
          .catch(function () { /* unreachable receiver: the form is sent without it, and held */ });
      }
      return solving;
    }
    form.addEventListener("focusin", start);
    form.addEventListener("submit", function (event) {
      if (proof.value) return;
      event.preventDefault();
      if (sending) return;
      sending = true;
      var button = form.querySelector("button[type=submit]");
      if (button) button.setAttribute("aria-busy", "true");
      start().then(function () { form.submit(); });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.rz-form"), prepare);
})();
