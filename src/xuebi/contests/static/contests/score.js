// The scoring page: the judge's total, summed as they type (score × weight), so a slip shows
// before it is submitted. The server computes and checks the total again; this only helps.
(function () {
  "use strict";
  var form = document.querySelector("[data-score-form]");
  if (!form) return;
  var out = form.querySelector("[data-score-total]");
  function update() {
    var total = 0, complete = true;
    form.querySelectorAll("input[data-max]").forEach(function (input) {
      var value = parseFloat(input.value);
      var bad = input.value !== "" && (isNaN(value) || value < 0 || value > parseFloat(input.dataset.max));
      input.classList.toggle("is-invalid", bad);
      if (input.value === "" || isNaN(value)) { complete = false; return; }
      total += value * parseFloat(input.dataset.weight || "1");
    });
    out.textContent = complete ? total.toFixed(2) : "—";
  }
  form.addEventListener("input", update);
  update(); // values typed before this script ran (or kept by the browser) count too
})();
