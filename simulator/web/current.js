// current.js: chatgpt.com as of 2024-2026 ("Improve the model for everyone").
//
// Signed out: a landing page with Log in / Sign up (a placeholder profile
// trigger first), or the account chooser when the session waits for an
// account to be picked. Signed in: the chat shell with a sidebar (Library,
// Scheduled, two profile triggers of which one is visible), the profile menu
// (Radix dropdown, toggles on pointerdown), the Settings dialog
// (deep-linkable as #settings/<Tab>; a page at /settings/<section> under the
// variant settings-page), and in Data controls the row that opens the dialog
// with the switch. The DOM follows ../../shared/chatgpt-ui.md: stable
// Tailwind classes at the documented depth.
'use strict';

(function () {
  const { boot, h, icon, useId, sleep, jitter, api, toast } = Sim;

  // Variant reworded-label: the same setting under another name, one that
  // does not contain the old one.
  const IMPROVE_LABEL = Sim.variant('reworded-label') ? 'Use my chats for model training' : 'Improve the model for everyone';
  // Variant profile-top-right: the mid-2024 to 2025 layout, with the profile
  // trigger at the top right of the chat header instead of the sidebar.
  const TOP_RIGHT = Sim.variant('profile-top-right');
  // Variant settings-page (October 2026): Settings are a page at
  // /settings/<section>, rendered in main, not a dialog.
  const SETTINGS_PAGE = Sim.variant('settings-page');
  // The signed-in account's plan as the profile trigger shows it
  // (Account.Plan). Free and Go have ads, and with them the Ads controls
  // tab (2026).
  const PLAN = { free: 'Free', go: 'Go', plus: 'Plus', pro: 'Pro' }[boot.plan] || 'Free';
  const HAS_ADS = PLAN === 'Free' || PLAN === 'Go';
  // Variant marketing-page: Marketing privacy is a sub-view of the Data
  // controls panel instead of a dialog (the reference does not know which).
  const MARKETING_PAGE = Sim.variant('marketing-page');
  // Variant voice-rows: the audio and video rows of the apps in the
  // improve dialog (a 2026-10 audit saw none on the web).
  const VOICE_ROWS = Sim.variant('voice-rows');

  const root = h('div', { class: 'relative flex h-full w-full overflow-hidden' });
  document.body.prepend(root);

  // ---------------------------------------------------------------- landing

  // quirks are the simulator's options that shape how the signed-out page
  // and the Data controls panel load, and what floats over them
  // (Options.FirstPaint, PlaceholderFor, DataControlsDelay, OneTap), from
  // the boot blob; a promise, as the page's other late data.
  function quirks() {
    return Promise.resolve(boot.quirks || {});
  }

  // Google One Tap (Options.OneTap): Google's script draws its prompt in a
  // box fixed top right, a cross-origin frame, above everything, the
  // page's modal layers included (so it takes the pointer under them too).
  // Over the login dialog it covers the right part of the email field, as
  // it does in narrow windows. Its close button asks the page to remove it.
  let oneTap = null;
  function showOneTap(q, under) {
    if (!q.oneTap || !q.oneTapURL) return;
    // A box the page or someone else hid is a prompt dismissed: the
    // script prompts again with a new one.
    if (!oneTap || !oneTap.isConnected || getComputedStyle(oneTap).display === 'none') {
      if (oneTap) oneTap.remove();
      oneTap = h('div', {
        id: 'credential_picker_container',
        style: 'position:fixed;top:16px;right:16px;width:391px;height:250px;z-index:9999;pointer-events:auto;' +
          'background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 2px 10px rgba(0,0,0,.3)',
      }, h('iframe', { src: q.oneTapURL, title: 'Sign in with Google Dialog', style: 'border:0;width:100%;height:100%' }));
      document.body.append(oneTap);
    }
    if (under) {
      const r = under.getBoundingClientRect();
      oneTap.style.width = Math.max(391, innerWidth - 16 - (r.left + r.width * 0.4)) + 'px';
      oneTap.style.height = Math.max(250, r.bottom + 6 - 16) + 'px';
    }
  }
  window.addEventListener('message', (e) => {
    if (e.data && e.data.gsi === 'close' && oneTap) { oneTap.remove(); oneTap = null; }
  });

  function loginButtons(size) {
    return [
      h('button', {
        'data-testid': 'login-button',
        type: 'button',
        class: 'btn relative btn-primary ' + size,
        onClick: startLogin,
      }, h('div', { class: 'flex items-center justify-center', text: 'Log in' })),
      h('button', {
        'data-testid': 'signup-button',
        type: 'button',
        class: 'btn relative btn-secondary ' + size,
        onClick: () => location.assign('/api/auth/signin/openai?screen_hint=signup'),
      }, h('div', { class: 'flex items-center justify-center', text: 'Sign up for free' })),
    ];
  }

  function startLogin() {
    // A valid session that waits for its account to be picked: Log in
    // brings the chooser back.
    if (boot.chooser) { openChooser(); return; }
    if (boot.loginEntry === 'dialog') openLoginDialog();
    else location.assign('/api/auth/signin/openai?prompt=login');
  }

  // The in-page login dialog seen on chatgpt.com in 2025: social buttons and
  // an email field; Continue carries the email over to auth's password step.
  function openLoginDialog() {
    const err = h('div', { class: 'text-token-text-error text-sm', role: 'alert', hidden: true });
    const email = h('input', {
      type: 'email', name: 'email', autocomplete: 'email', placeholder: 'Email address',
      class: 'input w-full rounded-full border px-5',
    });
    const social = (label) => h('button', {
      type: 'button', class: 'btn relative btn-secondary btn-large w-full',
      onClick: () => { err.textContent = 'This sign-in method is not available right now.'; err.hidden = false; },
    }, h('div', { class: 'flex items-center justify-center gap-2', text: label }));
    const form = h('form', {
      class: 'flex flex-col gap-3',
      novalidate: true,
      onSubmit(e) {
        e.preventDefault();
        const v = email.value.trim();
        if (!v || !v.includes('@')) {
          err.textContent = 'Email is not valid.';
          err.hidden = false;
          return;
        }
        location.assign('/api/auth/signin/openai?login_hint=' + encodeURIComponent(v));
      },
    }, email, err, h('button', { type: 'submit', class: 'btn relative btn-primary btn-large w-full' },
      h('div', { class: 'flex items-center justify-center', text: 'Continue' })));
    const dlg = Sim.radixDialog({
      title: 'Log in or sign up',
      cls: 'dialog-sm p-6 gap-4',
      body: [
        h('button', { 'data-testid': 'close-button', 'aria-label': 'Close', type: 'button', class: 'close-btn absolute end-3 top-3', onClick: () => dlg.close() }, icon('close')),
        h('p', { class: 'text-token-text-secondary text-sm', text: "You'll get smarter responses and can upload files, images, and more." }),
        h('div', { class: 'flex flex-col gap-2' }, social('Continue with Google'), social('Continue with Apple'), social('Continue with phone')),
        h('div', { class: 'divider text-xs', text: 'OR' }),
        form,
      ],
    });
    setTimeout(() => email.focus(), 30);
    // One Tap prompts again when the login dialog opens (Options.OneTap).
    quirks().then((q) => { if (dlg.el.isConnected) showOneTap(q, email); });
  }

  const composerEl = () => h('form', { class: 'composer w-full max-w-2xl rounded-3xl border p-3' },
    h('div', { id: 'prompt-textarea', contenteditable: 'true', role: 'textbox', 'aria-label': 'Ask anything', class: 'ProseMirror min-h-6 outline-none', 'data-placeholder': 'Ask anything' }));

  function renderLanding() {
    const page = boot.page === 'login'
      ? h('main', { class: 'flex h-full w-full flex-col items-center justify-center gap-4' },
        h('h1', { class: 'text-2xl font-semibold', text: 'Get started' }),
        h('div', { class: 'flex flex-col gap-3 w-64' }, loginButtons('btn-large w-full')))
      : h('div', { class: 'flex h-full w-full flex-col' },
        h('header', { class: 'page-header flex items-center justify-between p-3' },
          h('div', { class: 'text-lg font-semibold', text: 'ChatGPT' }),
          h('div', { class: 'flex items-center gap-2' }, loginButtons('btn-small'))),
        h('main', { class: 'flex grow flex-col items-center justify-center gap-6 px-4' },
          h('h1', { class: 'text-2xl font-semibold', text: 'What can I help with?' }),
          composerEl(),
          h('p', { class: 'text-xs text-token-text-secondary', text: 'By messaging ChatGPT, you agree to our Terms and have read our Privacy Policy.' })));
    root.replaceChildren(page);
  }

  // Before the login buttons render, the signed-out home page shows a
  // placeholder with the profile trigger's test id (2026-06): the trigger
  // is not proof of sign-in.
  function renderPlaceholder() {
    root.replaceChildren(
      h('div', { class: 'sidebar relative flex h-full shrink-0 flex-col justify-end bg-token-sidebar-surface-primary p-2', style: 'width:260px' },
        h('div', {},
          h('div', {
            role: 'button',
            tabindex: '0',
            'data-testid': 'accounts-profile-button',
            'data-sidebar-item': 'true',
            class: 'group __menu-item hoverable flex items-center gap-2 rounded-lg px-2 py-2',
          },
          h('div', { class: 'flex min-w-0 items-center gap-2' },
            h('div', { class: 'flex shrink-0 items-center justify-center rounded-full avatar animate-pulse' }),
            h('div', { class: 'min-w-0' }, h('div', { class: 'skeleton-line animate-pulse' })))))),
      h('main', { class: 'flex grow flex-col items-center justify-center gap-6 px-4' },
        h('h1', { class: 'text-2xl font-semibold', text: 'What can I help with?' })));
  }

  // ------------------------------------------------------------- chat shell

  let session = null;
  let mainEl = null;

  function sidebarLink(href, label, ic, testid) {
    return h('a', {
      href,
      'data-testid': testid || null,
      'data-sidebar-item': 'true',
      class: 'group __menu-item hoverable flex items-center gap-2 rounded-lg px-2 py-2',
      onClick: navLink(href),
    }, icon(ic, 'icon shrink-0'), h('div', { class: 'flex min-w-0 grow items-center gap-2.5' }, h('div', { class: 'truncate', text: label })));
  }

  // navLink navigates in place on a plain left click, as React Router does.
  function navLink(path) {
    return (e) => {
      if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(path);
    };
  }

  function navigate(path, replace) {
    if (location.pathname + location.hash !== path) {
      if (replace) history.replaceState(null, '', path);
      else history.pushState(null, '', path);
    }
    route();
  }

  function renderApp() {
    const name = session.user.name || session.user.email;
    const chatList = h('div', { class: 'flex flex-col gap-0.5 overflow-y-auto grow', 'aria-busy': 'true' },
      h('h2', { class: 'px-2 py-1 text-xs text-token-text-tertiary', text: 'Chats' }));
    const nav = h('nav', { class: 'flex h-full w-full flex-col px-2', 'aria-label': 'Chat history' },
      h('div', { class: 'flex flex-col gap-0.5 py-2' },
        h('a', { href: '/', 'data-testid': 'create-new-chat-button', 'data-sidebar-item': 'true', class: 'group __menu-item hoverable flex items-center gap-2 rounded-lg px-2 py-2', onClick: navLink('/') },
          icon('plus', 'icon shrink-0'), h('div', { class: 'flex min-w-0 grow items-center gap-2.5' }, h('div', { class: 'truncate', text: 'New chat' }))),
        // Library and Scheduled: one client proves sign-in by them (2026-08).
        sidebarLink('/library', 'Library', 'star'),
        sidebarLink('/schedules', 'Scheduled', 'bell')),
      chatList,
      TOP_RIGHT ? null : h('div', { class: 'sticky bottom-0 border-t py-2' }, profileTrigger(name, false)));
    const sidebar = h('div', { class: 'sidebar relative h-full shrink-0 overflow-hidden bg-token-sidebar-surface-primary', style: 'width:260px' }, nav);
    // The collapsed sidebar rail holds the other trigger; it is hidden while
    // the sidebar is expanded, so only one is visible at a time. With
    // boot.sidebarCollapsed (Options.SidebarCollapsed) the page opens with
    // the sidebar collapsed: the rail's "Open profile menu" shows, the
    // sidebar with its Library and Scheduled links and its named trigger
    // does not, until "Open sidebar" expands it.
    const rail = TOP_RIGHT ? null : h('div', { class: 'sidebar-rail hidden h-full shrink-0 flex-col justify-between p-2', 'aria-hidden': 'true' },
      h('button', { type: 'button', 'aria-label': 'Open sidebar', class: 'flex h-9 w-9 items-center justify-center rounded-lg', onClick: () => collapse(false) }, icon('menu')),
      profileTrigger(name, true));
    const collapse = (on) => {
      if (!rail) return;
      sidebar.classList.toggle('hidden', on);
      rail.classList.toggle('hidden', !on);
      rail.classList.toggle('flex', on);
      if (on) rail.removeAttribute('aria-hidden');
      else rail.setAttribute('aria-hidden', 'true');
    };
    if (boot.sidebarCollapsed) collapse(true);
    mainEl = h('main', { class: 'relative flex h-full w-full min-w-0 flex-1 flex-col' });
    root.replaceChildren(...[sidebar, rail, mainEl].filter(Boolean));

    api('GET', '/backend-api/conversations?offset=0&limit=28&order=updated').then(async (r) => {
      await jitter();
      for (const c of r.items) {
        chatList.append(h('a', { href: '/c/' + c.id, class: 'group __menu-item hoverable flex items-center rounded-lg px-2 py-2', draggable: 'true' },
          h('div', { class: 'truncate', text: c.title })));
      }
      chatList.removeAttribute('aria-busy');
    }, () => chatList.removeAttribute('aria-busy'));
  }

  function header() {
    return h('div', { class: 'page-header flex items-center justify-between p-3' }, h('div', { class: 'text-lg font-semibold', text: 'ChatGPT' }),
      TOP_RIGHT ? h('div', { class: 'flex items-center gap-2 pe-1' }, profileButton()) : null);
  }

  // route fills main for the current path: the chat home, Library,
  // Scheduled, or (variant settings-page) the Settings page.
  function route() {
    if (!mainEl) return;
    const section = settingsSection();
    if (SETTINGS_PAGE && section) {
      renderSettingsPage(section);
      return;
    }
    if (settingsPage) settingsPage = null;
    const p = location.pathname;
    if (p === '/library' || p === '/schedules') {
      mainEl.replaceChildren(header(), h('div', { class: 'flex grow flex-col gap-4 p-6' },
        h('h1', { class: 'text-2xl font-semibold', text: p === '/library' ? 'Library' : 'Scheduled' }),
        h('p', { class: 'text-sm text-token-text-secondary', text: 'Nothing here yet.' })));
      return;
    }
    mainEl.replaceChildren(header(),
      h('div', { class: 'flex grow flex-col items-center justify-center gap-6 px-4' },
        h('h1', { class: 'text-2xl font-semibold', text: 'What can I help with?' }),
        composerEl(),
        // The composer's suggestions rotate: the DOM is never still.
        Sim.rotating('composer-suggestion text-sm text-token-text-secondary')));
  }
  window.addEventListener('popstate', () => { if (session) route(); });

  // ------------------------------------------------------------ profile menu

  // The trigger is a Radix DropdownMenu.Trigger: it toggles on pointerdown
  // with the left button and no Ctrl (a second pointerdown closes it),
  // Enter/Space toggle, ArrowDown opens; click does nothing. No isTrusted
  // check: a synthetic PointerEvent from page script works, and one
  // dispatched on an inner element bubbles up to it.
  function menuTrigger(tag, attrs, ...children) {
    const t = h(tag, Object.assign({
      id: 'radix-' + useId(),
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      'data-state': 'closed',
      onPointerDown(e) {
        if (e.button !== 0 || e.ctrlKey) return;
        if (menu && menu.trigger === t) { closeMenu(); return; }
        e.preventDefault(); // keeps the focus off the trigger, as Radix does
        closeMenu();
        openMenu(t);
      },
      onKeyDown(e) {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          if (menu) closeMenu(); else openMenu(t, true);
        } else if (e.key === 'ArrowDown') {
          e.preventDefault();
          if (!menu) openMenu(t, true);
        }
      },
    }, attrs), ...children);
    return t;
  }

  // The mid-2024 top-right trigger: a round button with the avatar, named
  // by the avatar's alt text.
  const AVATAR = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><circle cx="16" cy="16" r="16" fill="#ab68ff"/><circle cx="16" cy="13" r="6" fill="#fff"/><path d="M5 28c3-6 19-6 22 0" fill="#fff"/></svg>');
  function profileButton() {
    return menuTrigger('button', {
      type: 'button',
      'data-testid': 'profile-button',
      class: 'flex h-10 w-10 items-center justify-center rounded-full hover:bg-token-main-surface-secondary focus-visible:outline-0',
    }, h('div', { class: 'flex items-center justify-center overflow-hidden rounded-full' },
      h('div', { class: 'relative flex' }, h('img', { alt: 'User', width: '32', height: '32', class: 'rounded-sm', src: AVATAR, referrerpolicy: 'no-referrer' }))));
  }

  // profileTrigger builds one of the two triggers (2026): a div with
  // role=button in a single-child wrapper that carries a tooltip. Its
  // direct child is div.flex.min-w-0.items-center.gap-2, then
  // div.min-w-0 > div.flex.min-w-0.grow.items-center.gap-2.5 > div.truncate
  // with the name, beside div.text-xs with the plan. The rail's is named
  // "Open profile menu", the expanded sidebar's "NAME PLAN, open profile menu".
  function profileTrigger(name, rail) {
    const t = menuTrigger('div', {
      role: 'button',
      tabindex: '0',
      'data-testid': 'accounts-profile-button',
      'aria-label': rail ? 'Open profile menu' : name + ' ' + PLAN + ', open profile menu',
      'data-sidebar-item': 'true',
      class: 'group __menu-item hoverable gap-2 flex items-center rounded-lg px-2 py-2',
    },
    h('div', { class: 'flex min-w-0 items-center gap-2' },
      h('div', { class: 'flex shrink-0 items-center justify-center rounded-full avatar' }, icon('user')),
      // The rail is an avatar wide: the name and plan are hidden there.
      h('div', { class: rail ? 'min-w-0 hidden' : 'min-w-0' },
        h('div', { class: 'flex min-w-0 grow items-center gap-2.5' }, h('div', { class: 'truncate', text: name })),
        h('div', { class: 'text-xs text-token-text-tertiary truncate', text: PLAN }))));
    return tooltip(h('div', { class: 'flex' }, t), rail ? 'Open profile menu' : name);
  }

  // tooltip gives a wrapper a Radix-like tooltip: shown after a hover of
  // 700 ms, in a portal, never in the way of the pointer.
  function tooltip(wrapper, text) {
    let timer = null;
    let tip = null;
    const hide = () => {
      clearTimeout(timer);
      if (tip) { tip.remove(); tip = null; }
    };
    wrapper.addEventListener('pointerenter', (e) => {
      if (e.pointerType !== 'mouse') return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (tip || !wrapper.isConnected) return;
        const r = wrapper.getBoundingClientRect();
        tip = Sim.portal(h('div', {
          'data-radix-popper-content-wrapper': '',
          style: `position:fixed;left:${Math.round(r.right + 8)}px;top:${Math.round(r.top + r.height / 2 - 14)}px;z-index:60;pointer-events:none`,
        }, h('div', { role: 'tooltip', 'data-side': 'right', 'data-state': 'delayed-open', class: 'tooltip rounded-lg px-2 py-1 text-xs', text })));
      }, 700);
    });
    wrapper.addEventListener('pointerleave', hide);
    wrapper.addEventListener('pointerdown', hide, true);
    return wrapper;
  }

  let menu = null;

  function openMenu(trigger, focusFirst) {
    const menuId = 'radix-' + useId();
    // A Radix menu item selects on click, and on pointerup when the press
    // started elsewhere (a drag from the trigger).
    const item = (label, ic, onSelect, testid) => {
      let pressed = false;
      return h('div', {
        role: 'menuitem',
        tabindex: '-1',
        'data-orientation': 'vertical',
        'data-radix-collection-item': '',
        'data-testid': testid || null,
        class: 'group __menu-item gap-1.5 flex items-center rounded-lg px-3 py-2',
        onPointerDown() { pressed = true; },
        onPointerUp(e) { if (!pressed) e.currentTarget.click(); pressed = false; },
        onClick(e) { e.preventDefault(); onSelect(); },
        onKeyDown(e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(); } },
        onPointerMove(e) { e.currentTarget.focus({ preventScroll: true }); },
      }, h('div', { class: 'flex items-center justify-center icon' }, icon(ic)),
      h('div', { class: 'flex min-w-0 grow items-center gap-2.5' }, h('div', { class: 'truncate', text: label })));
    };

    const content = h('div', {
      role: 'menu',
      'aria-orientation': 'vertical',
      'data-state': 'open',
      'data-side': TOP_RIGHT ? 'bottom' : 'top',
      'data-align': TOP_RIGHT ? 'end' : 'start',
      'data-radix-menu-content': '',
      dir: 'ltr',
      id: menuId,
      'aria-labelledby': trigger.id,
      tabindex: '-1',
      'data-orientation': 'vertical',
      class: 'z-50 max-w-xs rounded-2xl popover bg-token-main-surface-primary shadow-long py-1.5 min-w-[max(var(--radix-dropdown-menu-trigger-width),min(125px,95vw))]',
      style: 'outline:none;pointer-events:auto',
      onKeyDown(e) {
        const items = [...content.querySelectorAll('[role=menuitem]')];
        const i = items.indexOf(document.activeElement);
        if (e.key === 'ArrowDown') { e.preventDefault(); items[(i + 1) % items.length].focus(); }
        if (e.key === 'ArrowUp') { e.preventDefault(); items[(i - 1 + items.length) % items.length].focus(); }
      },
    },
    h('div', { class: 'px-3 py-2 text-sm text-token-text-secondary truncate', text: session.user.email }),
    item('Upgrade plan', 'star', () => { closeMenu(); }),
    item('Personalization', 'user', () => { closeMenu(); goSettings('Personalization'); }),
    item('Settings', 'gear', () => { closeMenu(); goSettings('General'); }, 'settings-menu-item'),
    h('div', { role: 'separator', 'aria-orientation': 'horizontal', class: 'mx-3 my-1 h-px bg-token-border-default' }),
    item('Help', 'help', () => { closeMenu(); }),
    item('Log out', 'logout', () => { closeMenu(); logout(); }));

    let r = trigger.getBoundingClientRect();
    if (!r.width && !r.height) {
      // A hidden trigger (the collapsed rail's) still opens the menu; it
      // shows above the sidebar's bottom left.
      r = { left: 8, right: 268, top: window.innerHeight - 60, bottom: window.innerHeight - 8, width: 260 };
    }
    // Above the sidebar trigger, aligned left; below the top-right one,
    // aligned right.
    const place = TOP_RIGHT
      ? `right:${Math.round(window.innerWidth - r.right)}px;top:${Math.round(r.bottom + 4)}px`
      : `left:${Math.round(r.left)}px;bottom:${Math.round(window.innerHeight - r.top + 4)}px`;
    const wrapper = Sim.portal(h('div', {
      'data-radix-popper-content-wrapper': '',
      dir: 'ltr',
      style: `position:fixed;${place};min-width:max-content;z-index:50;pointer-events:auto;--radix-dropdown-menu-trigger-width:${Math.round(r.width)}px`,
    }, content));

    trigger.setAttribute('aria-expanded', 'true');
    trigger.setAttribute('data-state', 'open');
    trigger.setAttribute('aria-controls', menuId);
    const layer = Sim.pushLayer({
      el: content,
      modal: true,
      onEscape: closeMenu,
      // A pointerdown on the trigger itself is the trigger's to handle: it
      // toggles the menu closed.
      onOutside: (e) => { if (!trigger.contains(e.target)) closeMenu(); },
    });
    menu = { trigger, wrapper, layer };
    setTimeout(() => {
      if (focusFirst) content.querySelector('[role=menuitem]').focus();
      else content.focus({ preventScroll: true });
    }, 0);
  }

  function closeMenu() {
    if (!menu) return;
    const { trigger, wrapper, layer } = menu;
    menu = null;
    Sim.removeLayer(layer);
    wrapper.remove();
    trigger.setAttribute('aria-expanded', 'false');
    trigger.setAttribute('data-state', 'closed');
    trigger.removeAttribute('aria-controls');
  }

  async function logout() {
    try { await fetch('/api/auth/signout', { method: 'POST', credentials: 'same-origin' }); } catch (e) { /* go anyway */ }
    location.assign('/');
  }

  // ---------------------------------------------------------------- settings

  // The 2026 tab list. General, Notifications and Apps have no test id;
  // Apps' id ends -trigger-Connectors. slug is the path of the variant
  // settings-page (/settings/<slug>). Ads controls (no test id; its slug
  // is the simulator's own) is there for Free and Go only.
  const TABS = [
    { value: 'General', label: 'General', icon: 'gear', slug: 'general-settings' },
    { value: 'Notifications', label: 'Notifications', icon: 'bell', slug: 'notifications' },
    { value: 'Personalization', label: 'Personalization', testid: 'personalization-tab', icon: 'user', slug: 'personalization' },
    { value: 'Connectors', label: 'Apps', icon: 'plus', slug: 'apps' },
    { value: 'Schedules', label: 'Schedules', testid: 'schedules-tab', icon: 'dots', slug: 'schedules' },
    { value: 'DataControls', label: 'Data controls', testid: 'data-controls-tab', icon: 'data', slug: 'data-controls' },
    HAS_ADS ? { value: 'AdsControls', label: 'Ads controls', icon: 'star', slug: 'ads-controls' } : null,
    { value: 'Security', label: 'Security and login', testid: 'security-tab', icon: 'lock', slug: 'security' },
    { value: 'ParentalControls', label: 'Parental controls', testid: 'amphora-controls-tab', icon: 'user', slug: 'parental-controls' },
    { value: 'Account', label: 'Account', testid: 'account-tab', icon: 'user', slug: 'account' },
  ].filter(Boolean);
  // Older links used other names for some tabs.
  const TAB_ALIASES = { Apps: 'Connectors', Data: 'DataControls', Datacontrols: 'DataControls' };

  function tabFromHash() {
    const m = /^#settings(?:\/([A-Za-z]+))?$/.exec(location.hash);
    if (!m) return null;
    const v = TAB_ALIASES[m[1]] || m[1];
    return TABS.some((t) => t.value === v) ? v : 'General';
  }

  // settingsSection is the tab of a /settings/<slug> path, or null.
  function settingsSection() {
    const m = /^\/settings\/([a-z-]+)\/?$/.exec(location.pathname);
    if (!m) return null;
    const t = TABS.find((x) => x.slug === m[1]);
    return t ? t.value : 'General';
  }
  const settingsPath = (tab) => '/settings/' + TABS.find((t) => t.value === tab).slug;

  let settings = null;
  let settingsPage = null;

  function goSettings(tab) {
    if (SETTINGS_PAGE) { navigate(settingsPath(tab)); return; }
    location.hash = '#settings/' + tab; // hashchange opens it; open now anyway
    openSettings(tab);
  }

  function settingsTabs(tab, onChange) {
    return Sim.radixTabs(TABS, tab, renderPanel, onChange);
  }

  function openSettings(tab) {
    if (SETTINGS_PAGE) { navigate(settingsPath(tab), true); return; }
    if (settings) { settings.tabs.select(tab); return; }
    Sim.settingsOpened();
    const tabs = settingsTabs(tab, (v) => {
      if (location.hash !== '#settings/' + v) history.replaceState(history.state, '', '#settings/' + v);
    });
    const header = h('div', { class: 'flex items-center justify-between border-b px-4 py-3 settings-header' },
      h('div', { class: 'text-lg', 'aria-hidden': 'true', text: '' }),
      h('button', { type: 'button', 'data-testid': 'close-button', 'aria-label': 'Close', class: 'close-btn flex items-center justify-center rounded-full', onClick: () => dlg.close() }, icon('close')));
    const dlg = Sim.radixDialog({
      title: 'Settings',
      cls: 'settings-dialog md:h-[600px] md:max-w-[680px]',
      body: [
        header,
        h('div', { class: 'flex grow min-h-0 settings-body' },
          h('div', { class: 'settings-nav shrink-0 p-2' }, tabs.list),
          h('div', { class: 'settings-panels grow min-w-0 overflow-y-auto px-4' }, tabs.panels)),
      ],
      onClose() {
        settings = null;
        if (/^#settings/.test(location.hash)) history.replaceState(history.state, '', location.pathname + location.search);
      },
    });
    // Radix renders the title; the real modal shows it in its header.
    const title = dlg.el.querySelector('h2');
    header.prepend(title);
    settings = { dlg, tabs };
  }

  // Variant settings-page: the same tabs and panels in main, each tab at
  // its own path.
  function renderSettingsPage(tab) {
    if (settingsPage) { settingsPage.tabs.select(tab); return; }
    Sim.settingsOpened();
    const tabs = settingsTabs(tab, (v) => {
      const p = settingsPath(v);
      if (location.pathname !== p) history.pushState(null, '', p);
    });
    settingsPage = { tabs };
    mainEl.replaceChildren(header(),
      h('div', { class: 'settings-page flex min-h-0 grow flex-col gap-4 p-6' },
        h('h1', { class: 'text-2xl font-semibold', text: 'Settings' }),
        h('div', { class: 'flex min-h-0 grow gap-6' },
          h('div', { class: 'settings-nav shrink-0' }, tabs.list),
          h('div', { class: 'settings-panels grow min-w-0 overflow-y-auto' }, tabs.panels))));
  }

  window.addEventListener('hashchange', () => {
    if (!session) return;
    const tab = tabFromHash();
    if (tab) openSettings(tab);
    else if (settings) settings.dlg.close();
  });

  function row(label, control, extra) {
    return h('div', { class: 'settings-row flex items-center justify-between gap-4 border-b py-3 min-h-[60px]' },
      h('div', { class: 'flex min-w-0 flex-col' }, h('div', { class: 'text-sm', text: label }),
        extra ? h('div', { class: 'text-xs text-token-text-secondary', text: extra }) : null),
      control);
  }
  const smallBtn = (text, danger, attrs) => h('button', Object.assign({ type: 'button', class: 'btn relative btn-small ' + (danger ? 'btn-danger-outline' : 'btn-secondary') }, attrs || {}),
    h('div', { class: 'flex items-center justify-center', text }));
  // A button whose accessible name repeats the row's label after its own
  // text ("Archive all Archive all chats").
  const namedBtn = (text, label, dangerous, onClick) => h('button', { type: 'button', class: 'btn relative btn-small ' + (dangerous ? 'btn-danger-outline' : 'btn-secondary'), onClick },
    h('div', { class: 'flex items-center justify-center', text }), ' ', h('span', { class: 'sr-only', text: label }));
  const selectBtn = (text) => h('button', { type: 'button', role: 'combobox', 'aria-expanded': 'false', class: 'select-btn flex items-center gap-1 text-sm' },
    h('span', { text }), icon('chevron', 'icon-sm'));

  function renderPanel(value, panel) {
    const heading = h('h3', { class: 'panel-heading text-lg py-3 border-b', text: TABS.find((t) => t.value === value).label });
    switch (value) {
      case 'General':
        panel.replaceChildren(heading,
          row('Appearance', selectBtn('System')), row('Accent color', selectBtn('Default')),
          row('Language', selectBtn('Auto-detect')), row('Spoken language', selectBtn('Auto-detect')),
          row('Voice', selectBtn('Maple')));
        break;
      case 'Notifications':
        panel.replaceChildren(heading, row('Responses', selectBtn('Push')), row('Tasks', selectBtn('Push, Email')));
        break;
      case 'Personalization':
        personalization(panel, heading);
        break;
      case 'DataControls':
        dataControls(panel, heading);
        break;
      case 'AdsControls':
        adsControls(panel, heading);
        break;
      case 'Security':
        panel.replaceChildren(heading, row('Multi-factor authentication', Sim.switchEl({ 'aria-label': 'Authenticator app' })), row('Log out of this device', smallBtn('Log out')));
        break;
      case 'Account':
        panel.replaceChildren(heading, row('Name', h('div', { class: 'text-sm', text: session.user.name })), row('Email', h('div', { class: 'text-sm', text: session.user.email })),
          row('Delete account', smallBtn('Delete', true, { onClick: danger('POST', '/backend-api/accounts/deactivate') })));
        break;
      default:
        panel.replaceChildren(heading, h('div', { class: 'py-6 text-sm text-token-text-secondary', text: 'Nothing here yet.' }));
    }
  }

  // danger makes the handler of a button that destroys or archives data:
  // the request goes out at once, as a press (the simulator counts it;
  // a run must never make one).
  function danger(method, path, body) {
    return () => { api(method, path, body).catch(() => {}); };
  }

  // ------------------------------------------------------------ settings state

  // values holds what the page believes of the account's settings, by
  // backend key; a panel that shows some reads them all from the backend
  // every time it is shown.
  const values = {};
  // PARENT: a setting that depends on another shows off and disabled while
  // that one is off; switching the parent off switches it off too.
  const PARENT = { voice_training_allowed: 'training_allowed', video_training_allowed: 'training_allowed', moonshine: 'sunshine' };
  // A linked teen's training is the parent's to change.
  const TEEN_NOTE = 'Your parent or guardian manages model training for this account.';
  let improveValue = null; // the On/Off text of the row, while mounted

  async function loadSettings(panel, heading) {
    panel.replaceChildren(h('section', {}, heading, h('div', { class: 'settings-row skeleton animate-pulse h-12', 'aria-busy': 'true' })));
    try {
      Object.assign(values, (await api('GET', '/backend-api/settings/user')).settings);
    } catch (e) {
      panel.replaceChildren(heading, h('div', { class: 'py-6 text-sm text-token-text-error', text: "Couldn't load your settings." }));
      toast(e.status === 401 ? 'Your session has expired. Please log in again.' : 'Something went wrong. Please try again.', 'error');
      return false;
    }
    await jitter();
    return panel.isConnected;
  }

  const locked = (key) => (key === 'training_allowed' && !!boot.teen) || (!!PARENT[key] && !values[PARENT[key]]);
  const shown = (key) => !!values[key] && !(PARENT[key] && !values[PARENT[key]]);

  // The switches on the page, repainted whenever a setting changes.
  const live = new Set();
  // Options.LoadingSwitches: a switch renders disabled and off until its
  // value has loaded, like a skeleton; it reads nothing meanwhile.
  // Options.LazySwitches: the same, but enabled, as a page does that draws
  // its default before the settings request answers.
  const loadingUntil = new WeakMap();
  function paint(sw, key) {
    const loading = (loadingUntil.get(sw) || 0) > performance.now();
    Sim.setSwitch(sw, loading ? false : shown(key));
    if (loading && !boot.lazySwitches || locked(key)) {
      sw.disabled = true;
      sw.setAttribute('aria-disabled', 'true');
      sw.setAttribute('data-disabled', '');
    } else {
      sw.disabled = false;
      sw.removeAttribute('aria-disabled');
      sw.removeAttribute('data-disabled');
    }
  }
  function repaint() {
    for (const x of live) {
      if (x.sw.isConnected) x.mounted = true;
      else if (x.mounted) { live.delete(x); continue; }
      paint(x.sw, x.key);
    }
    updateImproveRow();
  }

  // A switch that PATCHes the backend and flips only after the answer plus
  // toggleDelay. A click while a save is pending is not ignored: it asks
  // for the opposite of the pending value, so a second click before the
  // switch flipped turns the setting back on (a 2026 extension's bug on the
  // real page). A disabled switch (a teen's training, a setting whose
  // parent is off) takes no click.
  function settingSwitch(key, attrs) {
    const sw = Sim.switchEl(attrs);
    if (boot.loadingSwitchMs > 0) {
      loadingUntil.set(sw, performance.now() + boot.loadingSwitchMs);
      setTimeout(repaint, boot.loadingSwitchMs + 1);
    }
    paint(sw, key);
    live.add({ sw, key, mounted: false });
    let pending = 0, asked = null;
    sw.addEventListener('click', async () => {
      if (sw.disabled) return;
      const next = pending > 0 ? !asked : !values[key];
      asked = next;
      pending++;
      try {
        await api('PATCH', '/backend-api/settings/account_user_setting?feature=' + key + '&value=' + next);
        await sleep(boot.toggleDelayMs);
        values[key] = next;
        if (!next) for (const [child, parent] of Object.entries(PARENT)) if (parent === key && child in values) values[child] = false;
        repaint();
      } catch (e) {
        toast(e.status === 401 ? 'Your session has expired. Please log in again.'
          : e.status === 403 ? TEEN_NOTE : 'Something went wrong. Please try again.', 'error');
      } finally {
        pending--;
      }
    });
    return sw;
  }

  // switchRow: a label, a description and a switch named by the label and
  // described by the description (no test ids).
  function switchRow(key, label, text) {
    const id = 'radix-' + useId();
    const sw = settingSwitch(key, { 'aria-labelledby': id + '-label', 'aria-describedby': id + '-description' });
    return h('div', { class: 'settings-row flex items-center justify-between gap-4 border-b py-3 min-h-[60px]' },
      h('div', { class: 'flex min-w-0 flex-col gap-0.5' },
        h('div', { id: id + '-label', class: 'text-sm', text: label }),
        h('div', { id: id + '-description', class: 'text-xs text-token-text-secondary', text })),
      sw);
  }

  // --------------------------------------------------------- data controls

  async function dataControls(panel, heading) {
    const asked = quirks(); // beside the settings, not after them
    if (!await loadSettings(panel, heading)) return;
    const delay = (await asked).dataControlsDelayMs;
    if (delay > 0) {
      // Options.DataControlsDelay: the rows come late, behind a spinner
      // that says nothing to assistive technology (an animate-spin icon).
      const spinner = h('div', { class: 'animate-spin', 'aria-hidden': 'true', text: '◌', style: 'display:inline-block;font-size:24px' });
      spinner.animate([{ transform: 'rotate(0deg)' }, { transform: 'rotate(360deg)' }], { duration: 1000, iterations: Infinity });
      panel.replaceChildren(h('section', {}, heading, h('div', { class: 'flex h-24 items-center justify-center' }, spinner)));
      await sleep(delay);
      if (!panel.isConnected || !spinner.isConnected) return;
    }

    // The row (2026): a button.w-full without a type. Its accessible name
    // reads "Improve the model for everyone On": the label, a space, the
    // value. The value and a chevron sit in
    // div > div.text-token-text-secondary.flex.min-h-[38px].items-center.ps-3;
    // the label lies elsewhere. (IMPROVE_LABEL under reworded-label.)
    improveValue = document.createTextNode(values.training_allowed ? 'On' : 'Off');
    // Account.TeenRow: a teen's row is shown disabled and opens nothing.
    const rowLocked = !!boot.teen && !!boot.teenRow;
    const improve = h('button', Object.assign({
      'data-testid': 'improve-model-open-modal-button',
      class: 'settings-row flex w-full items-center justify-between gap-4 border-b text-start',
      onClick: rowLocked ? () => {} : openImprove,
    }, rowLocked ? { disabled: '', 'aria-disabled': 'true', title: TEEN_NOTE } : {}),
    h('div', { class: 'flex min-w-0 flex-col py-3' }, h('div', { class: 'text-sm', text: IMPROVE_LABEL })), ' ',
    h('div', {}, h('div', { class: 'text-token-text-secondary flex min-h-[38px] items-center ps-3 gap-1 text-sm' }, improveValue, icon('chevron', 'icon-sm'))));

    const location_ = Sim.switchEl({ 'aria-label': 'Location' });
    Sim.setSwitch(location_, false);
    location_.addEventListener('click', () => Sim.setSwitch(location_, location_.getAttribute('aria-checked') !== 'true'));

    // #…-content-DataControls > section > div:nth-child(2) > div holds the
    // rows, in the 2026 order.
    panel.replaceChildren(h('section', {},
      heading,
      h('div', { class: 'flex flex-col' },
        h('div', {}, improve),
        row('Location', location_, 'Allow ChatGPT to use your device location for more relevant answers.'),
        row('Remote browser data', smallBtn('Delete', true, { onClick: danger('DELETE', '/backend-api/remote_browser/data') }), 'Delete cookies and other site data from the remote browser.'),
        row('Shared links', smallBtn('Manage', false, { 'aria-label': 'Manage Shared links' })),
        row('Archived chats', smallBtn('Manage', false, { 'aria-label': 'Manage Archived chats' })),
        row('Archive all chats', namedBtn('Archive all', 'Archive all chats', false, danger('PATCH', '/backend-api/conversations', { is_archived: true }))),
        row('Delete all chats', namedBtn('Delete all', 'Delete all chats', true, danger('PATCH', '/backend-api/conversations', { is_visible: false }))),
        row('Export data', namedBtn('Export', 'Export data')),
        row('Marketing privacy', smallBtn('Manage', false, { onClick: () => openMarketing(panel, heading) }), 'Choose how your information is used for marketing.'))));
  }

  function updateImproveRow() {
    if (improveValue && improveValue.isConnected) improveValue.textContent = values.training_allowed ? 'On' : 'Off';
  }

  // Marketing privacy (2026-04-30): two switches, marketing cookies and
  // sharing with marketing partners. Their labels are the simulator's own
  // wording (unconfirmed in the reference), and so is where they sit: a
  // Radix dialog over the settings, or (variant marketing-page) a sub-view
  // of the Data controls panel with a Back button.
  const MARKETING_TEXT = 'Choose whether OpenAI may use your information to advertise its products on other sites and apps.';
  function marketingRows() {
    return h('div', { class: 'flex flex-col' },
      switchRow('marketing_cookies_allowed', 'Marketing cookies', 'Let OpenAI use cookies to show you ads for its products on other sites.'),
      switchRow('marketing_partner_sharing_allowed', 'Share with marketing partners', "Share limited identifiers such as cookie IDs, device IDs and your email with marketing partners to advertise OpenAI's products."));
  }

  function openMarketing(panel, heading) {
    if (MARKETING_PAGE) {
      panel.replaceChildren(h('section', { class: 'marketing-privacy' },
        h('div', { class: 'flex items-center gap-2 border-b py-3' },
          h('button', { type: 'button', class: 'btn relative btn-secondary btn-small back-btn flex items-center gap-1', onClick: () => dataControls(panel, heading) },
            icon('chevron', 'icon-sm back-icon'), h('span', { text: 'Back' })),
          h('h3', { class: 'panel-heading text-lg', text: 'Marketing privacy' })),
        h('p', { class: 'py-3 text-sm text-token-text-secondary', text: MARKETING_TEXT }),
        marketingRows()));
      return;
    }
    const textId = 'radix-' + useId() + '-description';
    const dlg = Sim.radixDialog({
      title: 'Marketing privacy',
      cls: 'dialog-sm p-6 gap-3 marketing-dialog',
      body: [
        h('button', { type: 'button', 'data-testid': 'close-button', 'aria-label': 'Close', class: 'close-btn absolute end-3 top-3 flex h-8 w-8 items-center justify-center rounded-full', onClick: () => dlg.close() }, icon('close')),
        h('p', { id: textId, class: 'text-sm text-token-text-secondary', text: MARKETING_TEXT }),
        marketingRows(),
      ],
    });
    dlg.el.setAttribute('aria-describedby', textId);
  }

  // ---------------------------------------------------------- ads controls

  // Ads controls (Free and Go, 2026): "Personalize ads" and "Past chats
  // and memory" (bazaar_personalization_enabled, bazaar_history_enabled;
  // descriptions are the simulator's own), Ads history (Manage, does
  // nothing) and "Delete ads data" (a press is counted).
  async function adsControls(panel, heading) {
    if (!await loadSettings(panel, heading)) return;
    panel.replaceChildren(h('section', {},
      heading,
      h('div', { class: 'flex flex-col' },
        switchRow('bazaar_personalization_enabled', 'Personalize ads', 'Use what ChatGPT knows about you, like your interests, to choose the ads you see. When off, ads are based on the current chat only.'),
        switchRow('bazaar_history_enabled', 'Past chats and memory', 'Let ads personalization draw on your past chats and saved memories.'),
        row('Ads history', smallBtn('Manage', false, { 'aria-label': 'Manage Ads history' }), "See the ads you've seen and interacted with in ChatGPT."),
        row('Delete ads data', smallBtn('Delete', true, { onClick: danger('DELETE', '/backend-api/bazaar/ads_data') }), 'Delete your ads history and the interests used to personalize ads.'))));
  }

  // ------------------------------------------------------- personalization

  // Personalization: Custom instructions, then Memory with "Reference saved
  // memories" (sunshine) and "Reference chat history" (moonshine), which
  // shows off and disabled while the first is off.
  async function personalization(panel, heading) {
    if (!await loadSettings(panel, heading)) return;
    panel.replaceChildren(heading,
      row('Custom instructions', smallBtn('Edit')),
      h('section', { class: 'memory-section flex flex-col pt-4' },
        h('h4', { class: 'text-sm font-semibold py-2 border-b', text: 'Memory' }),
        switchRow('sunshine', 'Reference saved memories', 'Let ChatGPT save and use memories when responding.'),
        switchRow('moonshine', 'Reference chat history', 'Let ChatGPT reference all previous conversations when responding.')));
  }

  // The improve-model dialog (2026): the switch
  // button[data-testid="improve-model-toggle"][role=switch] with a span
  // thumb, at div.pb-8 > div > div.flex.items-center.gap-1 > button. No
  // Done button and no "Model improvement" title (no live evidence): the
  // title is the setting's label, which also names the switch. Escape and
  // a click outside close it. Variant improve-done adds a "Done" button
  // below, as 2025 how-to guides describe, which closes it too. A teen's
  // switch is read-only, with a note beside it; variant voice-rows adds
  // the audio and video rows below it.
  function openImprove() {
    // Variant improve-done-only: Done is the only way out.
    const doneOnly = Sim.variant('improve-done-only');
    const dlg = Sim.radixDialog({
      title: IMPROVE_LABEL,
      cls: 'dialog-sm p-6 gap-3',
      onClose: updateImproveRow,
      escape: !doneOnly,
      outside: !doneOnly,
      body: [],
    });
    const titleId = dlg.el.getAttribute('aria-labelledby');
    const noteId = boot.teen ? 'radix-' + useId() + '-note' : null;
    // Variant no-switch-testid: the same switch without its test id.
    // Variant unnamed-switch: the switch is named by nothing (no
    // aria-labelledby); only the dialog's title says what it is.
    const sw = settingSwitch('training_allowed',
      { 'data-testid': Sim.variant('no-switch-testid') ? null : 'improve-model-toggle', 'aria-labelledby': Sim.variant('unnamed-switch') ? null : titleId, 'aria-describedby': noteId });
    dlg.el.append(h('div', { class: 'pb-8' },
      h('div', { class: 'flex flex-col gap-3' },
        h('div', { class: 'flex items-center gap-1' }, sw),
        noteId ? h('div', { id: noteId, class: 'teen-note text-sm text-token-text-secondary', text: TEEN_NOTE }) : null,
        h('div', { class: 'text-sm text-token-text-secondary', text: 'Allow your content to be used to train our models, which makes ChatGPT better for you and everyone who uses it. We take steps to protect your privacy.' }))));
    if (VOICE_ROWS) {
      dlg.el.append(h('div', { class: 'voice-rows flex flex-col' },
        switchRow('voice_training_allowed', 'Include your audio recordings', 'Share audio recordings from Voice Mode to train our models. Transcripts are covered by the setting above.'),
        switchRow('video_training_allowed', 'Include your video recordings', 'Share video recordings from Voice Mode with camera or screen share to train our models.')));
    }
    if (Sim.variant('improve-done') || doneOnly) {
      dlg.el.append(h('div', { class: 'flex justify-end' },
        h('button', { type: 'button', class: 'btn relative btn-primary', onClick: () => dlg.close() },
          h('div', { class: 'flex items-center justify-center', text: 'Done' }))));
    }
  }

  // ------------------------------------------------------ account chooser

  // "Welcome back / Choose an account to continue" (2026-07): the session
  // is valid, but the page stays signed-out until the account row is
  // picked. The row is a [role=button] holding the email; the other
  // buttons are Close, Remove account, Log in to another account, Create
  // account.
  let chooserDlg = null;
  function openChooser() {
    if (chooserDlg && !chooserDlg.closed) return;
    const c = boot.chooser;
    const pick = async () => {
      try { await fetch('/api/auth/choose-account', { method: 'POST', credentials: 'same-origin' }); } catch (e) { /* reload anyway */ }
      location.reload();
    };
    const plain = (text, fn) => h('button', { type: 'button', class: 'btn relative btn-secondary btn-large w-full', onClick: fn },
      h('div', { class: 'flex items-center justify-center', text }));
    chooserDlg = Sim.radixDialog({
      title: 'Welcome back',
      cls: 'dialog-sm p-6 gap-4',
      body: [
        h('button', { type: 'button', 'aria-label': 'Close', class: 'close-btn absolute end-3 top-3', onClick: () => chooserDlg.close() }, icon('close')),
        h('p', { class: 'text-sm text-token-text-secondary', text: 'Choose an account to continue' }),
        // The row and, beside it, its "Remove account" menu: both are
        // [role=button] divs, so the row is the one holding the email.
        h('div', { class: 'flex items-center gap-2' },
          h('div', {
            role: 'button',
            tabindex: '0',
            class: 'account-row flex grow items-center gap-3 rounded-xl border p-3',
            onClick: pick,
            onKeyDown(e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } },
          },
          h('div', { class: 'flex shrink-0 items-center justify-center rounded-full avatar' }, icon('user')),
          h('div', { class: 'flex min-w-0 flex-col' },
            h('div', { class: 'truncate text-sm font-semibold', text: c.name }),
            h('div', { class: 'truncate text-xs text-token-text-secondary', text: c.email }))),
          h('div', {
            role: 'button',
            tabindex: '0',
            'aria-label': 'Remove account',
            class: 'flex h-9 w-9 shrink-0 items-center justify-center rounded-lg',
            async onClick() {
              try { await fetch('/api/auth/signout', { method: 'POST', credentials: 'same-origin' }); } catch (e) { /* go anyway */ }
              location.assign('/');
            },
          }, icon('dots'))),
        plain('Log in to another account', async () => {
          try { await fetch('/api/auth/signout', { method: 'POST', credentials: 'same-origin' }); } catch (e) { /* go anyway */ }
          location.assign('/api/auth/signin/openai?prompt=login');
        }),
        plain('Create account', () => location.assign('/api/auth/signin/openai?screen_hint=signup')),
      ],
    });
  }

  // "Your session has expired" / "Please log in again": shown on the
  // signed-out page that a lapsed session lands on.
  function sessionExpired() {
    const dlg = Sim.radixDialog({
      title: 'Your session has expired',
      cls: 'dialog-sm p-6 gap-4',
      outside: false,
      body: [
        h('p', { class: 'text-sm text-token-text-secondary', text: 'Please log in again' }),
        h('button', { type: 'button', class: 'btn relative btn-primary btn-large w-full', onClick: () => { dlg.close(); startLogin(); } },
          h('div', { class: 'flex items-center justify-center', text: 'Log in' })),
      ],
    });
  }

  // ------------------------------------------------------ post-login dialogs

  // Shown once after sign-in, in order; each blocks the page behind it with
  // a full-screen overlay until its button is used.
  function showOnboarding(name) {
    return new Promise((resolve) => {
      if (name === 'getting-started') {
        const item = (t, d) => h('div', { class: 'flex flex-col gap-1' }, h('div', { class: 'font-semibold text-sm', text: t }), h('div', { class: 'text-sm text-token-text-secondary', text: d }));
        const dlg = Sim.radixDialog({
          title: 'Tips for getting started',
          cls: 'dialog-sm p-6 gap-4',
          escape: false,
          outside: false,
          onClose: resolve,
          body: [
            item('Ask away', 'ChatGPT can answer questions, help you learn, write code, brainstorm together, and more.'),
            item("Don't share sensitive info", 'Chat history may be reviewed or used to improve our services. Learn more about your choices in our Help Center.'),
            item('Check your facts', "While we have safeguards, ChatGPT may give you inaccurate information. It's not intended to give advice."),
            h('button', { type: 'button', 'data-testid': 'getting-started-button', class: 'btn relative btn-primary btn-large w-full', onClick: () => dlg.close() },
              h('div', { class: 'flex items-center justify-center', text: "Okay, let's go" })),
          ],
        });
      } else if (name === 'all-set') {
        const dlg = Sim.radixDialog({
          label: "You're all set",
          cls: 'dialog-sm p-6 gap-4',
          outside: false,
          onClose: resolve,
          body: [
            h('div', { class: 'text-2xl font-semibold', 'aria-hidden': 'true', text: "You're all set" }),
            h('p', { class: 'text-sm text-token-text-secondary', text: 'Your account is ready. Ask anything to get started.' }),
            h('button', { type: 'button', class: 'btn relative btn-primary btn-large w-full', onClick: () => dlg.close() },
              h('div', { class: 'flex items-center justify-center', text: 'Continue' })),
          ],
        });
      } else if (name === 'rate-limit') {
        const dlg = Sim.radixDialog({
          title: 'Too many requests',
          cls: 'dialog-sm p-6 gap-4',
          outside: false,
          onClose: resolve,
          body: [
            h('p', { class: 'text-sm text-token-text-secondary', text: "You're making requests too quickly. We've temporarily limited access to protect our services. Please wait a moment and try again." }),
            h('button', { type: 'button', class: 'btn relative btn-primary btn-large w-full', onClick: () => dlg.close() },
              h('div', { class: 'flex items-center justify-center', text: 'Got it' })),
          ],
        });
      } else if (name === 'tour') {
        tour(resolve);
      } else {
        resolve();
      }
    });
  }

  function tour(done) {
    const steps = [
      ['Ask anything', 'Type a question or a task here to get started.'],
      ['Search the web', 'Get fast, timely answers with links to relevant sources.'],
      ['Your chats', 'Find your past conversations in the sidebar.'],
    ];
    let i = 0;
    const title = h('div', { class: 'font-semibold', text: '' });
    const text = h('div', { class: 'text-sm', text: '' });
    const counter = h('div', { class: 'text-xs text-token-text-tertiary', text: '' });
    const nextLabel = h('div', { class: 'flex items-center justify-center', text: 'Next' });
    const pop = h('div', {
      role: 'dialog',
      'aria-label': 'Ask anything',
      'data-state': 'open',
      class: 'tour-popover popover fixed z-50 flex flex-col gap-2 rounded-2xl p-4 shadow-xl',
      style: 'pointer-events:auto;left:50%;top:62%;transform:translateX(-50%);width:320px',
    }, title, text, h('div', { class: 'flex items-center justify-between gap-2' }, counter,
      h('div', { class: 'flex gap-2' },
        h('button', { type: 'button', class: 'btn relative btn-secondary btn-small', onClick: finish }, h('div', { class: 'flex items-center justify-center', text: 'Skip Tour' })),
        h('button', { type: 'button', class: 'btn relative btn-primary btn-small', onClick: next }, nextLabel))));
    const overlay = h('div', { class: 'fixed inset-0 z-50 bg-black/20 tour-overlay', style: 'pointer-events:auto' });
    const rootEl = Sim.portal(h('div', { 'data-radix-portal': '' }, overlay, pop));
    const layer = Sim.pushLayer({ el: pop, modal: true });
    function show() {
      title.textContent = steps[i][0];
      text.textContent = steps[i][1];
      counter.textContent = (i + 1) + ' of ' + steps.length;
      nextLabel.textContent = i === steps.length - 1 ? 'Done' : 'Next';
      pop.setAttribute('aria-label', steps[i][0]);
    }
    function next() { if (++i >= steps.length) finish(); else show(); }
    function finish() { Sim.removeLayer(layer); rootEl.remove(); done(); }
    show();
  }

  // -------------------------------------------------------------------- boot

  async function main() {
    if (boot.consentBanner) Sim.consentBanner();
    if (boot.authStatus === 'logged_in') {
      try { session = await Sim.loadSession(); } catch (e) { session = null; }
      if (!session || !session.accessToken) session = null;
    }
    if (!session && boot.page === 'home') quirks(); // asked while the page loads
    await jitter();
    if (!session) {
      if (boot.page === 'home') {
        const q = await quirks();
        // Options.FirstPaint: nothing at all until the script is there.
        if (q.firstPaintMs > 0) await sleep(q.firstPaintMs);
        renderPlaceholder();
        await sleep(q.placeholderMs > 0 ? q.placeholderMs : 500 + Math.floor(Math.random() * 500));
      }
      renderLanding();
      if (boot.chooser) openChooser();
      else if (boot.sessionExpired) sessionExpired();
      if (boot.page === 'home') showOneTap(await quirks());
      return;
    }
    renderApp();
    let tab = tabFromHash();
    if (SETTINGS_PAGE && tab) {
      // #settings/<Tab> redirects to the Settings page.
      history.replaceState(null, '', settingsPath(tab));
      tab = null;
    }
    route();
    Sim.busy();
    await Sim.afterSignIn(tab, openSettings, showOnboarding);
  }

  main();
})();
