"use strict";
(function () {
  const box = document.getElementById("transcript");
  const names = { citizen: "Người dân", bot: "Trợ lý", staff: "Cán bộ" };
  let after = Math.max(0, ...Array.from(box.children, d => Number(d.dataset.id)));
  box.scrollTop = box.scrollHeight;
  // A citizen's picture (a preview through the staff proxy), file or location.
  function attachment(a) {
    const span = document.createElement("span"); span.className = "attachment " + a.kind;
    const label = a.label + (a.name ? ": " + a.name : "");
    if (a.url) {
      const link = document.createElement("a"); link.href = a.url;
      if (a.preview) {
        const img = document.createElement("img"); img.src = a.url; img.alt = a.label + " người dân gửi";
        link.target = "_blank"; link.rel = "noopener"; link.appendChild(img);
      } else {
        link.textContent = label;
        if (!a.url.startsWith("geo:")) link.download = "";
      }
      span.appendChild(link);
    } else {
      span.textContent = label + " (nhận xử lý để xem)";
    }
    return span;
  }
  async function poll() {
    const response = await fetch("/staff/api/cases/" + box.dataset.case + "/messages?after=" + after, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    document.getElementById("status").textContent = data.status;
    for (const m of data.messages) {
      after = Math.max(after, m.id);
      const div = document.createElement("div"); div.className = "msg " + m.author; div.dataset.id = m.id;
      const meta = document.createElement("span"); meta.className = "meta"; meta.textContent = names[m.author] + " · " + m.at;
      div.append(meta, document.createTextNode(m.text));
      for (const a of m.attachments || []) div.appendChild(attachment(a));
      box.appendChild(div); box.scrollTop = box.scrollHeight;
    }
  }
  setInterval(poll, 2000);
})();
