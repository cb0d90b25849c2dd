/* The handbook in the browser: the service worker (offline reading), the "no network" banner,
   recording that the app was installed and that the member was active, and Web Push opt-in. */
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.getAttribute("data-csrf");

  function post(url, data) {
    var form = new FormData();
    Object.keys(data || {}).forEach(function (k) { form.append(k, data[k]); });
    return fetch(url, { method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf } });
  }

  // Offline banner: the service worker answers from its cache when the network is gone.
  var banner = document.getElementById("hb-offline");
  function online() { if (banner) banner.hidden = navigator.onLine; }
  window.addEventListener("online", online);
  window.addEventListener("offline", online);
  online();

  if ("serviceWorker" in navigator && body.getAttribute("data-sw")) {
    navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: "/" }).catch(function () {});
  }

  // Activity and installation, at most once per period per browser (the server throttles too).
  var activity = body.getAttribute("data-activity");
  var standalone = (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches) ||
    window.navigator.standalone === true;
  function ping(installed) {
    if (!activity || !navigator.onLine) return;
    var last = 0;
    try { last = +localStorage.getItem("hb-ping") || 0; } catch (e) { /* private mode */ }
    if (!installed && Date.now() - last < 15 * 60 * 1000) return;
    try { localStorage.setItem("hb-ping", String(Date.now())); } catch (e) { /* private mode */ }
    post(activity, installed ? { installed: "1" } : {}).catch(function () {});
  }
  ping(standalone);
  window.addEventListener("appinstalled", function () { ping(true); });

  // Web Push opt-in: <button data-push-subscribe="/so-tay/…" data-vapid="…">.
  function b64ToBytes(s) {
    var pad = "=".repeat((4 - (s.length % 4)) % 4);
    var raw = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  document.querySelectorAll("[data-push-subscribe]").forEach(function (btn) {
    var status = document.getElementById(btn.getAttribute("aria-describedby") || "");
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      btn.disabled = true;
      if (status) status.textContent = btn.getAttribute("data-unsupported");
      return;
    }
    btn.addEventListener("click", function () {
      Notification.requestPermission().then(function (perm) {
        if (perm !== "granted") { if (status) status.textContent = btn.getAttribute("data-denied"); return null; }
        return navigator.serviceWorker.ready.then(function (reg) {
          return reg.pushManager.subscribe({ userVisibleOnly: true,
            applicationServerKey: b64ToBytes(btn.getAttribute("data-vapid")) });
        }).then(function (sub) {
          var json = sub.toJSON();
          return post(btn.getAttribute("data-push-subscribe"), { endpoint: json.endpoint,
            p256dh: json.keys.p256dh, auth: json.keys.auth });
        }).then(function (resp) {
          if (status) status.textContent = btn.getAttribute(resp && resp.ok ? "data-done" : "data-failed");
          if (resp && resp.ok) btn.disabled = true;
        });
      }).catch(function () { if (status) status.textContent = btn.getAttribute("data-failed"); });
    });
  });

  // Live figures: [data-live-url] follows its organisation's stream (orgs:live) and fetches its
  // fragment again (data-live-fragment) whenever something under it changed; a reload always
  // shows the truth without JavaScript.
  document.querySelectorAll("[data-live-url]").forEach(function (el) {
    if (!window.EventSource) return;
    var since = el.getAttribute("data-live-since") || "";
    var busy = false;
    function refresh() {
      if (busy) return;
      busy = true;
      fetch(el.getAttribute("data-live-fragment"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) el.innerHTML = html; })
        .catch(function () {})
        .then(function () { busy = false; });
    }
    var source = new EventSource(el.getAttribute("data-live-url") + "?since=" + encodeURIComponent(since));
    source.addEventListener("changed", function (event) { since = event.lastEventId || since; refresh(); });
  });

  // Kept for offline reading: <div data-precache="url url …"> (a document page and its file).
  // Fetched through the service worker, which keeps what it fetches under the handbook's prefix;
  // put in its cache here too, so a file the page does not display is kept as well.
  var PAGES_CACHE = "hb-1-pages"; // the service worker's name for it (handbook/sw.js)
  document.querySelectorAll("[data-precache]").forEach(function (el) {
    var urls = el.getAttribute("data-precache").split(/\s+/).filter(Boolean).slice(0, 10);
    if (!urls.length || !window.caches || !("serviceWorker" in navigator)) return;
    caches.open(PAGES_CACHE).then(function (cache) {
      urls.forEach(function (u) {
        cache.match(u).then(function (hit) {
          if (hit && u !== location.pathname) return;
          return fetch(u, { credentials: "same-origin" }).then(function (r) {
            if (r.ok && !r.redirected) return cache.put(u, r);
          });
        }).catch(function () {});
      });
    });
  });
})();
