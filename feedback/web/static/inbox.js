"use strict";
(function () {
  const body = document.querySelector("#cases tbody");
  const count = document.getElementById("count");
  const title = "Hội thoại cần hỗ trợ";
  function cell(text, className) {
    const td = document.createElement("td"); td.textContent = text;
    if (className) td.className = className;
    return td;
  }
  function row(c) {
    const tr = document.createElement("tr"); tr.dataset.id = c.id;
    if (c.waiting) tr.className = "waiting";
    const first = document.createElement("td"); const a = document.createElement("a");
    a.className = "row-link"; a.href = "/staff/cases/" + c.id; a.textContent = "#" + c.id;
    a.setAttribute("aria-label", "Mở hội thoại #" + c.id); first.appendChild(a);
    tr.append(first, cell(c.waited, "waited"), cell("…" + c.citizen), cell(c.channel),
      cell(c.status === "taken" ? c.state + ": " + c.assignee : c.state),
      cell(c.last, "preview"), cell(c.reason), cell(c.opened));
    return tr;
  }
  async function refresh() {
    const response = await fetch("/staff/api/cases", { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    count.textContent = data.waiting;
    document.title = (data.waiting ? "(" + data.waiting + ") " : "") + title;
    body.replaceChildren();
    if (!data.cases.length) {
      const tr = document.createElement("tr"); tr.className = "empty";
      const td = cell("Không có hội thoại nào đang chờ."); td.colSpan = 8; tr.appendChild(td); body.appendChild(tr);
      return;
    }
    for (const c of data.cases) body.appendChild(row(c));
  }
  setInterval(refresh, 3000);
})();
