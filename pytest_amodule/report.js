// Filters of the amodule HTML report: failed cases only, and a text filter on test ids.
(function () {
  "use strict";
  var failedOnly = document.getElementById("failed-only");
  var search = document.getElementById("search");
  var items = document.querySelectorAll("tr.case, article.detail");

  function apply() {
    document.body.classList.toggle("failed-only", failedOnly.checked);
    var text = search.value.trim().toLowerCase();
    for (var i = 0; i < items.length; i++) {
      var id = (items[i].getAttribute("data-nodeid") || "").toLowerCase();
      items[i].classList.toggle("hidden", text !== "" && id.indexOf(text) < 0);
    }
  }

  failedOnly.addEventListener("change", apply);
  search.addEventListener("input", apply);
  if (window.location.hash === "#failed") {
    failedOnly.checked = true;
  }
  apply();
})();
