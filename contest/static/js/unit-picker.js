// Filters a unit <select> as the person types, ignoring accents ("ba dinh" finds "Ba Đình").
// Matching units stay visible with their ancestors, so the tree keeps its shape. Without JavaScript the
// plain list still works.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d")
      .toLowerCase().trim();
  }
  document.querySelectorAll("input.unit-filter[data-filter-for]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-for"));
    if (!select) { return; }
    var empty = select.parentNode.querySelector(".unit-filter-empty");
    var options = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; });
    options.forEach(function (o) { o.dataset.folded = fold(o.dataset.path || o.textContent); });
    input.addEventListener("input", function () {
      var q = fold(input.value);
      var shown = 0;
      options.forEach(function (o) {
        var hit = !q || o.dataset.folded.indexOf(q) !== -1;
        o.hidden = !hit;
        o.disabled = !hit;
        if (hit) { shown += 1; }
      });
      if (empty) { empty.hidden = shown !== 0; }
      if (shown === 1) {
        options.forEach(function (o) { if (!o.hidden) { o.selected = true; } });
      }
    });
  });
})();
