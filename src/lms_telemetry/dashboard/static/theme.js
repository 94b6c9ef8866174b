// Applies the chosen colour theme before the page paints, so a dark-mode
// reader never sees a white flash. "system" follows the browser setting.
(function () {
  "use strict";
  try {
    var theme = window.localStorage.getItem("lms-telemetry-theme");
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (error) {
    // Storage can be disabled; the system theme then applies.
  }
})();
