// “全部参加人员：N 学时” (templates/ledger/record_form.html): the server gives N to every attendee
// whose own box is blank; here the blank boxes show N as their placeholder, so the organizer sees
// what each person will get before submitting. Typed figures are left alone.
(function () {
  "use strict";

  function show() {
    var all = document.querySelector("[data-all-hours]");
    var list = document.getElementById("attendees");
    if (!all || !list) return;
    var value = all.value.trim();
    list.querySelectorAll("input.xb-hours").forEach(function (input) {
      input.placeholder = value ? value + "（统一）" : "学时";
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-all-hours]")) show();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "attendees") show();
  });
  document.addEventListener("DOMContentLoaded", show);
})();
