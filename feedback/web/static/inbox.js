"use strict";
(function () {
  const body = document.querySelector("#cases tbody");
  const count = document.getElementById("count");
  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }
  async function refresh() {
    const response = await fetch("/staff/api/cases", { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    count.textContent = data.cases.length;
    body.replaceChildren();
    if (!data.cases.length) {
      const tr = document.createElement("tr"); tr.className = "empty";
      const td = cell("Không có hội thoại nào đang chờ."); td.colSpan = 8; tr.appendChild(td); body.appendChild(tr);
      return;
    }
    for (const c of data.cases) {
      const tr = document.createElement("tr"); tr.dataset.id = c.id;
      tr.append(cell(c.id), cell(c.channel), cell("…" + c.citizen), cell(c.opened),
        cell(c.reason === "requested" ? "Người dân yêu cầu" : "Bot chưa trả lời được"),
        cell(c.status === "taken" ? "Đang xử lý: " + c.assignee : "Chờ nhận"));
      const preview = cell(c.last); preview.className = "preview"; tr.appendChild(preview);
      const open = document.createElement("td"); const a = document.createElement("a");
      a.className = "button"; a.href = "/staff/cases/" + c.id; a.textContent = "Mở"; open.appendChild(a); tr.appendChild(open);
      body.appendChild(tr);
    }
  }
  setInterval(refresh, 3000);
})();
