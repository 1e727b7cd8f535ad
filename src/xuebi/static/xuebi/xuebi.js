// xuebi's small behaviours, loaded as a file so that the CSP can forbid inline scripts.
document.addEventListener("submit", function (event) {
  // <form data-confirm="…">: ask before a destructive action.
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  // <button data-copy="#id">: copy a token or secret to the clipboard.
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.querySelector(button.getAttribute("data-copy"));
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "已复制";
  }
});

// The attendee picker of a group record (templates/ledger/record_form.html).
function xbAttendeesChanged(list) {
  var seen = {};
  list.querySelectorAll("[data-attendee]").forEach(function (row) {
    var id = row.getAttribute("data-attendee");
    if (seen[id]) { row.remove(); } else { seen[id] = true; }
  });
  var count = list.parentNode.querySelector("[data-attendee-count]");
  if (count) { count.textContent = "已添加 " + Object.keys(seen).length + " 人"; }
}
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-remove-attendee]");
  if (!button) return;
  var list = button.closest("#attendees");
  button.closest("[data-attendee]").remove();
  if (list) xbAttendeesChanged(list);
});
document.addEventListener("htmx:afterSwap", function (event) {
  if (event.target.id === "attendees") xbAttendeesChanged(event.target);
});
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("attendees");
  if (list) xbAttendeesChanged(list);
});

// <input type="checkbox" data-check-all="record">: tick or untick every checkbox named "record" in its form.
document.addEventListener("change", function (event) {
  var box = event.target;
  var name = box.getAttribute && box.getAttribute("data-check-all");
  if (!name || !box.form) return;
  box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (item) {
    item.checked = box.checked;
  });
});
