// The random paper's rules page: as a rule's category, type or difficulty changes, ask the server
// how many active questions the paper's banks hold for it and show it beside the rule — in red
// when the rule asks for more than there are (publishing would be refused).
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=rules-form]");
  if (!form) return;
  var url = form.getAttribute("data-available");

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function check(row) {
    var type = field(row, "type"), cell = row.querySelector("[data-have]");
    if (!type || !cell) return;
    if (!type.value) { cell.textContent = ""; return; }
    var query = new URLSearchParams({
      type: type.value,
      category: field(row, "category").value,
      difficulty: field(row, "difficulty").value
    });
    fetch(url + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || data.available === null) { cell.textContent = ""; return; }
        var want = parseInt(field(row, "count").value, 10) || 0;
        cell.textContent = data.available + " 道";
        cell.classList.toggle("text-danger", want > data.available);
        cell.title = want > data.available ? "题库中的试题不够抽" : "";
      })
      .catch(function () { cell.textContent = ""; });
  }

  form.querySelectorAll("[data-rule]").forEach(function (row) {
    row.addEventListener("change", function () { check(row); });
    check(row);
  });
})();
