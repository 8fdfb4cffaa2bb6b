/* Reference-site search (assets/search.js): results as the CSR types, from the static index that
   renderers/reference_search.py writes under search/. Words (letters and digits of any script) are folded,
   stop words dropped and stemmed exactly as the index builder does, each word both the English and the
   Spanish way (the index stems each answer in its own language); each query word also matches by prefix
   and with one or two typos, and a query phrase found in a synonym group also matches the group's other
   phrases. Runs of scripts written without spaces (Chinese, Japanese, Thai) are looked up as character
   bigrams, exactly, and a single such character as itself. Numbers are joined as the index builder joins
   them: a phone number in any written form is its digits, a form code (`W-2`, `W 2`) is one word, zero
   cents and thousands commas go; the index holds every form of a phone number, so the query needs none. */
(function () {
  "use strict";

  // Function words and the fillers of speech: the same list as STOP_WORDS in reference_search.py.
  var STOP = new Set((
    "a about all also an and any are as at be been being but by can could do does for from has have he " +
    "her hes him his how i if im in into is it itll its ive just me my now of on or our please really she " +
    "shes so some still than that thats the their them then there theres these they theyd theyll theyre " +
    "theyve this to too us very was we were weve what whats when where which who why will with would you " +
    "youd youll your youre youve").split(" "));
  var SHOWN = 8;  // results shown at first: a CSR on a call reads the first few, not a list of 48
  var MORE = 30;  // shown after "Show more"
  var FLOOR = 0.2;  // beyond the fifth, a result scoring under this share of the best one waits for "Show more"
  var QUOTE_TERMS = 6;  // a query of this many words or more may be text a customer quotes back to us
  var RETRY_MS = 300;  // a failed index request is tried again once, after this pause
  var QUOTE_CHECKED = 10;  // how many of the best results a quote is compared with, channel by channel
  var PHRASED = 10;  // how many of the best results are checked for the whole query in one phrase
  var PHRASE_BONUS = 1;  // how much more a result counts when one of its phrases holds every query word
  var SNIPPET_LEAD = 40;  // characters of a why line kept before its first marked word
  var QUOTE_SHARE = 0.75;  // the share of a quote's words one channel's text must hold to be what was quoted
  var SYNONYM_FACTOR = 0.9;
  var MAX_CANDIDATES = 40;
  var MAX_CHILD_SHARDS = 3;
  // Scripts written without spaces between words: the same ranges as UNSPACED_RANGES in reference_search.py.
  var UNSPACED_RANGES = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3005-\u3007\u3021-\u3029\u3031-\u3035" +
    "\u3038-\u303c\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3ffff}";
  var SEGMENT = new RegExp("[" + UNSPACED_RANGES + "]+|[^" + UNSPACED_RANGES + "]+", "gu");
  var UNSPACED = new RegExp("^[" + UNSPACED_RANGES + "]", "u");
  // Numbers as people type them: the same patterns as reference_search.py's (see `numbers` there).
  var THOUSANDS = /(?<=[0-9]),(?=[0-9]{3}(?![0-9]))/g;
  var ZERO_CENTS = /(?<=[0-9])\.00(?![0-9])/g;
  var PHONE_SOURCE = "(?<![0-9])(?:(?:\\+?1[ .-]?)?(?:\\([0-9]{3}\\) ?|[0-9]{3}[ .-]?)[0-9]{3}[ .-]?[0-9]{4}" +
    "|\\+[0-9](?:[ .-]?[0-9]){6,14}|[0-9]{3}[.-][0-9]{4})(?![0-9])";
  var PHONE = new RegExp(PHONE_SOURCE, "g");
  var CODE = /(?<![a-z0-9])([a-z]{1,3})([ -])([0-9]{1,4})(?![a-z0-9])/g;
  var NOT_CODES = new Set(["am", "pm"]);
  // What a snippet marks as one: a phone number as written, else a run between spaces and punctuation.
  var SNIPPET_WORDS = new RegExp("(" + PHONE_SOURCE + "|[^\\s/,;:.!?()\"]+)");

  var script = document.currentScript;
  var indexUrl = new URL("../search/", script ? script.src : document.baseURI);
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var statusLine = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var filters = {
    topic: document.getElementById("search-topic"),
    channel: document.getElementById("search-channel"),
    audience: document.getElementById("search-audience")
  };
  if (!form || !input || !statusLine || !list) return;

  var cache = new Map();
  var meta = null;
  var synonyms = [];
  var sequence = 0;

  // One request per index file; a failed one is tried once more and then forgotten, so a dropped connection
  // on a poor line costs one search, not every search until the page is reloaded.
  function fetchJson(path) {
    if (!cache.has(path)) {
      var url = new URL(path, indexUrl);
      var get = function () {
        return fetch(url).then(function (response) {
          if (!response.ok) throw new Error(path + ": " + response.status);
          return response.json();
        });
      };
      var loaded = get().catch(function () {
        return new Promise(function (done) { setTimeout(done, RETRY_MS); }).then(get);
      });
      loaded.catch(function () { if (cache.get(path) === loaded) cache.delete(path); });
      cache.set(path, loaded);
    }
    return cache.get(path);
  }

  // ---------------------------------------------------------------------------------------------- words

  // Lowercase after NFKD (some compatibility forms decompose into capitals); final sigma and sharp s folded
  // as Python's casefold would.
  function fold(text) {
    return text.normalize("NFKD").toLowerCase().replace(/\p{M}/gu, "").replace(/['\u2019]/g, "")
      .replace(/\u03c2/g, "\u03c3").replace(/\u00df/g, "ss");
  }

  // Folded text with a phone number's and a form code's separators, thousands commas and zero cents gone.
  function numbers(folded) {
    if (!/[0-9]/.test(folded)) return folded;
    folded = folded.replace(THOUSANDS, "").replace(ZERO_CENTS, "");
    folded = folded.replace(PHONE, function (found) { return found.replace(/[^0-9]/g, ""); });
    return folded.replace(CODE, function (found, letters, gap, digits) {
      var word = gap === " " && (letters.length > 2 || STOP.has(letters) || NOT_CODES.has(letters));
      return word ? found : letters + digits;
    });
  }

  // The other forms a phone number is typed in, as reference_search.py's number_forms.
  function numberForms(term) {
    if (!/^[0-9]{7,15}$/.test(term)) return [];
    if (term.length === 11 && term[0] === "1") return [term.slice(1), term.slice(4), term.slice(-4)];
    if (term.length === 10) return ["1" + term, term.slice(3), term.slice(-4)];
    return [term.slice(-4)];
  }

  // The folded words of a text; a run of a script written without spaces is a word of its own.
  function words(text) {
    var found = [];
    (numbers(fold(text)).match(/[\p{L}\p{N}]+/gu) || []).forEach(function (word) {
      if (/^[\x00-\x7f]*$/.test(word)) found.push(word);
      else found.push.apply(found, word.match(SEGMENT));
    });
    return found;
  }

  function unspaced(word) { return UNSPACED.test(word); }

  // A run of a script written without spaces as its overlapping character pairs (a single character alone).
  function bigrams(word) {
    var chars = Array.from(word);
    if (chars.length < 2) return [word];
    return chars.slice(1).map(function (c, k) { return chars[k] + c; });
  }

  function undouble(word) {
    var n = word.length;
    if (n >= 4 && word[n - 1] === word[n - 2] && "lsz".indexOf(word[n - 1]) < 0) return word.slice(0, -1);
    return word;
  }

  function stem(word) {
    if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
    if (word.endsWith("ies") && word.length > 4) word = word.slice(0, -3) + "y";
    else if (word.endsWith("ing") && word.length >= 6) word = undouble(word.slice(0, -3));
    else if (word.endsWith("ed") && word.length >= 5) word = undouble(word.slice(0, -2));
    else if (word.endsWith("s") && !/(ss|us|is)$/.test(word) && word.length >= 4) word = word.slice(0, -1);
    if (word.endsWith("ly") && word.length >= 6) word = word.slice(0, -2);
    if (word.endsWith("e") && word.length >= 4) word = word.slice(0, -1);
    return word;
  }

  // A light Spanish stemmer, as stem_es in search_stems.py: Spanish answers are indexed by it.
  var SPANISH_ENDINGS = ["arse", "erse", "irse", "iendo", "ando", "ado", "ada", "ido", "ida", "ar", "er", "ir"];
  function stemEs(word) {
    if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
    if (word.endsWith("mente") && word.length >= 9) word = word.slice(0, -5);
    if (/(amos|emos|imos)$/.test(word) && word.length >= 7) return word.slice(0, -4);
    if (word.endsWith("ces") && word.length >= 5) word = word.slice(0, -3) + "z";
    else if (word.endsWith("es") && word.length >= 5 && "aeiou".indexOf(word[word.length - 3]) < 0) word = word.slice(0, -2);
    else if (word.endsWith("s") && word.length >= 4) word = word.slice(0, -1);
    for (var k = 0; k < SPANISH_ENDINGS.length; k++) {
      var ending = SPANISH_ENDINGS[k];
      if (word.endsWith(ending) && word.length - ending.length >= 3) return word.slice(0, -ending.length);
    }
    if ("aeo".indexOf(word[word.length - 1]) >= 0 && word.length >= 4) word = word.slice(0, -1);
    return word;
  }

  function terms(text) {
    var found = [];
    words(text).forEach(function (word) {
      if (unspaced(word)) found.push.apply(found, bigrams(word));
      else if (!STOP.has(word)) found.push(stem(word));
    });
    return found;
  }

  // Damerau-Levenshtein distance, giving up as soon as it must exceed `limit`.
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var previous2 = null, previous = [], current;
    for (var j = 0; j <= b.length; j++) previous.push(j);
    for (var i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (previous2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, previous2[j - 2] + 1);
        }
        current.push(value);
        if (value < best) best = value;
      }
      if (best > limit) return limit + 1;
      previous2 = previous;
      previous = current;
    }
    return previous[b.length];
  }

  // ---------------------------------------------------------------------------------------------- query

  // A clause is one thing the CSR asked for: their own word(s), plus the other phrases of its synonym group.
  function parse(query) {
    var raw = words(query);
    var stems = raw.map(stem);
    var clauses = [];
    var i = 0;
    while (i < raw.length) {
      if (unspaced(raw[i])) {  // bigrams, looked up exactly: a typo in two characters is another word
        clauses.push({ text: raw[i], alternatives: [{ terms: bigrams(raw[i]), own: true, fuzzy: false }],
          last: i === raw.length - 1 });
        i += 1;
        continue;
      }
      var hit = synonymAt(stems, i, raw.length);
      if (hit) {
        var own = stems.slice(i, i + hit.length).filter(function (_, k) { return !STOP.has(raw[i + k]); });
        var alternatives = [{ terms: own.length ? own : stems.slice(i, i + hit.length), own: true, fuzzy: !hit.exact }];
        hit.group.forEach(function (phrase) {
          var t = terms(phrase);
          if (t.length && t.join(" ") !== alternatives[0].terms.join(" ")) alternatives.push({ terms: t, own: false, phrase: phrase });
        });
        clauses.push({ text: raw.slice(i, i + hit.length).join(" "), alternatives: alternatives,
          last: i + hit.length === raw.length, typoOfSynonym: !hit.exact });
        i += hit.length;
      } else {
        if (!STOP.has(raw[i]) || raw.length === 1) {
          var ways = [{ terms: [stems[i]], own: true, fuzzy: true }];
          // The site holds answers in English and Spanish and a CSR may type either: the word stemmed the
          // Spanish way too, looked up exactly (its typos and completions come from the English stem's), in the
          // Spanish answers only: "breakers" is no "break" in an English one.
          var spanish = stemEs(raw[i]);
          if (spanish !== stems[i]) ways.push({ terms: [spanish], own: true, fuzzy: false, spanish: true });
          clauses.push({ text: raw[i], alternatives: ways, last: i === raw.length - 1 });
        }
        i += 1;
      }
    }
    return clauses;
  }

  function sameWord(typed, word, isLastTyped) {
    if (typed === word) return true;
    if (isLastTyped && typed.length >= 3 && word.startsWith(typed)) return true;
    return typed.length >= 5 && distance(typed, word, 1) <= 1;
  }

  // The longest synonym phrase starting at word i (typos and an unfinished last word allowed); of two as long,
  // the one typed exactly: "ebill" is a phrase of its own, not a typo of "bill" in an earlier group.
  function synonymAt(stems, i, count) {
    var found = null;
    synonyms.forEach(function (group) {
      group.forEach(function (phrase) {
        var phraseStems = phrase.split(" ").map(stem);
        if (i + phraseStems.length > count) return;
        if (found && (found.length > phraseStems.length || (found.length === phraseStems.length && found.exact))) return;
        var exact = true;
        for (var k = 0; k < phraseStems.length; k++) {
          if (!sameWord(stems[i + k], phraseStems[k], i + k === count - 1)) return;
          exact = exact && stems[i + k] === phraseStems[k];
        }
        if (found && found.length === phraseStems.length && !exact) return;
        found = { group: group, length: phraseStems.length, exact: exact };
      });
    });
    return found;
  }

  // ---------------------------------------------------------------------------------------------- matching

  // A term's shard, as reference_search.py's shard_key and file_name: its first two characters (one for a
  // script written without spaces), named by their code points in hex unless plain ASCII.
  // A shard over the size threshold is split by a longer prefix, every key listed in meta.json: a term is in
  // the shard of its longest listed prefix, else of its first two characters.
  var shardMemo = new Map();
  function shardOf(term) {
    if (shardMemo.has(term)) return shardMemo.get(term);
    var chars = Array.from(term);
    var base = unspaced(term) ? 1 : 2;
    var key = chars.slice(0, base).join("");
    for (var n = chars.length; meta && n > base; n--) {
      var prefix = chars.slice(0, n).join("");
      if (meta.shardSet.has(prefix)) { key = prefix; break; }
    }
    if (meta) shardMemo.set(term, key);
    return key;
  }

  function fileOf(key) {
    if (/^[a-z0-9]+$/.test(key)) return key;
    return "u-" + Array.from(key).map(function (c) { return c.codePointAt(0).toString(16); }).join("-");
  }

  // The vocabulary files a typo of `term` may be in: its first letter's, or, where that was split by length,
  // those of the lengths two edits away.
  function vocabularyFiles(term) {
    var letter = Array.from(term)[0];
    if (meta.vocabulary.indexOf(letter) >= 0) return ["v/" + fileOf(letter) + ".json"];
    var lengths = (meta.vocabulary_lengths || {})[letter] || [];
    var size = Array.from(term).length;
    return lengths.filter(function (n) { return Math.abs(n - size) <= 2; }).map(function (n) {
      return "v/" + fileOf(letter) + "-" + n + ".json";
    });
  }

  // A number has no typos: another digit is another number.
  function digits(term) { return /^[0-9]+$/.test(term); }

  function indexed(term, loaded) {
    var shard = loaded.shards.get(shardOf(term));
    return !!shard && Object.prototype.hasOwnProperty.call(shard, term);
  }

  // Index terms a typed term may stand for (among `known`), each with how much to trust it.
  function candidates(typed, known, isLast, fuzzy) {
    var found = [];
    if (known.indexOf(typed) >= 0) found.push({ term: typed, factor: 1 });
    if (!fuzzy) return found;
    // A typed word the index knows is not a typo: only its completions are added.
    var limit = found.length || digits(typed) ? 0 : typed.length >= 8 ? 2 : typed.length >= 4 ? 1 : 0;
    known.forEach(function (term) {
      if (term === typed) return;
      var factor = 0;
      if (term.startsWith(typed) && (typed.length >= 3 || (isLast && typed.length >= 2))) {
        // A completion of a word the index knows counts half: "pay" typed whole is about paying first.
        factor = (0.6 + 0.3 * typed.length / term.length) * (found.length ? 0.5 : 1);
      } else if (isLast && term.length >= 4 && typed.startsWith(term) && typed.length - term.length <= 3 &&
          !digits(typed)) {
        factor = 0.8; // an unfinished suffix after a full stem: "chargi" for "charg(e)"
      } else if (limit) {
        var d = distance(typed, term, limit);
        if (d <= limit) factor = d === 1 ? 0.7 : 0.45;
      }
      if (factor) found.push({ term: term, factor: factor });
    });
    found.sort(function (a, b) { return b.factor - a.factor || a.term.length - b.term.length; });
    return found.slice(0, MAX_CANDIDATES);
  }

  function fetchShards(keys, shards) {
    return Promise.all(Array.from(keys).filter(function (key) {
      return meta.shardSet.has(key) && !shards.has(key);
    }).map(function (key) {
      return fetchJson("t/" + fileOf(key) + ".json").then(function (shard) { shards.set(key, shard); });
    })).then(function () { return shards; });
  }

  function eachTerm(clauses, visit) {
    clauses.forEach(function (clause) {
      clause.alternatives.forEach(function (alt) {
        alt.terms.forEach(function (term, k) { visit(term, clause.last && k === alt.terms.length - 1, alt); });
      });
    });
  }

  // Every typed term's candidates: from its own shard; when that has none, from the vocabulary of its first
  // letter (a slip after the first letter) and the shard of its first two letters swapped.
  // The shards split off under a typed term ("pay" split into "paym", "payo"): its completions are there.
  // Only a few are fetched (MAX_CHILD_SHARDS): a short word with many completions keeps those in its own shard.
  function childShards(term, isLast, alt) {
    var completes = alt.fuzzy && (term.length >= 3 || (isLast && term.length >= 2));
    if (!completes || !meta.splitKeys.length) return [];
    var found = meta.splitKeys.filter(function (key) { return key.length > term.length && key.startsWith(term); });
    return found.length <= MAX_CHILD_SHARDS ? found : [];
  }

  function resolve(clauses) {
    var shards = new Map(), pools = new Map();
    var keys = new Set();
    eachTerm(clauses, function (term, isLast, alt) {
      keys.add(shardOf(term));
      childShards(term, isLast, alt).forEach(function (key) { keys.add(key); });
    });
    return fetchShards(keys, shards).then(function () {
      var lost = [];
      eachTerm(clauses, function (term, isLast, alt) {
        var shard = shards.get(shardOf(term));
        var known = shard ? Object.keys(shard) : [];
        childShards(term, isLast, alt).forEach(function (key) { known = known.concat(Object.keys(shards.get(key) || {})); });
        var pool = known.length ? candidates(term, known, isLast, alt.fuzzy) : [];
        pools.set(term + "|" + isLast + "|" + !!alt.fuzzy, pool);
        if (!pool.length && alt.fuzzy && term.length >= 4 && !digits(term)) lost.push([term, isLast]);
      });
      if (!lost.length) return { shards: shards, pools: pools };
      // First letters and first two swapped, by code point (a letter may be two UTF-16 units).
      var first = function (term) { return Array.from(term)[0]; };
      var swap = function (term) { var c = Array.from(term); return c[1] + c[0] + c.slice(2).join(""); };
      var vocabularies = new Set();
      lost.forEach(function (item) { vocabularyFiles(item[0]).forEach(function (path) { vocabularies.add(path); }); });
      return Promise.all(Array.from(vocabularies).map(function (path) {
        return fetchJson(path).then(function (known) { return [path, known]; });
      })).then(function (pairs) {
        var byFile = new Map(pairs);
        var swapped = new Set(lost.map(function (item) { return shardOf(swap(item[0])); }));
        return fetchShards(swapped, shards).then(function () {
          var more = new Set();
          lost.forEach(function (item) {
            var known = [];
            vocabularyFiles(item[0]).forEach(function (path) { known = known.concat(byFile.get(path) || []); });
            known = known.concat(Object.keys(shards.get(shardOf(swap(item[0]))) || {}));
            var pool = candidates(item[0], known, item[1], true).filter(function (c) { return c.term !== item[0]; });
            pools.set(item[0] + "|" + item[1] + "|true", pool);
            pool.forEach(function (c) { more.add(shardOf(c.term)); });
          });
          return fetchShards(more, shards);
        });
      }).then(function () { return { shards: shards, pools: pools }; });
    });
  }

  // doc -> best score of this typed term, over every index term it may stand for; matched terms kept per doc.
  // `only`: the documents it may match (all when null).
  function termScores(typed, loaded, isLast, fuzzy, matched, only) {
    var scores = new Map();
    (loaded.pools.get(typed + "|" + isLast + "|" + !!fuzzy) || []).forEach(function (candidate) {
      var shard = loaded.shards.get(shardOf(candidate.term));
      var postings = shard && shard[candidate.term];
      if (!postings) return;
      for (var p = 0; p < postings.length; p += 2) {
        var doc = postings[p], value = postings[p + 1] * candidate.factor;
        if (only && !only.has(doc)) continue;
        if (!(scores.get(doc) >= value)) scores.set(doc, value);
        if (!matched.has(doc)) matched.set(doc, new Set());
        matched.get(doc).add(candidate.term);
      }
    });
    return scores;
  }

  function rank(clauses, loaded, allowed) {
    var matched = new Map();
    var totals = new Map(), covered = new Map(), viaSynonym = new Map();
    clauses.forEach(function (clause) {
      var best = new Map();
      var alternatives = clause.alternatives;
      // A word the index knows, typed exactly, is no typo of a synonym phrase: that phrase's group is not used.
      if (clause.typoOfSynonym && alternatives[0].terms.every(function (t) { return indexed(t, loaded); })) {
        alternatives = alternatives.slice(0, 1);
      }
      alternatives.forEach(function (alt) {
        var sums = new Map(), hits = new Map();
        alt.terms.forEach(function (term, k) {
          var isLast = clause.last && k === alt.terms.length - 1;
          var only = alt.spanish ? meta.spanishSet : null;
          termScores(term, loaded, isLast, alt.fuzzy, matched, only).forEach(function (value, doc) {
            sums.set(doc, (sums.get(doc) || 0) + value);
            hits.set(doc, (hits.get(doc) || 0) + 1);
          });
        });
        sums.forEach(function (sum, doc) {
          var share = hits.get(doc) / alt.terms.length;
          var value = (sum / alt.terms.length) * share * share * (alt.own ? 1 : SYNONYM_FACTOR);
          if (!(best.has(doc) && best.get(doc).value >= value)) best.set(doc, { value: value, alt: alt });
        });
      });
      best.forEach(function (choice, doc) {
        totals.set(doc, (totals.get(doc) || 0) + choice.value);
        covered.set(doc, (covered.get(doc) || 0) + 1);
        if (!choice.alt.own) {
          if (!viaSynonym.has(doc)) viaSynonym.set(doc, []);
          viaSynonym.get(doc).push([clause.text, choice.alt.phrase]);
        }
      });
    });
    var ranked = [];
    totals.forEach(function (total, doc) {
      if (allowed && !allowed(doc)) return;
      // Coverage by its square root: an answer holding every word a caller said is preferred, but a long
      // caller's sentence is mostly words no answer uses, and a cube let a few common words beat the one rare
      // word that names the answer.
      var coverage = covered.get(doc) / clauses.length;
      ranked.push({ doc: doc, score: total * Math.sqrt(coverage) });
    });
    ranked.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    return { ranked: ranked, matched: matched, viaSynonym: viaSynonym };
  }

  // ---------------------------------------------------------------------------------------------- filters

  function activeFilters() {
    return {
      topic: filters.topic ? filters.topic.value : "",
      channel: filters.channel ? filters.channel.value : "",
      audience: filters.audience ? filters.audience.value : ""
    };
  }

  // What the results on show answer: the query and every filter (the tests wait for it).
  function stateOf(query) {
    var active = activeFilters();
    return [query, active.topic, active.channel, active.audience].join("|");
  }

  function filterOf(active) {
    if (!active.topic && !active.channel && !active.audience) return Promise.resolve(null);
    return fetchJson("attrs.json").then(function (attrs) {
      var topic = active.topic ? meta.topics.indexOf(active.topic) : -1;
      var bit = active.channel ? 1 << meta.channels.indexOf(active.channel) : 0;
      return function (doc) {
        if (active.topic && attrs.topic[doc] !== topic) return false;
        if (bit && !(attrs.channels[doc] & bit)) return false;
        if (active.audience === "internal" && attrs.internal[doc] !== "1") return false;
        return !(active.audience === "public" && attrs.internal[doc] !== "0");
      };
    });
  }

  // ---------------------------------------------------------------------------------------------- results

  function documents(docs, folder) {
    var chunks = Array.from(new Set(docs.map(function (doc) { return Math.floor(doc / meta.chunk); })));
    return Promise.all(chunks.map(function (n) {
      return fetchJson(folder + "/" + n + ".json").then(function (rows) { return [n, rows]; });
    })).then(function (pairs) {
      var byChunk = new Map(pairs);
      return docs.map(function (doc) { return byChunk.get(Math.floor(doc / meta.chunk))[doc % meta.chunk]; });
    });
  }

  function highlighted(text, matched) {
    var fragment = document.createDocumentFragment();
    var count = 0;
    function add(part, marked) {
      if (!marked) { fragment.appendChild(document.createTextNode(part)); return; }
      var mark = document.createElement("mark");
      mark.textContent = part;
      fragment.appendChild(mark);
      count += 1;
    }
    text.split(SNIPPET_WORDS).forEach(function (part) {
      if (!part) return;
      (part.match(SEGMENT) || []).forEach(function (segment) {
        if (unspaced(segment)) { markCharacters(segment, matched, add); return; }
        var t = terms(segment);
        add(segment, t.length > 0 && t.every(function (term) {
          return matched.has(term) || numberForms(term).some(function (form) { return matched.has(form); });
        }));
      });
    });
    return { node: fragment, count: count };
  }

  // In a run without spaces, the characters of every matched bigram (or matched single character).
  function markCharacters(run, matched, add) {
    var chars = Array.from(run);
    var folded = chars.map(fold);
    var marked = chars.map(function (_, k) {
      return !!folded[k] && (matched.has(folded[k]) || (k > 0 && matched.has(folded[k - 1] + folded[k])) ||
        (k + 1 < chars.length && matched.has(folded[k] + folded[k + 1])));
    });
    var start = 0;
    for (var k = 1; k <= chars.length; k++) {
      if (k === chars.length || marked[k] !== marked[start]) {
        add(chars.slice(start, k).join(""), marked[start]);
        start = k;
      }
    }
  }

  // The why line is one line on screen: when its first marked word is far in, the text before it is cut at a
  // space (an ellipsis says so), so the words that matched are what the CSR sees.
  function windowed(shown) {
    var nodes = Array.from(shown.node.childNodes);
    var offset = 0;
    var first = -1;
    for (var k = 0; k < nodes.length; k++) {
      if (nodes[k].nodeName === "MARK") { first = offset; break; }
      offset += nodes[k].textContent.length;
    }
    if (first <= SNIPPET_LEAD) return shown;
    var cut = first - SNIPPET_LEAD;  // characters that may go
    var gone = 0;
    for (k = 0; k < nodes.length && nodes[k].nodeName !== "MARK"; k++) {
      var text = nodes[k].textContent;
      if (gone + text.length <= cut) {
        shown.node.removeChild(nodes[k]);
        gone += text.length;
        continue;
      }
      var space = text.indexOf(" ", cut - gone);
      if (space >= 0) nodes[k].textContent = text.slice(space + 1);
      break;
    }
    shown.node.insertBefore(document.createTextNode("\u2026"), shown.node.firstChild);
    return shown;
  }

  // The titles of the channels in a mask (meta.channels order), joined for a sentence.
  function channelNames(mask) {
    var names = [];
    meta.channels.forEach(function (name, k) {
      if (mask & (1 << k)) names.push((meta.channel_titles || [])[k] || name);
    });
    return names.join(", ");
  }

  // The field that best shows why the answer matched: the customer's words, the tags, what some channels told
  // the customer, or the short answer. A quote is shown with the channel text it matched.
  function why(row, matched, inQuestion, quote) {
    if (quote) {
      var quoted = windowed(highlighted(quote.text, matched));
      return { label: "Told on " + channelNames(quote.mask), node: quoted.node, count: quoted.count, told: true };
    }
    var options = row[4].map(function (phrase) { return ["Customer words", phrase]; });
    if (row[5].length) options.push(["Tags", row[5].join(", ")]);
    options.push(["Answer", row[6]]);
    // What only some channels said wins only with more of the words: the answer's own text comes first.
    (row[8] || []).forEach(function (told) { options.push(["Told on " + channelNames(told[0]), told[1], true]); });
    var best = null;
    options.forEach(function (option) {
      var shown = windowed(highlighted(option[1], matched));
      if (!best || shown.count > best.count) {
        best = { label: option[0], node: shown.node, count: shown.count, told: !!option[2] };
      }
    });
    if (best.count === 0 && !inQuestion) best.label = "Found in the steps or detail; answer";
    return best;
  }

  function badge(text, kind) {
    var element = document.createElement("strong");
    element.className = "search-badge search-badge-" + kind;
    element.textContent = text;
    return element;
  }

  function resultItem(doc, row, matched, synonymsUsed, index, quote) {
    var item = document.createElement("li");
    item.className = "search-result";
    var link = document.createElement("a");
    link.className = "search-result-link";
    link.href = new URL("../" + row[0] + "/", script ? script.src : document.baseURI).href;
    link.id = "search-result-" + index;
    var title = highlighted(row[1], matched);
    link.appendChild(title.node);
    item.appendChild(link);
    var metaLine = document.createElement("span");
    metaLine.className = "search-result-meta";
    var code = document.createElement("code");
    code.textContent = row[0];
    metaLine.appendChild(code);
    metaLine.appendChild(document.createTextNode(" \u00b7 " + meta.topics[row[2]]));
    if (row[3]) metaLine.appendChild(badge("internal", "internal"));
    var dates = window.ReferenceDates ? window.ReferenceDates.badges(row[7] || [], new Date()) : [];
    dates.forEach(function (found) { metaLine.appendChild(badge(found.text, found.kind)); });
    item.appendChild(metaLine);
    var reason = why(row, matched, title.count > 0, quote);
    var line = document.createElement("span");
    line.className = "search-result-why" + (reason.told ? " search-result-told" : "");
    line.appendChild(document.createTextNode(reason.label + ": "));
    line.appendChild(reason.node);
    if (synonymsUsed && synonymsUsed.length) {
      line.appendChild(document.createTextNode(" (" + synonymsUsed.map(function (pair) {
        return "\u201c" + pair[0] + "\u201d \u2248 \u201c" + pair[1] + "\u201d";
      }).join(", ") + ")"));
    }
    item.appendChild(line);
    return item;
  }

  // How many of the ranked results to show: the best few, and beyond the fifth only those near the best.
  function shownCount(ranked, all) {
    if (all) return Math.min(ranked.length, MORE);
    var count = Math.min(ranked.length, SHOWN);
    var floor = ranked.length ? ranked[0].score * FLOOR : 0;
    while (count > 5 && ranked[count - 1].score < floor) count -= 1;
    return count;
  }

  var shownSequence = -1;
  var runningSequence = -1;
  var pendingOpen = false;
  var enterAt = -1;  // when Enter last asked for a result not yet on screen
  var retriedFor = -1;  // the Enter a failed search was last tried again for
  var moreButton = null;

  function show(query, started, found, rows, mine) {
    if (mine !== sequence) return;
    shownSequence = mine;
    list.replaceChildren();
    rows.forEach(function (row, k) {
      var doc = found.ranked[k].doc;
      list.appendChild(resultItem(doc, row, found.matched.get(doc) || new Set(), found.viaSynonym.get(doc), k,
        found.quotes && found.quotes.get(doc)));
    });
    list.hidden = rows.length === 0;
    var total = found.ranked.length;
    var quoted = found.quotes && rows.length && found.quotes.get(found.ranked[0].doc);
    statusLine.textContent = total === 0 ? "No answer matches \u201c" + query + "\u201d." :
      (quoted ? "Looks like what we told a customer: best match told on " + channelNames(quoted.mask) + ". " : "") +
      total + (total === 1 ? " answer" : " answers") + " for \u201c" + query + "\u201d" +
      (total > rows.length ? ", best " + rows.length + " shown." : ".");
    if (moreButton) {
      var hidden = Math.min(total, MORE) - rows.length;
      moreButton.hidden = hidden <= 0;
      moreButton.textContent = "Show " + hidden + " more";
    }
    list.dataset.query = query;
    list.dataset.state = stateOf(query);
    list.dataset.ms = String(Math.round((performance.now() - started) * 10) / 10);
    if (pendingOpen) {
      pendingOpen = false;
      var first = links()[0];
      if (first) location.href = first.href;
    }
  }

  function clear(query) {
    sequence += 1;
    shownSequence = sequence;
    pendingOpen = false;
    list.replaceChildren();
    list.hidden = true;
    if (moreButton) moreButton.hidden = true;
    statusLine.textContent = "";
    list.dataset.query = query;
    list.dataset.state = stateOf(query);
    list.dataset.ms = "0";
  }

  // ---------------------------------------------------------------------------------------------- phrases

  // Does one phrase's term set hold this clause (any of its alternatives, every word of it)?
  function holds(known, clause) {
    return clause.alternatives.some(function (alt) {
      return alt.terms.length > 0 && alt.terms.every(function (term) { return saidIn(term, known); });
    });
  }

  // The query said whole in one phrase of an answer (its question, or one way customers ask it) is worth more
  // than the same words scattered over its text: the best results are re-weighed by the largest share of the
  // query's clauses one such phrase holds.
  function matchPhrases(clauses, found) {
    if (clauses.length < 2 || !found.ranked.length) return Promise.resolve(found);
    var checked = found.ranked.slice(0, PHRASED);
    return documents(checked.map(function (r) { return r.doc; }), "d").then(function (rows) {
      checked.forEach(function (result, k) {
        var best = 0;
        [rows[k][1]].concat(rows[k][4]).forEach(function (phrase) {
          var known = new Set(terms(phrase));
          var share = clauses.filter(function (clause) { return holds(known, clause); }).length / clauses.length;
          if (share > best) best = share;
        });
        result.score *= 1 + PHRASE_BONUS * best * best;
      });
      checked.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      found.ranked = checked.concat(found.ranked.slice(PHRASED));
      return found;
    });
  }

  // ---------------------------------------------------------------------------------------------- quotes

  // Does the typed term `typed` appear among a text's terms (exactly, or with a slip in a long word)?
  function saidIn(typed, known) {
    if (known.has(typed)) return true;
    if (digits(typed) || typed.length < 5) return false;
    var found = false;
    known.forEach(function (term) { if (!found && distance(typed, term, 1) <= 1) found = true; });
    return found;
  }

  // Text a customer quotes back (an SMS, a chat line, what the phone said): each of the best results' channel
  // texts is compared word by word with it, and the results re-ordered by how much of it the best one holds.
  function matchQuote(query, found) {
    var wanted = Array.from(new Set(terms(query)));
    if (wanted.length < QUOTE_TERMS) return Promise.resolve(found);
    var checked = found.ranked.slice(0, QUOTE_CHECKED);
    return documents(checked.map(function (r) { return r.doc; }), "c").then(function (said) {
      var quotes = new Map();
      checked.forEach(function (result, k) {
        var best = null;
        (said[k] || []).forEach(function (segment) {
          var known = new Set(terms(segment[1]));
          known.forEach(function (term) { numberForms(term).forEach(function (f) { known.add(f); }); });
          var share = wanted.filter(function (term) { return saidIn(term, known); }).length / wanted.length;
          if (!best || share > best.share) best = { share: share, mask: segment[0], text: segment[1] };
        });
        result.quote = best && best.share >= QUOTE_SHARE ? best.share : 0;
        if (result.quote) quotes.set(result.doc, best);
      });
      // Results holding most of the quote in one channel's text come first; the rest keep their order.
      var order = checked.slice().sort(function (a, b) { return b.quote - a.quote || b.score - a.score; });
      found.ranked = order.concat(found.ranked.slice(QUOTE_CHECKED));
      found.quotes = quotes;
      return found;
    });
  }

  // `more`: show every result up to MORE, focusing the one at that index (the first one newly shown).
  function search(started, more) {
    var all = more !== undefined;
    var query = input.value.trim();
    remember();
    if (!meta) return;
    var clauses = parse(query);
    // One character is too little to search for, except in a script where it is often a whole word.
    if (!clauses.length || (query.length < 2 && !unspaced(fold(query)))) { clear(query); return; }
    var mine = ++sequence;
    runningSequence = mine;
    var found;
    Promise.all([resolve(clauses), filterOf(activeFilters())])
      .then(function (loaded) {
        if (mine !== sequence) return null;
        return matchPhrases(clauses, rank(clauses, loaded[0], loaded[1]));
      })
      .then(function (ranked) { return ranked && mine === sequence ? matchQuote(query, ranked) : null; })
      .then(function (ranked) {
        if (!ranked || mine !== sequence) return null;
        found = ranked;
        return documents(found.ranked.slice(0, shownCount(found.ranked, all)).map(function (r) { return r.doc; }), "d");
      })
      .then(function (rows) {
        if (!rows) return;
        show(query, started, found, rows, mine);
        if (all && links()[more]) links()[more].focus();
      })
      .catch(function (error) {
        if (mine !== sequence) return;
        // An Enter is waiting for this search: its requests may predate the line coming back, so try once more
        // for that Enter rather than drop it (once per Enter: a line still down then says so).
        if (pendingOpen && retriedFor !== enterAt) {
          retriedFor = enterAt;
          // Once every request still on its way has settled, so that the failed ones are gone from the cache
          // and the new search asks again.
          Promise.allSettled(Array.from(cache.values())).then(function () {
            if (mine === sequence) search(performance.now());
          });
          return;
        }
        statusLine.textContent = "Search is unavailable: " + error.message + " (Enter tries again)";
      })
      .finally(function () { if (runningSequence === mine) runningSequence = -1; });
  }

  // ---------------------------------------------------------------------------------------------- page

  // The word rules, for the browser tests that check they match the index builder's (Python) ones.
  window.ReferenceSearch = Object.freeze({
    terms: terms, stem: stem, stemEs: stemEs, forms: numberForms, shard: function (term) { return fileOf(shardOf(term)); }
  });

  // The home page keeps the query and filters in its address (Back, sharing); the box on other pages does not.
  var home = form.hasAttribute("data-home");

  function remember() {
    if (!home) return;
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    Object.keys(filters).forEach(function (name) {
      if (filters[name] && filters[name].value) params.set(name, filters[name].value);
    });
    var text = params.toString();
    history.replaceState(null, "", text ? "?" + text : location.pathname);
  }

  function restore() {
    if (!home) return;
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    Object.keys(filters).forEach(function (name) {
      var value = params.get(name);
      if (filters[name] && value && Array.from(filters[name].options).some(function (o) { return o.value === value; })) {
        filters[name].value = value;
      }
    });
  }

  function links() { return Array.from(list.querySelectorAll("a")); }

  function typing(target) {
    return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement || (target instanceof HTMLElement && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  // Enter opens the first result of what is typed now: when those results are not on screen yet (the index
  // is still being fetched), they open as soon as they are.
  function openFirst() {
    var current = list.dataset.query === input.value.trim() && shownSequence === sequence;
    if (current && meta) {
      var first = links()[0];
      if (first) location.href = first.href;
    } else if (input.value.trim()) {
      pendingOpen = true;
      enterAt = performance.now();
      // Nothing on its way for what is typed (the last search failed): search again, and open when it lands.
      if (meta && runningSequence !== sequence) search(performance.now());
    }
  }

  input.addEventListener("keydown", function (event) {
    var found = links();
    if (event.key === "ArrowDown" && found.length) {
      event.preventDefault();
      found[0].focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      openFirst();
    } else if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      search(performance.now());
    }
  });

  list.addEventListener("keydown", function (event) {
    var found = links();
    var at = found.indexOf(document.activeElement);
    if (at < 0) return;
    var next = null;
    if (event.key === "ArrowDown") next = found[Math.min(at + 1, found.length - 1)];
    else if (event.key === "ArrowUp") next = at === 0 ? input : found[at - 1];
    else if (event.key === "Home") next = found[0];
    else if (event.key === "End") next = found[found.length - 1];
    else if (event.key === "Escape") next = input;
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  input.addEventListener("input", function () { pendingOpen = false; search(performance.now()); });
  Object.keys(filters).forEach(function (name) {
    if (filters[name]) filters[name].addEventListener("change", function () { search(performance.now()); });
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); openFirst(); });

  moreButton = document.createElement("button");
  moreButton.type = "button";
  moreButton.className = "search-more";
  moreButton.hidden = true;
  moreButton.addEventListener("click", function () { search(performance.now(), links().length); });
  list.after(moreButton);

  form.hidden = false;
  restore();
  var loading = null;
  // The home page loads the index at once; other pages when the box is first used (a page read and left
  // fetches nothing).
  function load() {
    if (loading) return loading;
    loading = fetchJson("meta.json").then(function (loaded) {
      meta = loaded;
      meta.shardSet = new Set(meta.shards);
      meta.spanishSet = new Set();
      (meta.spanish || []).forEach(function (run) {
        for (var doc = run[0]; doc <= run[1]; doc++) meta.spanishSet.add(doc);
      });
      meta.splitKeys = meta.shards.filter(function (key) { return Array.from(key).length > 2; });
      synonyms = meta.synonyms;
      if (filters.channel) {
        meta.channels.forEach(function (name) {
          var option = document.createElement("option");
          option.value = name;
          option.textContent = name;
          filters.channel.appendChild(option);
        });
        restore();
      }
      list.dataset.ready = "1";
      if (input.value.trim()) search(performance.now());
    }).catch(function (error) {
      statusLine.textContent = "Search is unavailable: " + error.message;
    });
    return loading;
  }
  if (home) {
    input.focus();
    load();
  } else {
    input.addEventListener("focus", load);
    if (document.activeElement === input) load();
  }
})();
