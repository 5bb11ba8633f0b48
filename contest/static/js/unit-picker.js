// Filters a unit <select> as the person types, ignoring accents ("thach ban" finds "Phường Thạch Bàn").
// A unit matches when its full path does, so typing a ward's name also lists the cells below it; while a
// filter is on, options show their full path so the place in the tree stays clear. Options are taken out of
// the list rather than hidden, which Safari on iPhone would ignore. Without JavaScript the plain list works.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase().trim();
  }
  document.querySelectorAll("input.unit-filter[data-filter-for]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-for"));
    if (!select) { return; }
    var empty = select.parentNode.querySelector(".unit-filter-empty");
    var placeholder = select.querySelector("option[value='']");
    var units = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; }).map(function (o) {
      return { option: o, label: o.textContent, path: o.dataset.path || o.textContent,
               folded: fold(o.dataset.path || o.textContent) };
    });
    input.addEventListener("input", function () {
      var q = fold(input.value);
      var chosen = select.value;
      var hits = units.filter(function (u) { return !q || u.folded.indexOf(q) !== -1; });
      while (select.options.length) { select.remove(0); }
      if (placeholder) { select.add(placeholder); }
      hits.forEach(function (u) {
        u.option.textContent = q ? u.path : u.label;
        select.add(u.option);
      });
      if (hits.length === 1) {
        hits[0].option.selected = true;
      } else {
        select.value = hits.some(function (u) { return u.option.value === chosen; }) ? chosen : "";
      }
      if (empty) { empty.hidden = hits.length !== 0; }
    });
  });
})();
