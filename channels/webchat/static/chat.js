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
  const urlPattern = /https?:\/\/[^\s<>"]+/g;

  function link(url, title) {
    const a = document.createElement("a");
    a.href = url; a.textContent = title; a.target = "_blank"; a.rel = "noopener";
    return a;
  }

  // Text with its web addresses as links, built as DOM nodes (never parsed as HTML).
  function fill(div, text) {
    let last = 0;
    for (const match of text.matchAll(urlPattern)) {
      const url = match[0].replace(/[.,;:!?)\]]+$/, "");
      div.appendChild(document.createTextNode(text.slice(last, match.index)));
      div.appendChild(link(url, url));
      last = match.index + url.length;
    }
    div.appendChild(document.createTextNode(text.slice(last)));
  }

  function bubble(text, mine) {
    const div = document.createElement("div");
    div.className = "msg" + (mine ? " mine" : "");
    fill(div, text);
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function notice(text) {
    const div = bubble(text, false);
    div.classList.add("notice");
  }

  function reply(m) {
    const div = bubble(m.text, false);
    for (const l of m.links) {
      if (!m.text.includes(l.url)) {
        div.appendChild(document.createElement("br")); div.appendChild(link(l.url, "↗ " + l.title));
      }
    }
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
    log.scrollTop = log.scrollHeight;  // the last reply's buttons in view
  }

  async function send(body, shown) {
    if (shown) bubble(shown, true);
    if (!body.id) body.id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
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
      if (m.id <= after) continue;
      after = m.id;
      reply(m);
    }
  }

  // Both sides of the conversation so far; a new session is greeted.
  async function restore() {
    const response = await fetch("/chat/api/history", { headers: { "X-Chat-Session": session } });
    if (!response.ok) return;
    const data = await response.json();
    for (const m of data.messages) {
      if (m.mine) bubble(m.text, true); else reply(m);
    }
    after = Math.max(after, data.after);
    if (!data.messages.length) await send({ text: "xin chào", id: "greeting" }, null);
  }

  document.getElementById("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  restore().then(() => setInterval(poll, 1500));
})();
