/*
 * Rayzani search worker: Material for MkDocs' own search worker, loaded unchanged, with three
 * additions. overrides/main.html points Material at this file instead of its worker:
 *
 *   rayzani-search.js?worker=search.<hash>.min.js&index=<URL of the language's index>
 *     &references=<URL of the language's reference shards, with {shard}>&channel=<name>
 *
 * 1. One language per search, loaded only when the reader opens search. The build
 *    (rayzani.build.search_index) writes one index per language (search/index-<lang>.json,
 *    its pages only) and leaves at Material's own address
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
 *    positions, so highlighting still marks the original words.
 *
 * 3. Comments by their reference, without weighing the index. A comment's entry is not in the
 *    index (at 100,000 comments it would be most of it) but in the shard named by its
 *    reference's first two digits (rayzani.site.files.search_references). A query that looks
 *    like a reference ("۱۲۳۴-۵۶۷۸", "12345678", or its first four digits or more, typed with
 *    Persian or ASCII digits) fetches that one shard, once, and its matching comments come
 *    first in the answer, grouped under their page as Material groups its own results.
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
  var referencesUrl = params.get("references") || "";
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

  var SETUP = 0, QUERY = 2, RESULT = 3; // Material's SearchMessageType
  var OPEN = "open", LISTENING = "listening"; // the page's words on the channel

  function rewrite(message) {
    if (message && message.type === QUERY && typeof message.data === "string")
      return { type: message.type, data: fold(message.data) };
    return message;
  }

  /* ------------------------------------- load Material's worker, lazily -- */

  var material = null;   // Material's message handler, once its worker is loaded
  var setup = null;      // Material's SETUP message, held until search is opened
  var opened = false, loading = false, retries = 0;
  var waiting = [];      // messages that came while the index was loading

  function deliver(message) {
    var data = rewrite(message);
    // Material answers every query once, in order: its answer takes the head of `lookups`.
    if (data && data.type === QUERY) lookups.push(commentsFor(referenceDigits(data.data)));
    material.call(self, { type: "message", data: data });
  }

  // Material's worker registers its handler with addEventListener("message", ...) while it
  // loads; that one registration is kept here and called with rewritten messages.
  function loadMaterial() {
    self.postMessage = answer; // Material's worker posts with the global postMessage
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
        // A phone's network drops a request now and then: try again a few times, and on the
        // reader's next keystroke, so that search never stays silent after one lost fetch.
        loading = false;
        console.warn(error);
        if (retries < 3) setTimeout(load, 1000 * Math.pow(3, retries++));
      });
  }

  self.addEventListener("message", function (ev) {
    var message = ev.data;
    if (waiting === null) return deliver(message);
    if (message && message.type === SETUP) {
      setup = message;
    } else {
      waiting.push(message);
    }
    load();
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

  /* --------------------------------------------- comments by reference -- */

  // Four digits, then an optional dash (or space) and up to four more: "1234-5678", "12345678",
  // "1234", "1234-56". The query has been folded: Persian digits are ASCII here.
  var REFERENCE = /^\s*(\d{4})[\s\-\u2010-\u2015\u2212]?(\d{0,4})\s*$/;
  var SHARD_DIGITS = 2;
  var shards = {};     // shard name -> promise of its document (null: no comment in it)
  var lookups = [];    // per query handed to Material, in order: promise of its comments
  var answered = Promise.resolve();
  var nativePostMessage = self.postMessage.bind(self);

  function referenceDigits(query) {
    var match = typeof query === "string" ? REFERENCE.exec(query) : null;
    return match ? match[1] + match[2] : null;
  }

  function shard(name) {
    if (!shards[name])
      shards[name] = fetch(referencesUrl.replace("{shard}", name), { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null; // a shard no reference falls in is not written
        })
        .catch(function (error) {
          delete shards[name]; // the next query tries again
          console.warn(error);
          return null;
        });
    return shards[name];
  }

  // The comments whose reference starts with `digits`, as Material's result groups: each page
  // (its title, as the search index names pages) followed by its comments' entries.
  function commentsFor(digits) {
    if (digits === null || !referencesUrl) return Promise.resolve([]);
    return shard(digits.slice(0, SHARD_DIGITS)).then(function (data) {
      var groups = [], byPage = {};
      var comments = (data && data.comments) || {}, pages = (data && data.pages) || {};
      var keys = Object.keys(comments).filter(function (key) { return key.indexOf(digits) === 0; });
      keys.sort();
      for (var k = 0; k < keys.length; k++)
        for (var c = 0; c < comments[keys[k]].length; c++) {
          var entry = comments[keys[k]][c], page = String(entry.location).split("#")[0];
          if (!byPage[page]) {
            byPage[page] = [{ location: page, title: pages[page] || "", text: "" }];
            groups.push(byPage[page]);
          }
          byPage[page].push({ location: entry.location, title: entry.title, text: entry.text });
        }
      return groups;
    });
  }

  function pageOf(group) {
    for (var i = 0; i < group.length; i++)
      if (String(group[i].location).indexOf("#") === -1) return group[i].location;
    return null;
  }

  // Material's answer with the comments first. A page that has both (a call page, which the
  // index holds) is shown once: its comments, then what Material found on it.
  function withComments(result, groups) {
    if (!groups.length) return result;
    var items = (result && result.items) || [], score = 1, byPage = {}, out = [];
    for (var i = 0; i < items.length; i++)
      if (items[i].length) score = Math.max(score, items[i][0].score);
    for (var g = 0; g < groups.length; g++) {
      var group = groups[g].map(function (doc) {
        return { location: doc.location, title: doc.title, text: doc.text, score: score, terms: {} };
      });
      byPage[group[0].location] = group;
      out.push(group);
    }
    for (var j = 0; j < items.length; j++) {
      var same = byPage[pageOf(items[j])];
      if (!same) out.push(items[j]);
      else
        for (var d = 0; d < items[j].length; d++)
          if (items[j][d].location !== same[0].location) same.push(items[j][d]);
    }
    var merged = {};
    for (var key in result) merged[key] = result[key];
    merged.items = out;
    return merged;
  }

  // Material's messages to the page: a query's answer waits for its comments (answers stay in
  // the order of the queries); anything else goes as it is.
  function answer(message) {
    if (!message || message.type !== RESULT) return nativePostMessage(message);
    var comments = lookups.shift() || Promise.resolve([]);
    answered = answered
      .then(function () { return comments; })
      .then(function (groups) {
        var data = message.data;
        try {
          data = withComments(message.data, groups);
        } catch (error) {
          console.warn(error); // a shard of another shape: Material's answer as it is
        }
        nativePostMessage({ type: RESULT, data: data });
      });
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
