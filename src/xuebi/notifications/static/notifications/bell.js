// The bell's unread count: fetched once a page has loaded, so no page waits for it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector("[data-xb-bell]");
    if (!bell || !window.fetch) return;
    fetch(bell.getAttribute("data-xb-bell"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.unread) return;
        var badge = bell.querySelector(".badge");
        badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
        badge.hidden = false;
        bell.setAttribute("aria-label", "消息（" + data.unread + " 条未读）");
      })
      .catch(function () {});
  });
})();
