// The document viewer's keyboard shortcuts (the viewer works without this file): a key presses
// the control marked data-key="KEY" (N, P, +, -, L), Ctrl+S (or Cmd+S) the one marked "save";
// controls that turn the page are buttons of the correction form, so what was typed goes along.
(function () {
  "use strict";
  var controls = {};
  document.querySelectorAll("[data-key]").forEach(function (control) {
    controls[control.getAttribute("data-key")] = control;
  });
  var help = document.getElementById("viewer-keys");
  if (help) { help.hidden = false; }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.isComposing) { return; }
    var key = event.key.toLowerCase();
    var control;
    if (event.ctrlKey || event.metaKey) {
      control = key === "s" ? controls.save : null;
    } else if (!event.target.closest("input, select, textarea, [contenteditable]")) {
      control = controls[key === "=" ? "+" : key];
    }
    if (control) {
      event.preventDefault();
      control.click();
    }
  });
})();
