// Registers Client Center's service worker (/sw.js, scope /): the installable app and the ID
// cards kept for offline use. Loaded by every page (clientcenter.py's head).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("__SW__", { scope: "/" }).catch(() => {});
  });
}
