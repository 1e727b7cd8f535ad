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
