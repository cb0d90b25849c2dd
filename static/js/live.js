// Live parts of a page. An element with data-live-url (an organisation's stream of server-sent
// events, orgs:live) and hx-trigger="live" fetches itself again through its hx-get whenever the
// stream says something under that organisation changed; a stream that carries the part itself
// (the congress dashboard's) sends it drawn, and the element takes it as it comes. When the
// stream cannot be had (no EventSource, a refusal, a proxy that does not stream) it falls back
// to a slow poll, and keeps trying the stream; without JavaScript a reload always shows the
// truth. Kept out of the HTML so the Content Security Policy can forbid inline script.
"use strict";

(() => {
  const FALLBACK_MS = 60000;

  function follow(element) {
    const refresh = () => window.htmx && window.htmx.trigger(element, "live");
    // The moment the page's figures were read, then the id of the last event it had: the
    // server starts a stream with an event if something changed after it.
    let since = element.dataset.liveSince || "";
    let source = null;
    let fallback = null;

    const startFallback = () => {
      if (fallback === null) {
        fallback = window.setInterval(() => {
          refresh();
          open();
        }, FALLBACK_MS);
      }
    };
    const stopFallback = () => {
      window.clearInterval(fallback);
      fallback = null;
    };
    const open = () => {
      if (source !== null || document.hidden) return;
      if (!window.EventSource) {
        startFallback();
        return;
      }
      // After a break the browser reconnects by itself and sends the id of the last event or
      // heartbeat it had (Last-Event-ID), which the server reads the same way.
      source = new EventSource(`${element.dataset.liveUrl}?since=${encodeURIComponent(since)}`);
      source.addEventListener("changed", (event) => {
        since = event.lastEventId || since;
        refresh();
      });
      // A stream that carries the part itself (core.live.Part): swapped in as it comes, no
      // fetch; htmx then wires what the part holds.
      source.addEventListener("part", (event) => {
        since = event.lastEventId || since;
        element.innerHTML = event.data;
        if (window.htmx) window.htmx.process(element);
      });
      source.addEventListener("open", stopFallback);
      source.addEventListener("error", () => {
        // While CONNECTING the browser retries by itself; CLOSED means it gave up.
        if (source !== null && source.readyState === EventSource.CLOSED) {
          source = null;
          startFallback();
        }
      });
    };
    const close = () => {
      if (source !== null) {
        source.close();
        source = null;
      }
    };

    // A hidden tab lets its stream go (browsers allow few connections to one server); shown
    // again, it reopens it, and the server tells at once if something changed meanwhile.
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) {
        close();
      } else {
        open();
      }
    });
    open();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-live-url]").forEach(follow);
  });
})();
