// The organiser's judging pages: rubric rows added and removed, with the total scale (the sum of the weights)
// kept up to date; the panel's list of judges filtered as the organiser types (with or without accents).
// Without JavaScript the form has a few empty rubric rows and the full list of judges.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().trim();
  }

  // --- the rubric --------------------------------------------------------------------------------------
  var rows = document.getElementById("rubric-rows");
  var total = document.getElementById("rubric-total");
  if (rows && total) {
    var template = document.getElementById("rubric-row-template");
    var addButton = document.getElementById("add-criterion");
    var locale = total.getAttribute("data-locale") || "vi";
    var format = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });

    var update = function () {
      var sum = 0;
      rows.querySelectorAll("input[name=criterion_weight]").forEach(function (input) {
        var value = parseFloat((input.value || "").replace(",", "."));
        if (isFinite(value) && value > 0) { sum += value; }
      });
      total.textContent = format.format(sum);
    };
    var wire = function (row) {
      var remove = row.querySelector(".remove-criterion");
      if (!remove) { return; }
      remove.hidden = false;
      remove.addEventListener("click", function () {
        row.remove();
        update();
        if (!rows.querySelector(".rubric-row") && addButton) { addButton.click(); }
      });
    };
    var blank = function (row) {
      return Array.prototype.every.call(row.querySelectorAll("input[type=text], input[type=number]"),
        function (input) { return !input.value.trim(); });
    };
    // The empty rows are for pages without scripts; here "Add a criterion" adds them where they are wanted.
    if (template && addButton) {
      rows.querySelectorAll(".rubric-row").forEach(function (row) {
        if (blank(row) && rows.querySelectorAll(".rubric-row").length > 1) { row.remove(); }
      });
    }
    rows.querySelectorAll(".rubric-row").forEach(wire);
    rows.addEventListener("input", update);
    if (template && addButton) {
      addButton.hidden = false;
      addButton.addEventListener("click", function () {
        var row = template.content.firstElementChild.cloneNode(true);
        rows.appendChild(row);
        wire(row);
        var name = row.querySelector("input[name=criterion_name]");
        if (name) { name.focus(); }
      });
    }
    update();
  }

  // --- the panel's filter --------------------------------------------------------------------------------
  document.querySelectorAll("input[data-filter-list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter-list"));
    if (!list) { return; }
    var empty = list.parentElement.querySelector(".judge-filter-empty");
    input.hidden = false;
    input.addEventListener("input", function () {
      var wanted = fold(input.value);
      var shown = 0;
      list.querySelectorAll("li").forEach(function (item) {
        var match = !wanted || fold(item.getAttribute("data-name") || item.textContent).indexOf(wanted) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      if (empty) { empty.hidden = shown > 0; }
    });
  });
})();
