// Client Center's service worker (served at /sw.js by clientcenter/http/routes/wallet.py,
// which fills in its placeholders). It keeps the app shell (manifest, icons) and the ID cards
// the customer last opened, nothing else personal; with no signal a page shows those cards,
// labelled with the date they were saved and hidden once their term has ended. Signing out
// drops them (and the logout response also sends Clear-Site-Data).
const SHELL = "cc-shell-__VERSION__";
const CARDS = "cc-cards";
const CARDS_URL = "__CARDS_URL__";
const SHELL_URLS = __SHELL_URLS__;
const SIGN_OUT = __SIGN_OUT__;
const BRAND = "__BRAND__";

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("cc-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

async function saveCards() {
  const r = await fetch(CARDS_URL, { credentials: "same-origin", cache: "no-store" });
  if (r.ok) await (await caches.open(CARDS)).put(CARDS_URL, r);
}

self.addEventListener("message", (e) => {
  if (e.data === "save-cards") e.waitUntil(saveCards().catch(() => {}));
  if (e.data === "forget-cards") e.waitUntil(caches.delete(CARDS));
});

self.addEventListener("fetch", (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.method === "POST" && SIGN_OUT.includes(url.pathname)) {
    e.waitUntil(caches.delete(CARDS));
    return;
  }
  if (req.method !== "GET") return;
  if (req.mode === "navigate") {
    // Known offline: the saved cards at once, not after the network gives up.
    e.respondWith(navigator.onLine === false ? offlinePage() : fetch(req).catch(offlinePage));
  } else if (SHELL_URLS.includes(url.pathname)) {
    e.respondWith(caches.match(req, { cacheName: SHELL }).then((hit) => hit || fetch(req)));
  }
});

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
const pad = (n) => String(n).padStart(2, "0");

function cardHtml(c) {
  const fact = (label, value, cls) => `<div class="f ${cls || ""}"><span>${label}</span><b>${esc(value)}</b></div>`;
  return `<section class="card" aria-label="Insurance ID card for ${esc(c.vehicle)}">
<header><small>Insurance identification card</small><strong>${esc(c.carrier)}</strong>
<em>${c.naic ? "NAIC " + esc(c.naic) : "NAIC number not on file"}</em></header>
<div class="body">${fact("Policy number", c.policy_number, "big")}
<div class="two">${fact("Effective", c.effective)}${fact("Expires", c.expires)}</div>
${fact("Named insured", c.named_insureds.join(", "))}${fact("Vehicle", c.vehicle)}${fact("VIN", c.vin, "vin")}</div>
<footer><b>${esc(c.agency_name)}</b><a href="tel:${esc(c.agency_phone)}">${esc(c.agency_phone)}</a></footer></section>`;
}

async function offlinePage() {
  const hit = await caches.match(CARDS_URL, { cacheName: CARDS });
  const data = hit ? await hit.json() : null;
  const d = new Date();
  const today = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const cards = data ? data.cards.filter((c) => c.expires_on >= today) : [];
  const saved = data ? new Date(data.saved_at).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" }) : "";
  const body = cards.length
    ? `<p class="saved" id="saved-label">Saved ${esc(saved)} · you are offline, this is the copy kept on this phone.</p>${cards.map(cardHtml).join("")}`
    : `<p class="saved">You are offline, and no ID card in force is saved on this phone.${data && data.cards.length ? " The saved cards' term has ended." : " Open your ID cards once with a signal to keep them here."}</p>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>ID cards (saved)</title>
<style>body{margin:0;font:16px system-ui,sans-serif;background:#f4f5f6;color:#1c2024;padding:16px}
h1{font-size:24px;margin:0 0 8px}.saved{background:#fff4d6;border-radius:8px;padding:10px 12px;font-weight:600}
.card{max-width:440px;border:2px solid ${BRAND};border-radius:16px;overflow:hidden;background:#fff;margin:16px 0;box-shadow:0 2px 10px #0002}
header{background:${BRAND};color:#fff;padding:14px 18px 12px;display:flex;flex-direction:column}
header small{font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.08em}header strong{font-size:24px}header em{font-style:normal;font-size:16px}
.body{padding:14px 18px;display:grid;gap:12px}.two{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.f span{display:block;font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:#60646c}.f b{font-size:20px}
.big b{font-size:24px}.vin b{font-family:ui-monospace,monospace;letter-spacing:.04em;word-break:break-all}
footer{background:#e8e8ec;padding:10px 18px;display:flex;justify-content:space-between;flex-wrap:wrap;gap:8px}
footer a{color:#1c2024;font-weight:700}</style></head>
<body><main><h1>ID cards</h1>${body}</main></body></html>`;
  return new Response(html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
    },
  });
}
