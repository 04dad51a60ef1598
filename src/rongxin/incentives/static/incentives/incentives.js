// Incentive pages: small progressive enhancements; every form works without JavaScript.
// - the live credit code counts down to its expiry and offers to copy its text;
// - the provider's camera scanner fills the credential field (jsQR, vendored; no CDN);
// - the offline check verifies a credential in this browser with the county's public keys
//   (WebCrypto Ed25519), using a key document fetched once and kept in localStorage.
(() => {
  "use strict";

  // --- Countdown of a live code -------------------------------------------------------------
  const pad = (n) => String(n).padStart(2, "0");
  const startCountdowns = () => {
    document.querySelectorAll("[data-countdown]").forEach((el) => {
      const started = Date.now();
      const total = parseInt(el.dataset.countdown, 10) || 0;
      const left = el.querySelector("[data-countdown-left]");
      const wrap = el.querySelector(".inc-left");
      if (wrap) wrap.hidden = false;
      const tick = () => {
        const remaining = Math.max(0, total - Math.floor((Date.now() - started) / 1000));
        if (left) left.textContent = `${pad(Math.floor(remaining / 60))}:${pad(remaining % 60)}`;
        if (remaining === 0) {
          el.textContent = el.dataset.expiredText || "";
          el.classList.add("inc-expired");
          document.querySelectorAll("[data-qr]").forEach((qr) => qr.classList.add("inc-expired"));
          return;
        }
        setTimeout(tick, 1000);
      };
      tick();
    });
  };

  // --- Copy and print buttons ---------------------------------------------------------------
  document.addEventListener("click", (event) => {
    const copy = event.target.closest("[data-copy]");
    if (copy) {
      const field = document.querySelector(copy.dataset.copy);
      if (!field) return;
      field.select();
      const done = () => { copy.textContent = copy.dataset.copiedText || copy.textContent; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    }
    if (event.target.closest("[data-print]")) window.print();
  });

  // --- Camera scanner -----------------------------------------------------------------------
  const setupScanner = (box) => {
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) || typeof window.jsQR !== "function") {
      return; // stays hidden: paste the text instead
    }
    box.hidden = false;
    const target = document.querySelector(box.dataset.target);
    const video = box.querySelector("[data-scan-video]");
    const status = box.querySelector("[data-scan-status]");
    const start = box.querySelector("[data-scan-start]");
    const stop = box.querySelector("[data-scan-stop]");
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let stream = null;

    const halt = () => {
      if (stream) stream.getTracks().forEach((t) => t.stop());
      stream = null;
      video.hidden = true;
      stop.hidden = true;
      start.hidden = false;
    };
    const frame = () => {
      if (!stream) return;
      if (video.readyState === video.HAVE_ENOUGH_DATA) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) {
          halt();
          target.value = code.data.trim();
          status.textContent = status.dataset.textFound;
          if (box.hasAttribute("data-submit") && target.form) target.form.requestSubmit();
          return;
        }
      }
      requestAnimationFrame(frame);
    };
    start.addEventListener("click", async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (err) {
        status.textContent = status.dataset.textDenied;
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      start.hidden = true;
      stop.hidden = false;
      status.textContent = status.dataset.textScanning;
      await video.play().catch(() => {});
      requestAnimationFrame(frame);
    });
    stop.addEventListener("click", halt);
    window.addEventListener("pagehide", halt);
  };

  // --- Offline check --------------------------------------------------------------------------
  // Token format (rongxin/incentives/domain/signing.py): RXI1.<base64url JSON>.<base64url Ed25519
  // signature over the ASCII bytes "RXI1.<payload>">; JSON keys k (key id), i (incentive), t
  // (issued, Unix seconds), e (expires), h (pseudonymous holder), n (credential id), v (1).
  // The provider's status list (RXS1, the same format; keys v, k, p provider, t made at, e good
  // until, i open offers, r refused credential ids) must be good and admit the credential too.
  const KEYS_STORE = "rongxin.incentives.keys";
  const STATUS_STORE = "rongxin.incentives.status";
  const PREFIX = "RXI1";
  const STATUS_PREFIX = "RXS1";
  const b64u = (bytes) => {
    let raw = "";
    bytes.forEach((b) => {
      raw += String.fromCharCode(b);
    });
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  // Strict and canonical, as the server: only the base64url alphabet, and the one spelling of
  // the bytes (a last character that differs only in unused bits is refused).
  const unb64u = (text) => {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    if (b64u(bytes) !== text) throw new Error("not canonical base64url");
    return bytes;
  };

  const ed25519Supported = async () => {
    if (!(window.crypto && crypto.subtle)) return false;
    try {
      // The Ed25519 public key of RFC 8032, test 1: importing it proves the algorithm exists.
      const probe = unb64u("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
      await crypto.subtle.importKey("raw", probe, { name: "Ed25519" }, false, ["verify"]);
      return true;
    } catch (err) {
      return false;
    }
  };

  const storedKeys = () => {
    try {
      const saved = JSON.parse(localStorage.getItem(KEYS_STORE) || "null");
      return saved && saved.document && Array.isArray(saved.document.keys) ? saved : null;
    } catch (err) {
      return null;
    }
  };

  const fetchKeys = async (url) => {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const doc = await response.json();
    if (doc.format !== "rongxin-incentive-keys/1" || !Array.isArray(doc.keys)) throw new Error("not a key document");
    const saved = { fetched_at: new Date().toISOString(), document: doc };
    localStorage.setItem(KEYS_STORE, JSON.stringify(saved));
    return saved;
  };

  // A signed RXI1/RXS1 text: its claims when the signature holds under a published key.
  const readSigned = async (text, prefix, keyDoc) => {
    const parts = text.trim().split(".");
    if (parts.length !== 3 || parts[0] !== prefix) return { status: "invalid" };
    let claims;
    let signature;
    try {
      claims = JSON.parse(new TextDecoder().decode(unb64u(parts[1])));
      signature = unb64u(parts[2]);
    } catch (err) {
      return { status: "invalid" };
    }
    if (!claims || claims.v !== 1 || typeof claims.k !== "string") return { status: "invalid" };
    const entry = keyDoc.keys.find((k) => k.kid === claims.k && k.alg === "Ed25519");
    if (!entry) return { status: "unknown_key" };
    let ok = false;
    try {
      const key = await crypto.subtle.importKey("raw", unb64u(entry.public_key), { name: "Ed25519" }, false, ["verify"]);
      ok = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
    } catch (err) {
      ok = false;
    }
    return ok ? { status: "valid", claims } : { status: "invalid" };
  };

  const verifyOffline = async (token, keyDoc, statusList) => {
    if (token.trim().length > 1000) return { status: "invalid" };
    const read = await readSigned(token, PREFIX, keyDoc);
    if (read.status !== "valid") return read;
    const claims = read.claims;
    const now = Date.now() / 1000;
    if (!(claims.t - 60 <= now && now < claims.e)) return { status: "expired", claims };
    if (!statusList || !(statusList.t - 60 <= now && now < statusList.e)) return { status: "stale", claims };
    if (!statusList.i.includes(claims.i)) return { status: "not_covered", claims };
    if (statusList.r.includes(claims.n)) return { status: "revoked", claims };
    return { status: "valid", claims };
  };

  const storedStatus = () => {
    try {
      const saved = JSON.parse(localStorage.getItem(STATUS_STORE) || "null");
      return saved && typeof saved.status === "string" ? saved : null;
    } catch (err) {
      return null;
    }
  };

  // The signed list, checked like a credential; null when it is missing, altered or unknown.
  const statusClaims = async (saved, keyDoc) => {
    if (!saved || !keyDoc) return null;
    const read = await readSigned(saved.status, STATUS_PREFIX, keyDoc);
    if (read.status !== "valid" || !Array.isArray(read.claims.i) || !Array.isArray(read.claims.r)) return null;
    return read.claims;
  };

  const fetchStatus = async (url) => {
    // The provider's own list: sent with the session of the signed-in provider account.
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const doc = await response.json();
    if (doc.format !== "rongxin-incentive-status/1" || typeof doc.status !== "string") throw new Error("not a status list");
    const saved = { status: doc.status };
    localStorage.setItem(STATUS_STORE, JSON.stringify(saved));
    return saved;
  };

  // "2026-12-07 14:05" in Asia/Shanghai (UTC+8, no daylight saving) from Unix seconds.
  const chinaTime = (seconds) => {
    const parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(seconds * 1000))
      .forEach((p) => {
        parts[p.type] = p.value;
      });
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  };

  const setupOffline = async (root) => {
    const text = root.dataset;
    const status = root.querySelector("[data-keys-status]");
    const listStatus = root.querySelector("[data-status-list]");
    let savedStatus = storedStatus();
    const result = root.querySelector("[data-offline-result]");
    const form = root.querySelector("[data-offline-form]");
    const field = root.querySelector("#offline-token");
    const warn = root.querySelector("[data-no-ed25519]");
    let keys = storedKeys();

    // Times read in China time whatever the device's time zone, and say so.
    const at = (t) => `${chinaTime(t)} (${text.textChinaTime})`;
    const namesNode = document.getElementById("offer-names");
    const offerNames = namesNode ? JSON.parse(namesNode.textContent) : {};
    const showKeys = () => {
      if (!keys) {
        status.textContent = text.textKeysMissing;
        return;
      }
      const kids = keys.document.keys.map((k) => k.kid).join(", ");
      status.textContent = `${text.textKeysLoaded} ${kids} · ${at(Date.parse(keys.fetched_at) / 1000)}`;
    };
    const showStatus = async () => {
      const claims = await statusClaims(savedStatus, keys && keys.document);
      const now = Date.now() / 1000;
      if (!claims || now >= claims.e) {
        listStatus.textContent = text.textStatusMissing;
        return;
      }
      listStatus.textContent = `${text.textStatusLoaded} ${at(claims.t)} · ${text.textUntil}: ${at(claims.e)}`;
    };
    const load = async () => {
      try {
        keys = await fetchKeys(text.keysUrl);
      } catch (err) {
        // Offline: keep what this browser already has.
      }
      showKeys();
    };
    const loadStatus = async () => {
      try {
        savedStatus = await fetchStatus(text.statusUrl);
        // A list signed with a key made since the key document was kept: load the keys again.
        if (!(await statusClaims(savedStatus, keys && keys.document))) await load();
      } catch (err) {
        // Offline, or not signed in as a provider: keep what this browser already has.
      }
      await showStatus();
    };

    if (!(await ed25519Supported())) {
      warn.hidden = false;
      form.querySelector("button[type=submit]").disabled = true;
    }
    if (keys) showKeys();
    else await load();
    await loadStatus();
    root.querySelector("[data-keys-reload]").addEventListener("click", async () => {
      await load();
      await loadStatus();
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!keys) await load();
      if (!keys) return;
      if (navigator.onLine) await loadStatus(); // the newest list whenever the network is there
      let list = await statusClaims(savedStatus, keys.document);
      let outcome = await verifyOffline(field.value, keys.document, list);
      if (outcome.status === "unknown_key" && navigator.onLine) {
        await load(); // a rotation added a key since the document was kept
        await showStatus();
        list = await statusClaims(savedStatus, keys.document);
        outcome = await verifyOffline(field.value, keys.document, list);
      }
      const messages = {
        valid: text.textValid,
        expired: text.textExpired,
        invalid: text.textInvalid,
        unknown_key: text.textUnknownKey,
        stale: text.textStale,
        not_covered: text.textNotCovered,
        revoked: text.textRevoked,
      };
      result.hidden = false;
      result.className = `inc-verdict ${outcome.status === "valid" ? "inc-yes" : "inc-no"}`;
      result.dataset.status = outcome.status;
      result.replaceChildren();
      const head = document.createElement("p");
      head.className = "inc-verdict-head";
      head.textContent = messages[outcome.status];
      result.append(head);
      if (outcome.claims) {
        const detail = document.createElement("p");
        const offer = Object.hasOwn(offerNames, outcome.claims.i) ? offerNames[outcome.claims.i] : outcome.claims.i;
        detail.textContent = `${text.textIncentive}: ${offer} · ${text.textUntil}: ${at(outcome.claims.e)}`;
        result.append(detail);
      }
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    startCountdowns();
    document.querySelectorAll("[data-scanner]").forEach(setupScanner);
    document.querySelectorAll("[data-offline]").forEach(setupOffline);
  });
})();
