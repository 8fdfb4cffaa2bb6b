/* Live preview: reload when a build finishes, and show the last build's errors over a published page.
   The server adds this script to every page it serves while `serve --watch` runs. */
(function () {
  "use strict";
  if (window.top !== window) { return; }  // a page framed by the editor's preview: the preview reloads it
  var script = document.currentScript;
  var known = script ? script.getAttribute("data-generation") : null;
  var editor = document.getElementById("build-state") !== null;  // preview pages show errors themselves

  function overlay(status) {
    var old = document.getElementById("one-answer-live");
    if (old) { old.parentNode.removeChild(old); }
    if (status.ok) { return; }
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = "/_preview/assets/live.css";
    document.head.appendChild(style);
    var box = document.createElement("aside");
    box.id = "one-answer-live";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "one-answer-live-title";
    title.textContent = "Build failed: this is the last good bundle. ";
    var link = document.createElement("a");
    link.href = "/_preview/";
    link.textContent = "Open the preview";
    title.appendChild(link);
    box.appendChild(title);
    var list = document.createElement("ul");
    (status.diagnostics || []).forEach(function (d) {
      var item = document.createElement("li");
      item.textContent = d.location + ": " + d.severity + ": " + d.code + ": " + d.message;
      list.appendChild(item);
    });
    if (status.note) {
      var note = document.createElement("li");
      note.textContent = status.note;
      list.appendChild(note);
    }
    box.appendChild(list);
    document.body.appendChild(box);
  }

  if (!editor) {
    fetch("/_preview/status.json", {cache: "no-store"}).then(function (r) { return r.json(); }).then(overlay,
      function () {});
  }
  if (!window.EventSource) { return; }
  var events = new EventSource("/_preview/events");
  events.addEventListener("open", function () { document.documentElement.setAttribute("data-live", "connected"); });
  events.addEventListener("build", function (event) {
    if (known !== null && event.data !== known) {
      events.close();
      window.location.reload();
    }
    known = event.data;
  });
})();
