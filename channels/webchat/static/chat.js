"use strict";
(function () {
  const key = "motcua-session";
  let session = localStorage.getItem(key);
  if (!session || !/^[0-9a-f]{32}$/.test(session)) {
    const bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
    session = Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem(key, session);
  }
  let after = 0;
  const log = document.getElementById("log");

  function bubble(text, mine) {
    const div = document.createElement("div");
    div.className = "msg" + (mine ? " mine" : "");
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function notice(text) {
    const div = bubble(text, false);
    div.classList.add("notice");
  }

  async function send(body, shown) {
    if (shown) bubble(shown, true);
    body.id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    const response = await fetch("/chat/api/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Chat-Session": session },
      body: JSON.stringify(body),
    });
    if (response.status === 429) {
      const wait = response.headers.get("Retry-After") || "60";
      notice("Bạn gửi nhanh quá, vui lòng thử lại sau " + wait + " giây.");
      return;
    }
    poll();
  }

  async function poll() {
    const response = await fetch("/chat/api/messages?after=" + after, {
      headers: { "X-Chat-Session": session },
    });
    if (!response.ok) return;
    const data = await response.json();
    for (const m of data.messages) {
      after = Math.max(after, m.id);
      const div = bubble(m.text, false);
      if (m.buttons.length) {
        const row = document.createElement("div"); row.className = "buttons";
        for (const b of m.buttons) {
          const button = document.createElement("button");
          button.type = "button"; button.textContent = b.title;
          button.addEventListener("click", () => send({ payload: b.payload }, b.title));
          row.appendChild(button);
        }
        div.appendChild(row);
      }
      for (const l of m.links) {
        if (!m.text.includes(l.url)) {
          const a = document.createElement("a"); a.href = l.url; a.textContent = "↗ " + l.title; a.target = "_blank"; a.rel = "noopener";
          div.appendChild(document.createElement("br")); div.appendChild(a);
        }
      }
    }
  }

  document.getElementById("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  setInterval(poll, 1500);
  poll().then(() => { if (after === 0) send({ text: "xin chào" }, null); });
})();
