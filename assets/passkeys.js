// Passkeys in the browser (docs/login.md): navigator.credentials.create/get on the options
// the server made, the answer handed back as JSON for the page's handler to verify. Never
// throws: a refusal comes back as {"error": name}.
(function () {
  function toBytes(b64url) {
    const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "===".slice((b64.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }
  function toB64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let raw = "";
    for (const b of bytes) raw += String.fromCharCode(b);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map((d) => Object.assign({}, d, { id: toBytes(d.id) }));
  }
  async function create(optionsJSON) {
    try {
      const o = JSON.parse(optionsJSON);
      o.challenge = toBytes(o.challenge);
      o.user.id = toBytes(o.user.id);
      o.excludeCredentials = descriptors(o.excludeCredentials);
      const c = await navigator.credentials.create({ publicKey: o });
      return JSON.stringify({
        id: c.id,
        rawId: toB64url(c.rawId),
        type: c.type,
        response: {
          clientDataJSON: toB64url(c.response.clientDataJSON),
          attestationObject: toB64url(c.response.attestationObject),
          transports: c.response.getTransports ? c.response.getTransports() : [],
        },
        clientExtensionResults: c.getClientExtensionResults(),
        authenticatorAttachment: c.authenticatorAttachment || null,
      });
    } catch (e) {
      return JSON.stringify({ error: (e && e.name) || "Error" });
    }
  }
  async function get(optionsJSON) {
    try {
      const o = JSON.parse(optionsJSON);
      o.challenge = toBytes(o.challenge);
      o.allowCredentials = descriptors(o.allowCredentials);
      const c = await navigator.credentials.get({ publicKey: o });
      return JSON.stringify({
        id: c.id,
        rawId: toB64url(c.rawId),
        type: c.type,
        response: {
          clientDataJSON: toB64url(c.response.clientDataJSON),
          authenticatorData: toB64url(c.response.authenticatorData),
          signature: toB64url(c.response.signature),
          userHandle: c.response.userHandle ? toB64url(c.response.userHandle) : null,
        },
        clientExtensionResults: c.getClientExtensionResults(),
        authenticatorAttachment: c.authenticatorAttachment || null,
      });
    } catch (e) {
      return JSON.stringify({ error: (e && e.name) || "Error" });
    }
  }
  window.ccPasskeys = { create: create, get: get, supported: !!window.PublicKeyCredential };
})();
