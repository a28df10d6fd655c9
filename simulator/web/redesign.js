// redesign.js: the signed-in app under the variant unknown-ui, in both eras.
//
// An entirely new shell that no selectors file knows, standing for the next
// redesign: a top bar with the user's avatar button (a plain button that
// toggles a menu on click), a "Threads" sidebar, and a Preferences page at
// /preferences/<section> instead of the Settings dialog. None of the old
// landmarks exist: no accounts-profile-button, no profile-button, no
// Headless UI menu, no "Open profile menu", no tabs, and #settings/... links
// do nothing. A person still finds the setting: avatar → Preferences →
// Privacy, where the switch PATCHes training_allowed like the current UI.
'use strict';

(function () {
  const { boot, h, sleep, jitter, api, toast } = Sim;
  const LABEL = Sim.variant('reworded-label') ? 'Use my chats for model training' : 'Improve the model for everyone';
  const SECTIONS = [
    { id: 'profile', label: 'Profile' },
    { id: 'privacy', label: 'Privacy' },
    { id: 'appearance', label: 'Appearance' },
  ];

  const root = h('div', { class: 'relative flex h-full w-full flex-col overflow-hidden' });
  document.body.prepend(root);

  let session = null;
  let content = null;
  let avatar = null;
  let menu = null;
  let nextId = Math.floor(Math.random() * 1000);
  const newId = (p) => p + '-' + (nextId++).toString(36);

  // go makes a link handler that navigates in place (a plain left click);
  // other clicks (middle, modifiers) keep the browser's default.
  function go(path) {
    return (e) => {
      if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      if (location.pathname !== path) history.pushState(null, '', path);
      route();
    };
  }

  function initials(name) {
    return name.split(/[\s@.]+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
  }

  // ------------------------------------------------------------------ frame

  function renderFrame() {
    const name = session.user.name || session.user.email;
    avatar = h('button', {
      type: 'button',
      'data-testid': 'user-avatar',
      'aria-label': name,
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      class: 'user-avatar flex items-center justify-center rounded-full',
      onClick: () => (menu ? closeMenu() : openMenu()),
    }, h('span', { 'aria-hidden': 'true', text: initials(name) }));
    const threads = h('div', { class: 'flex flex-col gap-0.5 overflow-y-auto grow', 'aria-busy': 'true' });
    const aside = h('aside', { 'aria-label': 'Threads', class: 'threads flex shrink-0 flex-col gap-2 p-2' },
      h('a', { href: '/', 'data-testid': 'new-thread', class: 'btn relative btn-secondary', onClick: go('/') }, 'New thread'),
      threads);
    content = h('main', { class: 'relative flex min-w-0 flex-1 flex-col overflow-y-auto' });
    root.replaceChildren(
      h('header', { class: 'topbar flex shrink-0 items-center justify-between gap-4 px-4' },
        h('a', { href: '/', class: 'text-lg font-semibold', onClick: go('/'), text: 'ChatGPT' }),
        h('div', { class: 'flex items-center gap-2' }, avatar)),
      h('div', { class: 'flex min-h-0 grow' }, aside, content));

    api('GET', '/backend-api/conversations?offset=0&limit=28&order=updated').then(async (r) => {
      await jitter();
      for (const c of r.items) {
        threads.append(h('a', { href: '/c/' + c.id, class: 'thread-link rounded-lg px-2 py-2' }, h('div', { class: 'truncate', text: c.title })));
      }
      threads.removeAttribute('aria-busy');
    }, () => threads.removeAttribute('aria-busy'));
  }

  // ------------------------------------------------------------------- menu

  function openMenu() {
    const item = (label, fn) => h('button', {
      type: 'button',
      role: 'menuitem',
      tabindex: '-1',
      class: 'user-menu-item flex w-full items-center rounded-lg px-3 py-2 text-sm text-start',
      onClick() { closeMenu(); fn(); },
    }, label);
    const list = h('div', {
      role: 'menu',
      'aria-label': 'Account',
      tabindex: '-1',
      class: 'user-menu popover rounded-2xl shadow-lg py-1.5 px-1.5',
      style: 'outline:none',
      onKeyDown(e) {
        const items = [...list.querySelectorAll('[role=menuitem]')];
        const i = items.indexOf(document.activeElement);
        if (e.key === 'ArrowDown') { e.preventDefault(); items[(i + 1) % items.length].focus(); }
        if (e.key === 'ArrowUp') { e.preventDefault(); items[(i - 1 + items.length) % items.length].focus(); }
      },
    },
    h('div', { class: 'px-3 py-2 text-xs text-token-text-secondary truncate', text: session.user.email }),
    item('Preferences', () => navigate('/preferences/profile')),
    item('Help center', () => {}),
    item('Sign out', logout));
    const r = avatar.getBoundingClientRect();
    const wrap = Sim.portal(h('div', {
      style: `position:fixed;right:${Math.round(window.innerWidth - r.right)}px;top:${Math.round(r.bottom + 6)}px;z-index:50;pointer-events:auto`,
    }, list));
    avatar.setAttribute('aria-expanded', 'true');
    const layer = Sim.pushLayer({
      el: wrap,
      modal: false,
      onEscape: closeMenu,
      onOutside: (e) => { if (!avatar.contains(e.target)) closeMenu(); },
    });
    menu = { wrap, layer };
    setTimeout(() => list.focus({ preventScroll: true }), 0);
  }

  function closeMenu() {
    if (!menu) return;
    Sim.removeLayer(menu.layer);
    menu.wrap.remove();
    menu = null;
    avatar.setAttribute('aria-expanded', 'false');
  }

  function navigate(path) {
    if (location.pathname !== path) history.pushState(null, '', path);
    route();
  }

  async function logout() {
    try { await fetch('/api/auth/signout', { method: 'POST', credentials: 'same-origin' }); } catch (e) { /* go anyway */ }
    location.assign(boot.ui === '2023' ? '/auth/login' : '/');
  }

  // ----------------------------------------------------------------- routes

  function route() {
    const m = /^\/preferences(?:\/([a-z]+))?\/?$/.exec(location.pathname);
    if (m) preferences(SECTIONS.some((s) => s.id === m[1]) ? m[1] : 'profile');
    else home();
  }
  window.addEventListener('popstate', () => { if (session) route(); });

  function home() {
    content.replaceChildren(h('div', { class: 'flex grow flex-col items-center justify-center gap-6 px-4' },
      h('h1', { class: 'text-2xl font-semibold', text: "What's on your mind today?" }),
      h('form', { class: 'composer w-full max-w-2xl rounded-3xl border p-3' },
        h('textarea', { 'aria-label': 'Message', rows: '1', placeholder: 'Message', class: 'w-full outline-none composer-input' }))));
  }

  function preferences(section) {
    const body = h('section', { class: 'flex min-w-0 grow flex-col', 'aria-labelledby': 'pref-section-title' },
      h('h2', { id: 'pref-section-title', class: 'text-lg font-semibold py-3 border-b', text: SECTIONS.find((s) => s.id === section).label }));
    content.replaceChildren(h('div', { class: 'prefs flex w-full flex-col gap-4 p-6' },
      h('h1', { class: 'text-2xl font-semibold', text: 'Preferences' }),
      h('div', { class: 'flex gap-6' },
        h('nav', { 'aria-label': 'Preference sections', class: 'prefs-nav flex shrink-0 flex-col gap-1' },
          SECTIONS.map((s) => h('a', {
            href: '/preferences/' + s.id,
            'aria-current': s.id === section ? 'page' : null,
            class: 'prefs-link rounded-lg px-3 py-2',
            onClick: go('/preferences/' + s.id),
          }, s.label))),
        body)));
    const row = (label, control) => h('div', { class: 'pref-row flex items-center justify-between gap-4 border-b py-3' },
      h('div', { class: 'text-sm', text: label }), control);
    if (section === 'profile') {
      body.append(row('Name', h('div', { class: 'text-sm', text: session.user.name })), row('Email', h('div', { class: 'text-sm', text: session.user.email })));
    } else if (section === 'appearance') {
      body.append(row('Theme', h('select', { 'aria-label': 'Theme', class: 'text-sm' }, h('option', { text: 'System' }), h('option', { text: 'Dark' }), h('option', { text: 'Light' }))));
    } else {
      privacy(body);
    }
  }

  // The setting, as a person finds it in the new shell. The switch flips
  // only after the backend answered plus toggleDelay; clicks while the
  // request is pending are ignored.
  async function privacy(body) {
    const busy = h('div', { class: 'skeleton animate-pulse h-12', 'aria-busy': 'true' });
    body.append(busy);
    let s;
    try {
      s = (await api('GET', '/backend-api/settings/user')).settings;
    } catch (e) {
      busy.remove();
      body.append(h('div', { class: 'py-6 text-sm text-token-text-error', text: "Couldn't load your preferences." }));
      toast(e.status === 401 ? 'Your session has expired. Please log in again.' : 'Something went wrong. Please try again.', 'error');
      return;
    }
    await jitter();
    if (!body.isConnected) return;
    let on = !!s.training_allowed;
    const labelId = newId('pref-label');
    const sw = Sim.switchEl({ 'data-testid': 'pref-training-switch', 'aria-labelledby': labelId });
    Sim.setSwitch(sw, on);
    let pending = false;
    sw.addEventListener('click', async () => {
      if (pending) return;
      pending = true;
      const next = !on;
      try {
        await api('PATCH', '/backend-api/settings/account_user_setting?feature=training_allowed&value=' + next);
        await sleep(boot.toggleDelayMs);
        on = next;
        if (sw.isConnected) Sim.setSwitch(sw, on);
      } catch (e) {
        toast(e.status === 401 ? 'Your session has expired. Please log in again.' : 'Something went wrong. Please try again.', 'error');
      } finally {
        pending = false;
      }
    });
    busy.replaceWith(
      h('div', { class: 'pref-row flex items-center justify-between gap-4 border-b py-3' },
        h('div', { class: 'flex min-w-0 flex-col gap-1' },
          h('div', { id: labelId, class: 'text-sm', text: LABEL }),
          h('div', { class: 'text-xs text-token-text-secondary', text: 'Allow your content to be used to train our models, which makes ChatGPT better for you and everyone who uses it.' })),
        sw),
      row('Delete all threads', h('button', { type: 'button', class: 'btn relative btn-small btn-danger-outline' }, 'Delete all')));
    function row(label, control) {
      return h('div', { class: 'pref-row flex items-center justify-between gap-4 border-b py-3' }, h('div', { class: 'text-sm', text: label }), control);
    }
  }

  // ------------------------------------------------------------------- boot

  async function main() {
    try { session = await Sim.loadSession(); } catch (e) { session = null; }
    if (!session || !session.accessToken) {
      location.replace(boot.ui === '2023' ? '/auth/login' : '/');
      return;
    }
    await jitter();
    renderFrame();
    route();
    Sim.busy();
    // Variant new-dialog: the announcement covers the new shell too. The
    // eras' own post-login dialogs do not exist in it.
    if (boot.announcement && Sim.variant('new-dialog')) await Sim.announcement();
    // Options.UnknownDialog covers the new shell as well (it has no
    // settings to wait for).
    if (boot.unknownDialog) await Sim.unknownDialog(boot.unknownDialog);
  }

  main();
})();
