/* Keep the current page's tab in view when the tab bar is wider than a phone. */
(function () {
  "use strict";
  var active = document.querySelector(".tabs a.active");
  if (!active || !active.parentNode) {
    return;
  }
  var bar = active.parentNode;
  var overflow = active.offsetLeft + active.offsetWidth - bar.clientWidth;
  if (overflow > 0) {
    bar.scrollLeft = overflow + 24;
  }
})();
