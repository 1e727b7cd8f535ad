// The field editor of record kinds (ledger/kinds/form.html). Loaded as a file: the CSP forbids
// inline scripts. Without it the page still works: every option shows, and the formset always
// offers a few empty rows.
(function () {
  "use strict";

  function typeSelect(row) {
    return row.querySelector("select[name$='-type']");
  }

  // Show only the options that matter for the row's type (data-xb-show="number" …).
  function sync(row) {
    var select = typeSelect(row);
    if (!select) return;
    row.querySelectorAll("[data-xb-show]").forEach(function (el) {
      var types = el.getAttribute("data-xb-show").split(" ");
      el.classList.toggle("d-none", types.indexOf(select.value) === -1);
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[name$='-type']")) {
      var row = target.closest("[data-xb-row]");
      if (row) sync(row);
    }
  });

  // "添加字段": one more row from the formset's empty form, and tell the management form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-xb-add-row]");
    if (!button) return;
    var prefix = button.getAttribute("data-xb-add-row");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById("xb-field-template");
    var rows = document.getElementById("xb-field-rows");
    if (!total || !template || !rows) return;
    var index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var row = rows.lastElementChild;
    sync(row);
    var first = row.querySelector("input[type=text]");
    if (first) first.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-xb-row]").forEach(sync);
    document.querySelectorAll("[data-xb-add-row]").forEach(function (button) {
      button.classList.remove("d-none");
    });
  });
})();
