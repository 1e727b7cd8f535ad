// The searchable person picker (xuebi/core/widgets.py PersonPicker). Without this file the
// select works as it is; with it, a long select becomes a search box: type a name, its full
// pinyin or its initials, pick a line labelled with county and section. The select stays in the
// form (hidden) and carries the value, so the server validates exactly what it always did.
(function () {
  "use strict";

  function enhance(box) {
    var select = box.querySelector("select");
    if (!select || box.hasAttribute("data-ready")) return;
    if (select.options.length < Number(box.getAttribute("data-search-from") || 0)) return;
    box.setAttribute("data-ready", "1");
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control";
    input.autocomplete = "off";
    input.placeholder = "输入姓名、全拼或首字母搜索";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-label", (label ? label.textContent.replace("*", "").trim() : "人员") + "（搜索）");
    if (select.id) {
      input.id = select.id + "_search";
      if (label) label.setAttribute("for", input.id);
    }
    if (select.classList.contains("is-invalid")) input.classList.add("is-invalid");
    var list = document.createElement("div");
    list.className = "list-group xb-person-picker-results";
    list.setAttribute("role", "listbox");
    list.setAttribute("data-person-results", "");
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.value) input.value = chosen.textContent;
    select.hidden = true;
    select.tabIndex = -1;
    box.insertBefore(input, select);
    box.appendChild(list);

    var timer = null;
    var asked = 0;

    function close() {
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
    }

    function choose(id, text) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(id); });
      if (!option) {
        option = new Option(text, id);
        select.add(option);
      }
      select.value = String(id);
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = text;
      close();
    }

    function show(data, q) {
      list.replaceChildren();
      data.results.forEach(function (row) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action";
        button.setAttribute("role", "option");
        button.setAttribute("data-person-option", row.id);
        button.textContent = row.label;
        button.addEventListener("click", function () { choose(row.id, row.label); });
        list.appendChild(button);
      });
      if (!data.results.length) {
        var none = document.createElement("div");
        none.className = "list-group-item text-muted";
        none.textContent = "没有找到“" + q + "”。";
        list.appendChild(none);
      } else if (data.more) {
        var more = document.createElement("div");
        more.className = "list-group-item small text-muted";
        more.textContent = "结果较多，请输入更多字以缩小范围。";
        list.appendChild(more);
      }
      input.setAttribute("aria-expanded", "true");
    }

    function search() {
      var q = input.value.trim();
      if (!q) {
        select.value = "";
        close();
        return;
      }
      var ticket = ++asked;
      var url = box.getAttribute("data-search-url") + "&q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [], more: false }; })
        .then(function (data) { if (ticket === asked) show(data, q); })
        .catch(function () { /* the select is still there for the server; nothing to show */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
      if (event.key === "Enter") {
        // Enter picks the only (or first) result instead of submitting a half-chosen form
        var first = list.querySelector("[data-person-option]");
        if (first) { event.preventDefault(); first.click(); }
      }
    });
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("[data-person-picker]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhanceAll(event.target); });
})();
