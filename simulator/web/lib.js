// lib.js: the small DOM toolkit shared by both eras of the simulated app.
//
// It imitates the parts of React + Radix UI / Headless UI that make the real
// site hard to automate: content rendered after load, generated class names
// and ids, portals at the end of <body>, modal layers that switch off
// pointer events on everything behind them, and widgets that react to the
// low-level events real input produces (pointerdown, mousedown) rather than
// to a synthetic el.click().
'use strict';

window.Sim = (function () {
  const boot = JSON.parse(document.getElementById('client-bootstrap').textContent);

  // UI drift variants (see the Go type Variant) switched on for this server.
  const variants = new Set(boot.variants || []);
  const variant = (name) => variants.has(name);

  // The real page's classes are Tailwind utilities, the same on every load
  // (flex min-w-0 items-center gap-2, truncate, ps-3 ...); public clients
  // select on them. Only the variant renamed-classes generates names.
  const salt = Math.random().toString(36).slice(2, 4).padEnd(2, '0');

  // Variant renamed-classes: every stable class name (flex, truncate,
  // toast-root, ...) is replaced by a generated one, the same for every use
  // within this page load, and the style sheet is rewritten to match. All
  // generated names are then kept distinct, so that an element's own name
  // never picks up the styles of a renamed class.
  const renaming = variant('renamed-classes');
  const usedNames = new Set();
  const renamed = new Map();
  function freshName() {
    for (;;) {
      const tail = Math.random().toString(36).slice(2, 5);
      const n = '_' + salt + tail;
      if (tail.length === 3 && !usedNames.has(n)) { usedNames.add(n); return n; }
    }
  }
  function rename(c) {
    let n = renamed.get(c);
    if (!n) { n = freshName(); renamed.set(c, n); }
    return n;
  }
  function classes(v) {
    return renaming ? String(v).split(/\s+/).filter(Boolean).map(rename).join(' ') : v;
  }
  function renameRules(rules) {
    for (const r of rules) {
      if (r.selectorText !== undefined) {
        // Class selectors as serialized by the browser: .gap-0\.5, .bg-black\/50
        r.selectorText = r.selectorText.replace(/\.((?:[A-Za-z0-9_-]|\\.)+)/g,
          (m, raw) => '.' + rename(raw.replace(/\\(.)/g, '$1')));
      } else if (r.cssRules) {
        renameRules(r.cssRules);
      }
    }
  }
  if (renaming) {
    // Parser-inserted scripts run after the style sheets before them have
    // loaded, so the rules are there to rewrite.
    for (const sheet of document.styleSheets) {
      let rules = null;
      try { rules = sheet.cssRules; } catch (e) { /* cross-origin */ }
      if (rules) renameRules(rules);
    }
    for (const el of [document.documentElement, document.body]) {
      if (el.className) el.className = classes(el.className);
    }
  }

  // React's useId: Radix builds its ids from it. The counter starts at a
  // random value per load, so "radix-_r_1f_" today is "radix-_r_9k_" next time.
  let idCounter = 10 + Math.floor(Math.random() * 900);
  function useId() {
    const n = (idCounter++).toString(36);
    return boot.ui === '2023' ? ':r' + n + ':' : '_r_' + n + '_';
  }

  // h(tag, props, ...children) builds an element. Props: class, style, text,
  // on<Event> listeners, anything else becomes an attribute (true -> "").
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = classes(v);
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    // Variant renamed-classes: every element carries a generated name.
    if (renaming) el.classList.add(freshName());
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  // Inline SVG icons, so that buttons have real size and no text to match.
  const ICONS = {
    chevron: 'M9 6l6 6-6 6',
    close: 'M6 6l12 12M18 6L6 18',
    gear: 'M12 9a3 3 0 100 6 3 3 0 000-6zM4 12h2M18 12h2M12 4v2M12 18v2',
    user: 'M12 12a4 4 0 100-8 4 4 0 000 8zM4 20c1.5-4 14.5-4 16 0',
    plus: 'M12 5v14M5 12h14',
    dots: 'M6 12h.01M12 12h.01M18 12h.01',
    logout: 'M15 12H4M8 8l-4 4 4 4M14 4h6v16h-6',
    help: 'M12 18h.01M9.5 9a2.5 2.5 0 115 0c0 2-2.5 2-2.5 4',
    star: 'M12 3l2.7 6 6.3.6-4.8 4.3 1.4 6.3L12 17l-5.6 3.2 1.4-6.3L3 9.6 9.3 9z',
    data: 'M4 6c0-2 16-2 16 0v12c0 2-16 2-16 0zM4 6c0 2 16 2 16 0M4 12c0 2 16 2 16 0',
    bell: 'M6 16V11a6 6 0 0112 0v5l2 2H4zM10 20h4',
    lock: 'M6 11h12v9H6zM8 11V8a4 4 0 018 0v3',
  };
  function icon(name, cls) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '20');
    svg.setAttribute('height', '20');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('fill', 'none');
    svg.setAttribute('stroke', 'currentColor');
    svg.setAttribute('stroke-width', '2');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', classes(cls || 'icon') + (renaming ? ' ' + freshName() : ''));
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', ICONS[name] || ICONS.dots);
    svg.append(p);
    return svg;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // React renders in several passes and data arrives late; a small random
  // delay before each piece appears keeps automation honest about waiting.
  const jitter = () => sleep(Math.floor(Math.random() * 150));

  // ---- backend ----

  let accessToken = null;
  async function loadSession() {
    const r = await fetch('/api/auth/session', { credentials: 'same-origin' });
    const j = await r.json();
    accessToken = j.accessToken || null;
    return j;
  }

  // api calls the backend with the Bearer token; body, when given, goes
  // as JSON.
  async function api(method, path, body) {
    const r = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { Authorization: 'Bearer ' + accessToken, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // Options.HoldWrites: the answer of a write never ends; the page goes
    // by its status and does not wait for the body.
    if (r.ok && method === 'PATCH' && boot.holdWrites) return {};
    let data = null;
    try { data = await r.json(); } catch (e) { /* empty body */ }
    if (!r.ok) {
      const err = new Error('HTTP ' + r.status);
      err.status = r.status;
      err.data = data;
      throw err;
    }
    return data;
  }

  // ---- layers: dialogs, menus, popovers ----
  //
  // Like Radix's DismissableLayer: the top layer gets Escape and pointerdown
  // outside it. A modal layer sets pointer-events:none on <body>; the layer
  // itself (in a portal) sets pointer-events:auto, so the page behind
  // cannot be clicked while it is open.
  const layers = [];

  // A pinned layer (the announcement of the variant new-dialog) stays on
  // top: layers opened while it is shown go below it.
  function pushLayer(layer) {
    const pin = layer.pinned ? -1 : layers.findIndex((l) => l.pinned);
    if (pin >= 0) layers.splice(pin, 0, layer);
    else layers.push(layer);
    syncBody();
    return layer;
  }

  function removeLayer(layer) {
    const i = layers.indexOf(layer);
    if (i >= 0) layers.splice(i, 1);
    syncBody();
  }

  function syncBody() {
    const modals = layers.filter((l) => l.modal);
    document.body.style.pointerEvents = modals.length ? 'none' : '';
    // Radix's hideOthers: while a modal is open, everything outside its
    // portal is aria-hidden, so the accessibility tree shows the modal only.
    const top = modals[modals.length - 1];
    for (const el of document.body.children) {
      // Like the aria-hidden package, live regions stay exposed.
      if (el.tagName === 'SCRIPT' || el === toastRegion || el.hasAttribute('aria-live')) continue;
      const hide = !!top && !el.contains(top.el);
      if (hide && !el.hasAttribute('aria-hidden')) {
        el.setAttribute('aria-hidden', 'true');
        el.setAttribute('data-aria-hidden', 'true');
      } else if (!hide && el.hasAttribute('data-aria-hidden')) {
        el.removeAttribute('aria-hidden');
        el.removeAttribute('data-aria-hidden');
      }
    }
  }

  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    const top = layers[layers.length - 1];
    if (top && top.onEscape) {
      e.preventDefault();
      e.stopPropagation();
      top.onEscape();
    }
  }, true);

  document.addEventListener('pointerdown', (e) => {
    const top = layers[layers.length - 1];
    if (!top || !top.onOutside) return;
    if (top.el.contains(e.target)) return;
    if (toastRegion && toastRegion.contains(e.target)) return;
    top.onOutside(e);
  }, true);

  // Portals go at the end of <body>, but below a pinned layer's portal, so
  // that the document order matches the stacking order (the browser's
  // accessibility tree takes the last aria-modal dialog as the active one).
  const pinnedRoots = [];
  function portal(el, pinned) {
    const before = pinned ? null : pinnedRoots.find((r) => r.isConnected);
    if (before) document.body.insertBefore(el, before);
    else document.body.append(el);
    if (pinned) pinnedRoots.push(el);
    return el;
  }

  // radixDialog opens a Radix-style modal dialog in a portal:
  //   <div data-radix-portal-ish> overlay > centering grid > [role=dialog]
  // opts: title, hideTitle, describe (text), label (aria-label instead of a
  // title), cls, body (array of nodes), escape (default true),
  // outside (close on pointerdown outside, default true), pinned (stays
  // above dialogs opened later), onClose.
  function radixDialog(opts) {
    const id = 'radix-' + useId();
    const titleId = id + '-title';
    const descId = id + '-desc';
    const title = opts.title
      ? h('h2', { id: titleId, class: opts.hideTitle ? 'sr-only' : 'text-lg font-semibold', text: opts.title })
      : null;
    const dlg = h('div', {
      role: 'dialog',
      id,
      'aria-modal': 'true',
      'aria-labelledby': opts.title ? titleId : null,
      'aria-label': opts.label || null,
      'aria-describedby': opts.describe ? descId : null,
      'data-state': 'open',
      tabindex: '-1',
      class: 'popover relative flex flex-col rounded-2xl bg-token-main-surface-primary shadow-xl focus:outline-none ' + (opts.cls || 'dialog-md'),
      style: 'pointer-events:auto',
    });
    const overlay = h('div', {
      'data-state': 'open',
      class: 'fixed inset-0 z-50 bg-black/50 dark:bg-black/80 dialog-overlay',
      style: 'pointer-events:auto' + (opts.pinned ? ';z-index:55' : ''),
    }, h('div', { class: 'grid h-full w-full place-items-center overflow-y-auto p-4' }, dlg));
    if (title) dlg.append(title);
    if (opts.describe) dlg.append(h('p', { id: descId, class: 'sr-only', text: opts.describe }));
    append(dlg, opts.body || []);
    const root = portal(h('div', { 'data-radix-portal': '' }, overlay), !!opts.pinned);

    let closed = false;
    const layer = pushLayer({
      el: dlg,
      modal: true,
      pinned: !!opts.pinned,
      onEscape: opts.escape === false ? null : () => api_.close(),
      onOutside: opts.outside === false ? null : () => api_.close(),
    });
    const previouslyFocused = document.activeElement;
    // Focus moves into the dialog only when it is on top: a dialog opened
    // under a pinned one must not take the focus from it (the browser
    // would then ignore the aria-hidden around the dialog).
    setTimeout(() => { if (layers[layers.length - 1] === layer) dlg.focus({ preventScroll: true }); }, 0);
    const api_ = {
      el: dlg,
      close() {
        if (closed) return;
        closed = true;
        removeLayer(layer);
        root.remove();
        if (previouslyFocused && previouslyFocused.focus) previouslyFocused.focus({ preventScroll: true });
        if (opts.onClose) opts.onClose();
      },
      get closed() { return closed; },
    };
    return api_;
  }

  // radixTabs builds a vertical Radix Tabs: buttons role=tab activate on
  // mousedown (left button, no Ctrl), on keyboard, and on focus (automatic
  // activation), but not on a synthetic click(), exactly like Radix.
  // defs: [{value, label, testid, icon}]; render(value, panelEl) fills a panel.
  function radixTabs(defs, initial, render, onChange) {
    const base = 'radix-' + useId();
    const list = h('div', {
      role: 'tablist',
      'aria-orientation': 'vertical',
      'data-orientation': 'vertical',
      tabindex: '0',
      class: 'tablist flex flex-col gap-0.5',
      style: 'outline:none',
    });
    const panels = h('div', { class: 'tabpanels grow overflow-y-auto' });
    const triggers = {};
    const contents = {};
    let current = null;

    function select(value) {
      if (value === current || !triggers[value]) return;
      current = value;
      for (const d of defs) {
        const on = d.value === value;
        const t = triggers[d.value];
        t.setAttribute('aria-selected', String(on));
        t.setAttribute('data-state', on ? 'active' : 'inactive');
        t.setAttribute('tabindex', on ? '0' : '-1');
        const c = contents[d.value];
        c.setAttribute('data-state', on ? 'active' : 'inactive');
        c.replaceChildren();
        if (on) c.removeAttribute('hidden');
        else c.setAttribute('hidden', '');
      }
      // Radix mounts only the active panel's content.
      const panel = contents[value];
      jitter().then(() => { if (current === value) render(value, panel); });
      if (onChange) onChange(value);
    }

    for (const d of defs) {
      const t = h('button', {
        type: 'button',
        role: 'tab',
        'aria-selected': 'false',
        'aria-controls': base + '-content-' + d.value,
        'data-state': 'inactive',
        id: base + '-trigger-' + d.value,
        'data-testid': d.testid || null,
        'data-orientation': 'vertical',
        'data-radix-collection-item': '',
        tabindex: '-1',
        // 2026: class "group __menu-item hoverable gap-1.5"; the direct
        // child is div.flex.min-w-0.grow.items-center.gap-2.5, whose only
        // div child holds the label (PSST presses
        // [data-testid='data-controls-tab'] > div.min-w-0 > div).
        class: 'group __menu-item hoverable gap-1.5 tab-button flex items-center rounded-lg px-2 py-1.5 text-sm',
        onMouseDown(e) {
          if (e.button === 0 && !e.ctrlKey) select(d.value);
          else e.preventDefault();
        },
        onKeyDown(e) {
          if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(d.value); }
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const i = defs.indexOf(d) + (e.key === 'ArrowDown' ? 1 : -1);
            const next = defs[(i + defs.length) % defs.length];
            triggers[next.value].focus();
          }
        },
        onFocus() { select(d.value); },
      },
      h('div', { class: 'flex min-w-0 grow items-center gap-2.5' },
        d.icon ? icon(d.icon, 'icon shrink-0') : null,
        h('div', { class: 'truncate', text: d.label })));
      triggers[d.value] = t;
      list.append(t);
      const c = h('div', {
        'data-state': 'inactive',
        'data-orientation': 'vertical',
        role: 'tabpanel',
        'aria-labelledby': t.id,
        id: base + '-content-' + d.value,
        tabindex: '0',
        hidden: true,
        class: 'tabpanel w-full',
        style: 'animation-duration:0s',
      });
      contents[d.value] = c;
      panels.append(c);
    }
    select(initial);
    return { list, panels, select, get value() { return current; } };
  }

  // A Radix Switch: button role=switch. It reacts to click (keyboard and
  // synthetic clicks too), as the real one does.
  function switchEl(attrs) {
    const thumb = h('span', { class: 'switch-thumb', 'data-state': 'unchecked' });
    const el = h('button', Object.assign({
      type: 'button',
      role: 'switch',
      'aria-checked': 'false',
      'data-state': 'unchecked',
      value: 'on',
      class: 'switch-root relative inline-flex shrink-0 rounded-full',
    }, attrs), thumb);
    return el;
  }

  function setSwitch(el, on) {
    el.setAttribute('aria-checked', String(on));
    el.setAttribute('data-state', on ? 'checked' : 'unchecked');
    el.firstChild.setAttribute('data-state', on ? 'checked' : 'unchecked');
  }

  // ---- toasts ----

  let toastRegion = null;
  function toast(text, kind) {
    if (!toastRegion || !toastRegion.isConnected) {
      toastRegion = portal(h('div', {
        class: 'toast-region pointer-events-none fixed bottom-4 left-0 right-0 z-60 flex flex-col items-center gap-2',
      }));
    }
    const t = h('div', {
      class: 'toast-root pointer-events-auto flex items-center gap-2 rounded-lg px-3 py-2 shadow-lg',
      role: 'alert',
      'data-state': 'entered',
      style: 'pointer-events:auto',
    },
    h('div', { class: kind === 'error' ? 'text-token-text-error text-sm' : 'text-sm', text }));
    toastRegion.append(t);
    setTimeout(() => t.remove(), 6000);
    return t;
  }

  // ---- live regions ----

  // Two empty live regions are always in the real page's DOM (2026-05):
  // a role=alert match is not by itself an error. They are static.
  for (const [id, role, live] of [['aria-notify-live-region-assertive', 'alert', 'assertive'], ['aria-notify-live-region-polite', 'status', 'polite']]) {
    const el = document.createElement('div');
    el.id = id;
    el.setAttribute('role', role);
    el.setAttribute('aria-live', live);
    el.setAttribute('aria-atomic', 'true');
    el.setAttribute('aria-relevant', 'additions text');
    el.className = classes('sr-only');
    document.body.append(el);
  }

  // ---- background traffic: the page is never network-idle ----

  const rand = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo));

  // busy starts what a signed-in page keeps doing in the background (see
  // Options.Quiet): a WebSocket with idle frames, an event stream, a long
  // poll held 20 s and re-issued, and analytics beacons every 1-3 s whose
  // answers are never read (some with keepalive, some by sendBeacon).
  let busyStarted = false;
  function busy() {
    if (boot.quiet || busyStarted) return;
    busyStarted = true;
    const auth = () => ({ Authorization: 'Bearer ' + accessToken });

    async function socket() {
      try {
        let url;
        if (boot.ui === '2023') {
          const r = await fetch('/backend-api/register-websocket', { method: 'POST', credentials: 'same-origin', headers: auth() });
          url = (await r.json()).wss_url;
        } else {
          const r = await fetch('/backend-api/celsius/ws/user', { credentials: 'same-origin', headers: auth() });
          url = (await r.json()).websocket_url;
        }
        if (!url) throw new Error('no websocket url');
        const ws = new WebSocket(url);
        ws.onmessage = () => {};
        ws.onclose = () => setTimeout(socket, rand(3000, 6000));
      } catch (e) {
        setTimeout(socket, rand(5000, 8000));
      }
    }

    function stream() {
      // EventSource reconnects by itself (retry: 3000).
      const es = new EventSource('/backend-api/sentinel/events');
      es.onmessage = () => {};
      es.onerror = () => {};
    }

    async function poll() {
      for (;;) {
        try {
          const r = await fetch('/backend-api/notifications/poll', { credentials: 'same-origin', headers: auth() });
          await r.json();
          await sleep(50);
        } catch (e) {
          await sleep(rand(3000, 5000));
        }
      }
    }

    const BEACONS = ['/ces/v1/t', '/ces/v1/p', '/ces/v1/m', '/ces/v1/rgstr', '/ces/statsc/flush'];
    let seq = 0;
    function beacon() {
      const path = BEACONS[rand(0, BEACONS.length)];
      const body = JSON.stringify({ batch: [{ type: 'track', event: 'sim_' + (seq++), timestamp: Date.now(), page: location.pathname }] });
      const how = rand(0, 3);
      try {
        if (how === 0 && navigator.sendBeacon) navigator.sendBeacon(path, new Blob([body], { type: 'text/plain' }));
        // The answer is never read.
        else fetch(path, { method: 'POST', credentials: 'same-origin', keepalive: how === 1, headers: { 'Content-Type': 'text/plain' }, body }).catch(() => {});
      } catch (e) { /* analytics never break the page */ }
      setTimeout(beacon, rand(1000, 3000));
    }

    socket();
    stream();
    poll();
    setTimeout(beacon, rand(200, 1000));
  }

  // rotating makes an element whose text changes every second or so, like
  // the composer's rotating suggestions: the DOM is never still. Under
  // Options.Quiet it keeps its first text.
  const SUGGESTIONS = [
    'Summarize a long article', 'Plan a weekend in Lisbon', 'Explain a regex', 'Write a birthday poem',
    'Brainstorm names for a bakery', 'Make a packing list', 'Quiz me on world capitals', 'Draft a polite reminder',
  ];
  function rotating(cls) {
    let i = rand(0, SUGGESTIONS.length);
    const el = h('div', { class: cls, 'aria-hidden': 'true', text: SUGGESTIONS[i] });
    if (!boot.quiet) {
      let mounted = false;
      const tick = () => {
        if (mounted && !el.isConnected) return; // unmounted: stop
        mounted = mounted || el.isConnected;
        i = (i + 1) % SUGGESTIONS.length;
        el.textContent = SUGGESTIONS[i];
        setTimeout(tick, rand(800, 1300));
      };
      setTimeout(tick, rand(800, 1300));
    }
    return el;
  }

  // ---- variant new-dialog: a release announcement ----

  // announcement shows the "Introducing memory" modal and resolves once
  // "Got it" was used. Escape and clicks outside do nothing. Dismissing it
  // tells the backend, so that it is not shown again in this session.
  function announcement() {
    return new Promise((resolve) => {
      const dlg = radixDialog({
        title: 'Introducing memory',
        cls: 'dialog-sm p-6 gap-4',
        escape: false,
        outside: false,
        pinned: true,
        onClose: resolve,
        body: [
          h('p', { class: 'text-sm text-token-text-secondary', text: 'ChatGPT can now remember details between chats, like your preferences and what you are working on, to give more helpful answers.' }),
          h('p', { class: 'text-sm text-token-text-secondary', text: "You're in control: ask it to forget something, or turn memory off at any time in Personalization." }),
          h('button', {
            type: 'button',
            class: 'btn relative btn-primary btn-large w-full',
            onClick() {
              fetch('/backend-api/settings/announcement_viewed?announcement_id=oai%2Fapps%2FhasSeenMemoryAnnouncement', {
                method: 'POST',
                credentials: 'same-origin',
                keepalive: true,
                headers: { Authorization: 'Bearer ' + accessToken },
              }).catch(() => {});
              dlg.close();
            },
          }, h('div', { class: 'flex items-center justify-center', text: 'Got it' })),
        ],
      });
    });
  }

  // ---- Options.UnknownDialog: a dialog nobody catalogued ----

  // The settings (dialog or page) tell settingsOpened when they open, so
  // that a dialog can wait for them whatever the class names are.
  let settingsOpenedResolve = null;
  const settingsOpen = new Promise((r) => { settingsOpenedResolve = r; });
  function settingsOpened() { settingsOpenedResolve(); }

  // unknownDialog shows the notice boot.unknownDialog describes, a Radix
  // modal like the real consent prompts: an h2 title, a paragraph (the
  // dialog's description), the accept-like primary button, a "Learn more"
  // link and the close control of d.close (x: a header button
  // aria-label="Close"; close / dismiss / not-now: a text button, not-now
  // without Escape; escape: none, Escape closes; none: nothing but a
  // choice ends it). It stays above
  // dialogs opened later. It resolves once closed or answered, and tells
  // the backend how (accept and learn_more are choices; close and escape
  // are not).
  function unknownDialog(d) {
    return new Promise((resolve) => {
      let how = null;
      const report = (action) => fetch('/backend-api/notices/response', {
        method: 'POST',
        credentials: 'same-origin',
        keepalive: true,
        headers: { Authorization: 'Bearer ' + accessToken, 'Content-Type': 'application/json' },
        body: JSON.stringify({ action }),
      }).catch(() => {});
      let dlg = null;
      const end = (action) => (e) => {
        if (e) e.preventDefault();
        if (how) return;
        how = action;
        report(action);
        dlg.close();
      };
      const textId = 'radix-' + useId() + '-description';
      const secondary = { close: 'Close', dismiss: 'Dismiss', 'not-now': 'Not now' }[d.close];
      dlg = radixDialog({
        title: d.title,
        cls: 'dialog-sm p-6 gap-4 notice-dialog',
        escape: d.close !== 'none' && d.close !== 'not-now',
        outside: false,
        pinned: true,
        onClose() {
          if (!how) { how = 'escape'; report('escape'); } // Escape is the only other way out
          resolve(how);
        },
        body: [
          d.close === 'x'
            ? h('button', { type: 'button', 'aria-label': 'Close', class: 'close-btn absolute end-3 top-3 flex h-8 w-8 items-center justify-center rounded-full', onClick: end('close') }, icon('close'))
            : null,
          h('p', { id: textId, class: 'text-sm text-token-text-secondary', text: d.text }),
          h('p', { class: 'text-sm' }, h('a', { href: '#', class: 'underline', onClick: end('learn_more'), text: 'Learn more' })),
          h('div', { class: 'flex flex-col gap-2' },
            h('button', { type: 'button', class: 'btn relative btn-primary btn-large w-full', onClick: end('accept') },
              h('div', { class: 'flex items-center justify-center', text: d.accept })),
            secondary
              ? h('button', { type: 'button', class: 'btn relative btn-secondary btn-large w-full', onClick: end('close') },
                h('div', { class: 'flex items-center justify-center', text: secondary }))
              : null),
        ],
      });
      dlg.el.setAttribute('aria-describedby', textId);
    });
  }

  // afterSignIn shows what a freshly rendered chat page shows, in both eras
  // and in this order: the new-dialog variant's announcement (covering the
  // page from its first frame, or from when deep-linked Settings open), the
  // Settings of a #settings/ link, then the post-login dialogs. An
  // UnknownDialog covers the page from its first frame too, before them,
  // or (overSettings) comes as the settings open (50 ms after), over them.
  async function afterSignIn(tab, openSettings, showDialog) {
    const announce = boot.announcement && variant('new-dialog');
    const announced = announce && !tab ? announcement() : null;
    const notice = boot.unknownDialog;
    const noticed = notice && !notice.overSettings ? unknownDialog(notice) : null;
    if (notice && notice.overSettings) settingsOpen.then(() => sleep(50)).then(() => unknownDialog(notice));
    await jitter();
    if (tab) openSettings(tab);
    if (announce) await (announced || announcement());
    if (noticed) await noticed;
    // Options.LateDialogs: the dialogs come late, once the visitor has
    // opened the settings at Data controls, while that panel loads (or
    // after 30 s: on a loaded machine a run takes its time to get there,
    // and the dialogs must still come over them). Coming as the visitor
    // presses the tab, a dialog would take that press: the settings under
    // it are inert, so the press lands outside them and closes them.
    if (boot.lateDialogs && boot.dialogs.length) {
      // Over the settings means over their modal layer: it is up once the
      // body no longer takes the pointer (a loaded machine may apply that a
      // little after the dialog shows), and it must still be up when the
      // dialog shows: a visitor may close the settings meanwhile, and a
      // dialog over the bare page is one any pointer reaches.
      const atDataControls = () => {
        const tab = document.querySelector('.settings-dialog [role="tab"][aria-selected="true"]');
        return !tab || /data controls/i.test(tab.textContent);
      };
      const settingsUp = () => document.querySelector('.settings-dialog') && getComputedStyle(document.body).pointerEvents === 'none' && atDataControls();
      const since = Date.now();
      for (;;) {
        while (Date.now() - since < 30000 && !settingsUp()) await sleep(100);
        await sleep(200 + Math.random() * 150);
        if (settingsUp() || Date.now() - since >= 30000) break;
      }
    }
    for (const [i, d] of boot.dialogs.entries()) {
      if (i > 0 || !boot.lateDialogs) await sleep(80 + Math.random() * 150);
      await showDialog(d);
    }
  }

  // consentBanner (Options.ConsentBanner): a cookie banner fixed at the
  // bottom of every app page, over the sidebar's profile trigger, until
  // one of its buttons is used; the choice is kept in localStorage.
  function consentBanner() {
    if (localStorage.getItem('oai/apps/cookieConsent')) return;
    const choose = (v) => () => { localStorage.setItem('oai/apps/cookieConsent', v); banner.remove(); };
    const banner = h('div', { class: 'fixed bottom-0 start-0 end-0 z-50 flex items-center justify-between gap-4 border-t bg-token-main-surface-primary p-4', style: 'position:fixed;left:0;right:0;bottom:0;z-index:60;background:#fff;padding:16px;min-height:96px;box-sizing:border-box' },
      h('div', { class: 'text-sm', text: 'We use cookies to improve your experience and to show you relevant content. You can manage your preferences at any time.' }),
      h('div', { class: 'flex gap-2' },
        h('button', { type: 'button', class: 'btn btn-secondary', onClick: () => {}, text: 'Manage Cookies' }),
        h('button', { type: 'button', class: 'btn btn-secondary', onClick: choose('essential'), text: 'Reject non-essential' }),
        h('button', { type: 'button', class: 'btn btn-primary', onClick: choose('all'), text: 'Accept all' })));
    document.body.append(banner);
  }

  return {
    boot, variant, h, icon, useId, sleep, jitter, loadSession, api, pushLayer, removeLayer,
    portal, radixDialog, radixTabs, switchEl, setSwitch, toast, announcement, afterSignIn, busy, rotating,
    consentBanner, unknownDialog, settingsOpened,
  };
})();
