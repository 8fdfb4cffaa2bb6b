/* The reference site's enhancements: copy buttons and channel tabs. Pages work without it: the buttons stay
   hidden and every channel view shows as its own section. Served as assets/site.js (no inline script: CSP). */
(function () {
  "use strict";

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
    var text = target.textContent.replace(/\n+$/, "");
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
    container.classList.add("tabs-ready");

    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        var selected = i === index;
        tab.setAttribute("aria-selected", selected ? "true" : "false");
        tab.tabIndex = selected ? 0 : -1;
        panels[i].hidden = !selected;
      });
      if (focus) { tabs[index].focus(); }
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
    select(initial >= 0 ? initial : 0, false);
    window.addEventListener("hashchange", function () {
      var wanted = fromHash();
      if (wanted >= 0) { select(wanted, false); }
    });
  }

  function start() {
    setUpCopyButtons();
    Array.prototype.forEach.call(document.querySelectorAll("[data-tabs]"), setUpTabs);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
