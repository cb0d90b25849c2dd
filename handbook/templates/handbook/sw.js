{% autoescape off %}/* The handbook's service worker (rendered by handbook.views.service_worker).
   Pages under the handbook's prefix: network first, the last copy from the cache when the network is gone
   (the upcoming meeting, its documents, the member's record stay readable offline).
   Static files: from the cache, refreshed in the background. Logging out empties the caches. */
"use strict";
var VERSION = "hb-1";
var PAGES = VERSION + "-pages";
var STATIC = VERSION + "-static";
var CONFIG = {{ config }};
var PREFIX = CONFIG.prefix;
var STATIC_PREFIX = CONFIG.static_prefix;
var HOME = CONFIG.home;
var SHELL = CONFIG.shell;
// Officials' pages (lists of other members) are never kept on the phone.
function isPrivate(path) {
  return CONFIG.private.some(function (p) { return path.indexOf(p) === 0; }) || url_live(path);
}
function url_live(path) { return /\/live\/?$/.test(path); }

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (c) { return c.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(VERSION) !== 0; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(response) {
  // Only whole, final answers: never a redirect to the login page stored under a handbook URL.
  return response && response.ok && !response.redirected && response.type === "basic";
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (keep(response)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (c) { c.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreVary: true }).then(function (hit) {
      if (hit) return hit;
      if (request.mode === "navigate") return caches.match(HOME);
      return Response.error();
    });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    var refresh = fetch(request).then(function (response) {
      if (keep(response)) {
        var copy = response.clone();
        caches.open(STATIC).then(function (c) { c.put(request, copy); });
      }
      return response;
    });
    if (hit) { refresh.catch(function () {}); return hit; }
    return refresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (url.pathname.indexOf("/logout") !== -1) {
      // Someone else may use this phone next: forget the pages of this member.
      event.waitUntil(caches.delete(PAGES));
    }
    return;
  }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) { event.respondWith(cacheFirst(request)); return; }
  if (url.pathname.indexOf(PREFIX) === 0 && !isPrivate(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});

// The page asks to keep some addresses for offline reading (the next meeting and its documents).
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.precache) || [];
  urls = urls.filter(function (u) {
    return typeof u === "string" && u.indexOf(PREFIX) === 0 && !isPrivate(u);
  }).slice(0, 30);
  event.waitUntil(caches.open(PAGES).then(function (c) {
    return Promise.all(urls.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (r) { if (keep(r)) return c.put(u, r); })
        .catch(function () {});
    }));
  }));
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Sổ tay đảng viên", {
    body: data.body || "", data: { url: data.url || HOME },
    icon: SHELL[2], badge: SHELL[2]
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = (event.notification.data && event.notification.data.url) || HOME;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if ("focus" in list[i]) { list[i].navigate(target); return list[i].focus(); }
    }
    return self.clients.openWindow(target);
  }));
});
{% endautoescape %}
