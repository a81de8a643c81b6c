// The printable report's "print" button (no inline script under the content security policy).
document.getElementById("print")?.addEventListener("click", () => window.print());
