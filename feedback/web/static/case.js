"use strict";
(function () {
  const box = document.getElementById("transcript");
  const names = { citizen: "Người dân", bot: "Trợ lý", staff: "Cán bộ" };
  let after = Math.max(0, ...Array.from(box.children, d => Number(d.dataset.id)));
  box.scrollTop = box.scrollHeight;
  async function poll() {
    const response = await fetch("/staff/api/cases/" + box.dataset.case + "/messages?after=" + after, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    document.getElementById("status").textContent = data.status;
    for (const m of data.messages) {
      after = Math.max(after, m.id);
      const div = document.createElement("div"); div.className = "msg " + m.author; div.dataset.id = m.id;
      const meta = document.createElement("span"); meta.className = "meta"; meta.textContent = names[m.author] + " · " + m.at;
      div.append(meta, document.createTextNode(m.text)); box.appendChild(div); box.scrollTop = box.scrollHeight;
    }
  }
  setInterval(poll, 2000);
})();
