/*
 * Rayzani search worker: Material for MkDocs' own search worker, loaded unchanged, with two
 * additions. overrides/main.html points Material at this file instead of its worker:
 *
 *   rayzani-search.js?worker=search.<hash>.min.js&scope=en/&exclude=
 *
 * 1. One language per search. mkdocs-static-i18n writes ONE index (/search/search_index.json)
 *    holding the pages of every language. On the setup message the documents are narrowed to
 *    the page's language: locations under `scope` ("en/" on English pages), and not under any
 *    prefix in `exclude` (the other languages' folders, on the default-language pages).
 *
 * 2. Persian-aware matching. lunr.js has no Persian support, so nothing folds the ways a word
 *    can be typed. The same fold() is applied to every indexed token (a lunr pipeline
 *    function placed first) and to every query (before Material parses it): Arabic yeh/kaf
 *    and other letter variants become Persian ones, diacritics, tatweel and invisible
 *    controls go, Persian and Arabic-Indic digits become ASCII. A word written with a
 *    half-space (ZWNJ) is indexed whole and by its parts: "می‌شود" is found by "می‌شود",
 *    "میشود", "می شود" and "شود". The text shown in results is not changed: tokens keep their
 *    positions, so highlighting still marks the original words.
 *
 * This runs in a Web Worker (importScripts); it has no effect on pages without JavaScript.
 */
(function () {
  "use strict";

  var params = new URLSearchParams(self.location.search);
  var worker = params.get("worker") || "";
  if (!/^search\.[0-9a-f]+\.min\.js$/.test(worker))
    throw new Error("rayzani-search: unexpected Material worker name: " + worker);
  var scope = params.get("scope") || "";
  var exclude = (params.get("exclude") || "").split(",").filter(Boolean);

  /* ---------------------------------------------------------------- fold -- */

  var LETTERS = {
    "\u064A": "\u06CC", // ي Arabic yeh -> ی
    "\u0649": "\u06CC", // ى alef maksura -> ی
    "\u06D2": "\u06CC", // ے yeh barree -> ی
    "\u0643": "\u06A9", // ك Arabic kaf -> ک
    "\u06AA": "\u06A9", // ڪ swash kaf -> ک
    "\u06C0": "\u0647", // ۀ heh with yeh above -> ه
    "\u06C1": "\u0647", // ہ heh goal -> ه
    "\u06D5": "\u0647", // ە ae -> ه
    "\u0629": "\u0647", // ة teh marbuta -> ه
    "\u0623": "\u0627", // أ -> ا
    "\u0625": "\u0627", // إ -> ا
    "\u0671": "\u0627", // ٱ -> ا
    "\u0622": "\u0627", // آ -> ا  (so "اب" also finds "آب")
    "\u0624": "\u0648"  // ؤ -> و
  };
  var LETTER = /[\u064A\u0649\u06D2\u0643\u06AA\u06C0\u06C1\u06D5\u0629\u0623\u0625\u0671\u0622\u0624]/g;

  // Arabic diacritics and Quranic marks, tatweel, zero-width and direction controls, BOM,
  // soft hyphen. ZWNJ (U+200C) is in this list: fold() removes it.
  var DROP = /[\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;
  var DIGIT = /[\u06F0-\u06F9\u0660-\u0669]/g;
  var NON_ASCII = /[^\x00-\x7F]/;

  function fold(value) {
    if (!NON_ASCII.test(value)) return value;
    return value
      .normalize("NFKC") // Arabic presentation forms -> letters
      .replace(DROP, "")
      .replace(LETTER, function (c) { return LETTERS[c]; })
      .replace(DIGIT, function (c) {
        var code = c.charCodeAt(0);
        return String.fromCharCode(48 + code - (code >= 0x06F0 ? 0x06F0 : 0x0660));
      });
  }

  // Index side: one token becomes the folded whole plus its half-space-separated parts.
  function indexToken(token) {
    var raw = token.toString();
    if (!NON_ASCII.test(raw)) return token;
    var whole = fold(raw);
    if (!whole) return null;
    var out = [token.clone(function () { return whole; })];
    var parts = raw.split("\u200C");
    if (parts.length > 1)
      for (var i = 0; i < parts.length; i++) {
        var part = fold(parts[i]);
        if (part && part !== whole)
          out.push(token.clone(function () { return part; }));
      }
    return out.length === 1 ? out[0] : out;
  }

  function searchToken(token) {
    return token.update(fold);
  }

  /* ------------------------------------------------------------ messages -- */

  var SETUP = 0, QUERY = 2; // Material's SearchMessageType

  function inLanguage(doc) {
    var location = String(doc.location || "");
    if (scope && location.indexOf(scope) !== 0) return false;
    for (var i = 0; i < exclude.length; i++)
      if (location.indexOf(exclude[i]) === 0) return false;
    return true;
  }

  function rewrite(message) {
    if (!message || typeof message !== "object") return message;
    if (message.type === SETUP && message.data && Array.isArray(message.data.docs)) {
      var data = {};
      for (var key in message.data) data[key] = message.data[key];
      data.docs = message.data.docs.filter(inLanguage);
      return { type: message.type, data: data };
    }
    if (message.type === QUERY && typeof message.data === "string")
      return { type: message.type, data: fold(message.data) };
    return message;
  }

  /* --------------------------------------------- load Material's worker -- */

  // Material's worker registers its handler with addEventListener("message", ...) while
  // it loads; wrap that one registration so the handler sees rewritten messages.
  var nativeAddEventListener = self.addEventListener;
  self.addEventListener = function (type, listener, options) {
    if (type !== "message" || typeof listener !== "function")
      return nativeAddEventListener.call(self, type, listener, options);
    return nativeAddEventListener.call(self, type, function (ev) {
      return listener.call(self, { type: ev.type, data: rewrite(ev.data) });
    }, options);
  };
  try {
    importScripts(worker);
  } finally {
    self.addEventListener = nativeAddEventListener;
  }

  var lunr = self.lunr;
  lunr.Pipeline.registerFunction(indexToken, "rayzaniIndexToken");
  lunr.Pipeline.registerFunction(searchToken, "rayzaniSearchToken");

  function first(pipeline, fn) {
    var stack = pipeline._stack;
    if (stack.indexOf(fn) !== -1) return;
    if (stack.length) pipeline.before(stack[0], fn);
    else pipeline.add(fn);
  }

  // Material builds its index with lunr(function () { ...; this.add(doc) }): put the fold
  // first in both pipelines when the first document is added, after Material has removed
  // the pipeline functions it does not want.
  var add = lunr.Builder.prototype.add;
  lunr.Builder.prototype.add = function (doc, attributes) {
    first(this.pipeline, indexToken);
    first(this.searchPipeline, searchToken);
    return add.call(this, doc, attributes);
  };

  // A half-spaced word is indexed as several terms at one position; a query can match more
  // than one of them ("کتاب*" matches "کتاب" and "کتابها"). Material would then wrap the
  // word in <mark> twice, so keep each position once per field.
  var query = lunr.Index.prototype.query;
  lunr.Index.prototype.query = function (fn) {
    var results = query.call(this, fn);
    for (var r = 0; r < results.length; r++) {
      var metadata = results[r].matchData.metadata, seen = {};
      for (var term in metadata)
        for (var field in metadata[term]) {
          var positions = metadata[term][field].position;
          if (!Array.isArray(positions)) continue;
          metadata[term][field].position = positions.filter(function (p) {
            var key = field + ":" + p;
            return seen[key] ? false : (seen[key] = true);
          });
        }
    }
    return results;
  };

  // Exposed for tests.
  self.rayzaniFold = fold;
})();
