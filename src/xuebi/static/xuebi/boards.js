// Issue 13, part D: a 打印 button prints the page with its print layout (print.css).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
