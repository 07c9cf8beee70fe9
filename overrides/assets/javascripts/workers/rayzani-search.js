/*
 * Rayzani search worker: Material for MkDocs' own search worker, loaded unchanged, with three
 * additions. overrides/main.html points Material at this file instead of its worker:
 *
 *   rayzani-search.js?worker=search.<hash>.min.js&index=<URL of the language's index>&channel=<name>
 *
 * 1. One language per search, loaded only when the reader opens search. The build
 *    (rayzani.build.search_index) writes one index per language (search/index-<lang>.json,
 *    with the references of that language's comments) and leaves at Material's own address
 *    (search/search_index.json), which Material fetches on every page, only its settings and
 *    no document. Material's SETUP message (that empty index) is held here; when the page says,
 *    on the BroadcastChannel named `channel`, that search was opened (the search box focused,
 *    the search toggle checked), Material's worker is loaded and handed the language's index.
 *    The page repeats that word when this worker says it listens, so none is lost to a race.
 *    Without BroadcastChannel the index is loaded at once.
 *
 * 2. Persian-aware matching. lunr.js has no Persian support, so nothing folds the ways a word
 *    can be typed. The same fold() is applied to every indexed token (a lunr pipeline
 *    function placed first) and to every query (before Material parses it): Arabic yeh/kaf
 *    and other letter variants become Persian ones, diacritics, tatweel and invisible
 *    controls go, Persian and Arabic-Indic digits become ASCII. A word written with a
 *    half-space (ZWNJ) is indexed whole and by its parts: "می‌شود" is found by "می‌شود",
 *    "میشود", "می شود" and "شود". The text shown in results is not changed: tokens keep their
 *    positions, so highlighting still marks the original words. A comment's reference
 *    ("۱۲۳۴-۵۶۷۸") is found typed with Persian or ASCII digits.
 *
 * This runs in a Web Worker (importScripts); it has no effect on pages without JavaScript.
 */
(function () {
  "use strict";

  var params = new URLSearchParams(self.location.search);
  var worker = params.get("worker") || "";
  if (!/^search\.[0-9a-f]+\.min\.js$/.test(worker))
    throw new Error("rayzani-search: unexpected Material worker name: " + worker);
  var indexUrl = params.get("index") || "";
  var channelName = params.get("channel") || "";

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
  var OPEN = "open", LISTENING = "listening"; // the page's words on the channel

  function rewrite(message) {
    if (message && message.type === QUERY && typeof message.data === "string")
      return { type: message.type, data: fold(message.data) };
    return message;
  }

  /* ------------------------------------- load Material's worker, lazily -- */

  var material = null;   // Material's message handler, once its worker is loaded
  var setup = null;      // Material's SETUP message, held until search is opened
  var opened = false, loading = false;
  var waiting = [];      // messages that came while the index was loading

  function deliver(message) {
    material.call(self, { type: "message", data: rewrite(message) });
  }

  // Material's worker registers its handler with addEventListener("message", ...) while it
  // loads; that one registration is kept here and called with rewritten messages.
  function loadMaterial() {
    var nativeAddEventListener = self.addEventListener;
    self.addEventListener = function (type, listener, options) {
      if (type === "message" && typeof listener === "function" && !material) {
        material = listener;
        return undefined;
      }
      return nativeAddEventListener.call(self, type, listener, options);
    };
    try {
      importScripts(worker);
    } finally {
      self.addEventListener = nativeAddEventListener;
    }
    extendLunr(self.lunr);
  }

  function load() {
    if (loading || !opened || !setup) return;
    loading = true;
    var held = setup;
    fetch(indexUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("rayzani-search: " + response.status + " for " + indexUrl);
        return response.json();
      })
      .then(function (index) {
        loadMaterial();
        var data = {};
        for (var key in held.data) data[key] = held.data[key];
        data.config = index.config || held.data.config;
        data.docs = index.docs || [];
        deliver({ type: SETUP, data: data });
        var queued = waiting;
        waiting = null;
        for (var i = 0; i < queued.length; i++) deliver(queued[i]);
      })
      .catch(function (error) {
        loading = false; // opening search again tries again
        console.warn(error);
      });
  }

  self.addEventListener("message", function (ev) {
    var message = ev.data;
    if (waiting === null) return deliver(message);
    if (message && message.type === SETUP) {
      setup = message;
      load();
    } else {
      waiting.push(message);
    }
  });

  if (typeof BroadcastChannel === "function" && channelName) {
    var channel = new BroadcastChannel(channelName);
    channel.onmessage = function (ev) {
      if (ev.data !== OPEN) return;
      opened = true;
      load();
    };
    channel.postMessage(LISTENING);
  } else {
    opened = true;
  }

  /* ------------------------------------------------ Persian-aware lunr -- */

  function extendLunr(lunr) {
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
  }

  // Exposed for tests.
  self.rayzaniFold = fold;
})();
