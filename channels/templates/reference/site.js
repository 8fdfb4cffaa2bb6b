/* The reference site's enhancements: copy buttons, channel views as tabs on narrow screens (side by side on
   wide ones), and date badges computed with today's date. Pages work without it: the buttons stay hidden,
   every channel view shows as its own section and the badges are those of the build day. Served as
   assets/site.js (no inline script: CSP). */
(function () {
  "use strict";

  var EXPIRES_SOON = 60;  // as EXPIRES_SOON in renderers/reference.py
  var WIDE = "(min-width: 75rem)";  // side by side from here, tabs below

  // A local date as YYYY-MM-DD (the CSR's day, not UTC's).
  function isoDay(now) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function daysBetween(from, to) {
    return Math.round((Date.parse(to + "T00:00:00Z") - Date.parse(from + "T00:00:00Z")) / 86400000);
  }

  // The badges an answer's dates ([review due, effective from, effective until], ISO or "") earn on `now`:
  // the same rules as date_badges in renderers/reference.py. Search results use them too.
  function badges(dates, now) {
    var day = isoDay(now);
    var found = [];
    if (dates[1] && dates[1] > day) found.push({ kind: "future", text: "not yet in effect" });
    if (dates[2]) {
      var left = daysBetween(day, dates[2]);
      if (left < 0) found.push({ kind: "expired", text: "expired" });
      else if (left <= EXPIRES_SOON) {
        found.push({ kind: "expires", text: left === 0 ? "expires today" : "expires in " + left + (left === 1 ? " day" : " days") });
      }
    }
    if (dates[0] && dates[0] < day) found.push({ kind: "stale", text: "review overdue" });
    return found;
  }

  window.ReferenceDates = Object.freeze({ badges: badges, today: isoDay });

  function setUpDates() {
    Array.prototype.forEach.call(document.querySelectorAll(".date-badges"), function (holder) {
      var dates = [holder.getAttribute("data-due") || "", holder.getAttribute("data-from") || "",
        holder.getAttribute("data-until") || ""];
      holder.replaceChildren();
      badges(dates, new Date()).forEach(function (found) {
        var element = document.createElement("strong");
        element.className = "badge badge-" + found.kind;
        element.textContent = found.text.charAt(0).toUpperCase() + found.text.slice(1);
        holder.appendChild(element);
      });
    });
  }

  function announce(message) {
    var status = document.querySelector(".copy-status");
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 50);
    }
  }

  function copyBySelection(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    selection.removeAllRanges();
    return done;
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) { return; }
    // Preformatted text as it is; rendered HTML (the web view, the card) as a reader sees it, line by line.
    var text = (target.tagName === "PRE" ? target.textContent : target.innerText).replace(/\s+$/, "");
    var label = button.getAttribute("data-copy-label") || "the text";
    var done = function () { announce("Copied " + label + "."); };
    var failed = function () { announce("Could not copy: select the text and copy it by hand."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {
        if (copyBySelection(target)) { done(); } else { failed(); }
      });
    } else if (copyBySelection(target)) {
      done();
    } else {
      failed();
    }
  }

  function setUpCopyButtons() {
    var buttons = document.querySelectorAll("button[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  }

  /* Tabs (WAI-ARIA tabs pattern, automatic activation): Left/Right move between tabs, Home/End jump. */
  function setUpTabs(container) {
    var panels = Array.prototype.filter.call(container.children, function (child) {
      return child.classList.contains("channel-panel");
    });
    if (panels.length < 2) { return; }
    var list = document.createElement("div");
    list.className = "tab-list";
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", container.getAttribute("data-tabs") || "Views");
    var tabs = panels.map(function (panel) {
      var heading = panel.querySelector("h3");
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "tab";
      tab.id = "tab-" + panel.id;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      tab.textContent = heading ? heading.textContent : panel.id;
      if (panel.classList.contains("channel-absent")) { tab.classList.add("tab-absent"); }
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      list.appendChild(tab);
      return tab;
    });
    container.insertBefore(list, container.firstChild);
    var wide = window.matchMedia(WIDE);
    var current = 0;

    function select(index, focus) {
      current = index;
      tabs.forEach(function (tab, i) {
        var selected = i === index;
        tab.setAttribute("aria-selected", selected ? "true" : "false");
        tab.tabIndex = selected ? 0 : -1;
        panels[i].hidden = !selected && !wide.matches;
      });
      if (focus) { tabs[index].focus(); }
    }

    // Wide screens show every channel side by side: no tabs then, and the panels are plain sections again.
    function layout() {
      list.hidden = wide.matches;
      container.classList.toggle("tabs-ready", !wide.matches);
      container.classList.toggle("side-by-side", wide.matches);
      panels.forEach(function (panel, i) {
        if (wide.matches) {
          panel.removeAttribute("role");
          panel.removeAttribute("aria-labelledby");
          panel.setAttribute("aria-labelledby", panel.id + "-heading");
          panel.removeAttribute("tabindex");
        } else {
          panel.setAttribute("role", "tabpanel");
          panel.setAttribute("aria-labelledby", tabs[i].id);
          panel.tabIndex = 0;
        }
      });
      select(current, false);
    }

    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () { select(index, false); });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") { next = (index + 1) % tabs.length; }
        else if (event.key === "ArrowLeft") { next = (index - 1 + tabs.length) % tabs.length; }
        else if (event.key === "Home") { next = 0; }
        else if (event.key === "End") { next = tabs.length - 1; }
        if (next !== null) {
          event.preventDefault();
          select(next, true);
        }
      });
    });

    function fromHash() {
      var id = window.location.hash.slice(1);
      var target = null;
      try { target = id ? document.getElementById(decodeURIComponent(id)) : null; } catch (error) { target = null; }
      return panels.findIndex(function (panel) { return target !== null && panel.contains(target); });
    }
    var initial = fromHash();
    current = initial >= 0 ? initial : 0;
    layout();
    if (wide.addEventListener) { wide.addEventListener("change", layout); }
    window.addEventListener("hashchange", function () {
      var wanted = fromHash();
      if (wanted >= 0) { select(wanted, false); }
    });
  }

  function start() {
    setUpDates();
    setUpCopyButtons();
    Array.prototype.forEach.call(document.querySelectorAll("[data-tabs]"), setUpTabs);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
