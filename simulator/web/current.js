// current.js: chatgpt.com as of 2024-2026 ("Improve the model for everyone").
//
// Signed out: a landing page with Log in / Sign up. Signed in: the chat shell
// with a sidebar, the profile menu (Radix dropdown, opens on pointerdown),
// the Settings dialog (deep-linkable as #settings/<Tab>), and in Data
// controls the row that opens the "Model improvement" dialog with the switch.
'use strict';

(function () {
  const { boot, h, icon, useId, sleep, jitter, api, toast } = Sim;

  // Variant reworded-label: the same setting under another name, one that
  // does not contain the old one.
  const IMPROVE_LABEL = Sim.variant('reworded-label') ? 'Use my chats for model training' : 'Improve the model for everyone';
  // Variant profile-top-right: the mid-2024 to 2025 layout, with the profile
  // trigger at the top right of the chat header instead of the sidebar.
  const TOP_RIGHT = Sim.variant('profile-top-right');

  const root = h('div', { class: 'relative flex h-full w-full overflow-hidden' });
  document.body.prepend(root);

  // ---------------------------------------------------------------- landing

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
  }

  function renderLanding() {
    const composer = h('form', { class: 'composer w-full max-w-2xl rounded-3xl border p-3' },
      h('div', { id: 'prompt-textarea', contenteditable: 'true', role: 'textbox', 'aria-label': 'Ask anything', class: 'ProseMirror min-h-6 outline-none', 'data-placeholder': 'Ask anything' }));
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
          composer,
          h('p', { class: 'text-xs text-token-text-secondary', text: 'By messaging ChatGPT, you agree to our Terms and have read our Privacy Policy.' })));
    root.replaceChildren(page);
  }

  // ------------------------------------------------------------- chat shell

  let session = null;

  function renderApp() {
    const name = session.user.name || session.user.email;
    const chatList = h('div', { class: 'flex flex-col gap-0.5 overflow-y-auto grow', 'aria-busy': 'true' },
      h('h2', { class: 'px-2 py-1 text-xs text-token-text-tertiary', text: 'Chats' }));
    const nav = h('nav', { class: 'flex h-full w-full flex-col px-2', 'aria-label': 'Chat history' },
      h('div', { class: 'flex flex-col gap-0.5 py-2' },
        h('a', { href: '/', 'data-testid': 'create-new-chat-button', class: 'group __menu-item hoverable flex items-center gap-2 rounded-lg px-2 py-2' }, icon('plus'), h('div', { class: 'truncate', text: 'New chat' }))),
      chatList,
      TOP_RIGHT ? null : h('div', { class: 'sticky bottom-0 border-t py-2' }, profileTrigger(name)));
    const sidebar = h('div', { class: 'sidebar relative h-full shrink-0 overflow-hidden bg-token-sidebar-surface-primary', style: 'width:260px' }, nav);
    const main = h('main', { class: 'relative flex h-full w-full min-w-0 flex-1 flex-col' },
      h('div', { class: 'page-header flex items-center justify-between p-3' }, h('div', { class: 'text-lg font-semibold', text: 'ChatGPT' }),
        TOP_RIGHT ? h('div', { class: 'flex items-center gap-2 pe-1' }, profileButton()) : null),
      h('div', { class: 'flex grow flex-col items-center justify-center gap-6 px-4' },
        h('h1', { class: 'text-2xl font-semibold', text: 'What can I help with?' }),
        h('form', { class: 'composer w-full max-w-2xl rounded-3xl border p-3' },
          h('div', { id: 'prompt-textarea', contenteditable: 'true', role: 'textbox', 'aria-label': 'Ask anything', class: 'ProseMirror min-h-6 outline-none', 'data-placeholder': 'Ask anything' })),
        // The composer's suggestions rotate: the DOM is never still.
        Sim.rotating('composer-suggestion text-sm text-token-text-secondary')));
    root.replaceChildren(sidebar, main);

    api('GET', '/backend-api/conversations?offset=0&limit=28&order=updated').then(async (r) => {
      await jitter();
      for (const c of r.items) {
        chatList.append(h('a', { href: '/c/' + c.id, class: 'group __menu-item hoverable flex items-center rounded-lg px-2 py-2', draggable: 'true' },
          h('div', { class: 'truncate', text: c.title })));
      }
      chatList.removeAttribute('aria-busy');
    }, () => chatList.removeAttribute('aria-busy'));
  }

  // ------------------------------------------------------------ profile menu

  // The trigger is a Radix DropdownMenu.Trigger: it opens on pointerdown
  // with the left button (and on Enter/Space/ArrowDown), never on click.
  function menuTrigger(tag, attrs, ...children) {
    const t = h(tag, Object.assign({
      id: 'radix-' + useId(),
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      'data-state': 'closed',
      onPointerDown(e) {
        if (e.button !== 0 || e.ctrlKey) return;
        e.preventDefault();
        if (menu) closeMenu(); else openMenu(t);
      },
      onKeyDown(e) {
        if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown') {
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

  function profileTrigger(name) {
    return menuTrigger('div', {
      role: 'button',
      tabindex: '0',
      'data-testid': 'accounts-profile-button',
      'aria-label': 'Open profile menu',
      class: 'group __menu-item hoverable gap-2 flex items-center rounded-lg px-2 py-2',
    },
    h('div', { class: 'flex min-w-0 grow items-center gap-2.5' },
      h('div', { class: 'flex shrink-0 items-center justify-center rounded-full avatar' }, icon('user')),
      h('div', { class: 'min-w-0 grow' },
        h('div', { class: 'flex min-w-0 items-center gap-2' }, h('div', { class: 'truncate', text: name })),
        h('div', { class: 'truncate text-xs text-token-text-tertiary', text: 'Free' }))));
  }

  let menu = null;

  function openMenu(trigger, focusFirst) {
    const menuId = 'radix-' + useId();
    const item = (label, ic, onSelect, testid) => h('div', {
      role: 'menuitem',
      tabindex: '-1',
      'data-orientation': 'vertical',
      'data-radix-collection-item': '',
      'data-testid': testid || null,
      class: 'group __menu-item gap-1.5 flex items-center rounded-lg px-3 py-2',
      onClick(e) { e.preventDefault(); onSelect(); },
      onKeyDown(e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(); } },
      onPointerMove(e) { e.currentTarget.focus({ preventScroll: true }); },
    }, h('div', { class: 'flex items-center justify-center icon' }, icon(ic)),
    h('div', { class: 'flex min-w-0 grow items-center gap-2.5' }, h('div', { class: 'truncate', text: label })));

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

    const r = trigger.getBoundingClientRect();
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
    const layer = Sim.pushLayer({ el: content, modal: true, onEscape: closeMenu, onOutside: closeMenu });
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

  const TABS = [
    { value: 'General', label: 'General', testid: 'general-tab', icon: 'gear' },
    { value: 'Notifications', label: 'Notifications', testid: 'notifications-tab', icon: 'bell' },
    { value: 'Personalization', label: 'Personalization', testid: 'personalization-tab', icon: 'user' },
    { value: 'Connectors', label: 'Apps', testid: 'apps-tab', icon: 'plus' },
    { value: 'Schedules', label: 'Schedules', testid: 'schedules-tab', icon: 'dots' },
    { value: 'DataControls', label: 'Data controls', testid: 'data-controls-tab', icon: 'data' },
    { value: 'Security', label: 'Security', testid: 'security-tab', icon: 'lock' },
    { value: 'ParentalControls', label: 'Parental controls', testid: 'parental-controls-tab', icon: 'user' },
    { value: 'Account', label: 'Account', testid: 'account-tab', icon: 'user' },
  ];
  // Older links used other names for some tabs.
  const TAB_ALIASES = { Apps: 'Connectors', Data: 'DataControls', Datacontrols: 'DataControls' };

  function tabFromHash() {
    const m = /^#settings(?:\/([A-Za-z]+))?$/.exec(location.hash);
    if (!m) return null;
    const v = TAB_ALIASES[m[1]] || m[1];
    return TABS.some((t) => t.value === v) ? v : 'General';
  }

  let settings = null;

  function goSettings(tab) {
    location.hash = '#settings/' + tab; // hashchange opens it; open now anyway
    openSettings(tab);
  }

  function openSettings(tab) {
    if (settings) { settings.tabs.select(tab); return; }
    const tabs = Sim.radixTabs(TABS, tab, renderPanel, (v) => {
      if (location.hash !== '#settings/' + v) history.replaceState(history.state, '', '#settings/' + v);
    });
    const header = h('div', { class: 'flex items-center justify-between border-b px-4 py-3 settings-header' },
      h('div', { class: 'text-lg', 'aria-hidden': 'true', text: '' }),
      h('button', { type: 'button', 'data-testid': 'close-button', 'aria-label': 'Close', class: 'close-btn flex items-center justify-center rounded-full', onClick: () => dlg.close() }, icon('close')));
    const dlg = Sim.radixDialog({
      title: 'Settings',
      cls: 'settings-dialog',
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
  const smallBtn = (text, danger) => h('button', { type: 'button', class: 'btn relative btn-small ' + (danger ? 'btn-danger-outline' : 'btn-secondary') },
    h('div', { class: 'flex items-center justify-center', text }));
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
        panel.replaceChildren(heading, row('Custom instructions', smallBtn('Edit')), row('Memory', Sim.switchEl({ 'aria-label': 'Reference saved memories' })));
        break;
      case 'DataControls':
        dataControls(panel, heading);
        break;
      case 'Security':
        panel.replaceChildren(heading, row('Multi-factor authentication', Sim.switchEl({ 'aria-label': 'Authenticator app' })), row('Log out of this device', smallBtn('Log out')));
        break;
      case 'Account':
        panel.replaceChildren(heading, row('Name', h('div', { class: 'text-sm', text: session.user.name })), row('Email', h('div', { class: 'text-sm', text: session.user.email })), row('Delete account', smallBtn('Delete', true)));
        break;
      default:
        panel.replaceChildren(heading, h('div', { class: 'py-6 text-sm text-token-text-secondary', text: 'Nothing here yet.' }));
    }
  }

  // --------------------------------------------------------- data controls

  // state.training is what the page believes; it is read from the backend
  // every time Data controls is shown.
  const state = { training: null, voice: false, video: false };
  let improveValue = null; // the On/Off label of the row, while mounted

  async function dataControls(panel, heading) {
    panel.replaceChildren(heading, h('div', { class: 'settings-row skeleton animate-pulse h-12', 'aria-busy': 'true' }));
    let s;
    try {
      s = (await api('GET', '/backend-api/settings/user')).settings;
    } catch (e) {
      panel.replaceChildren(heading, h('div', { class: 'py-6 text-sm text-token-text-error', text: "Couldn't load your settings." }));
      toast(e.status === 401 ? 'Your session has expired. Please log in again.' : 'Something went wrong. Please try again.', 'error');
      return;
    }
    state.training = !!s.training_allowed;
    state.voice = !!s.voice_training_allowed;
    state.video = !!s.video_training_allowed;
    await jitter();
    if (!panel.isConnected) return;

    improveValue = h('span', { text: state.training ? 'On' : 'Off' });
    // The accessible name reads "Improve the model for everyone On": the
    // label div, a space, then the value. (IMPROVE_LABEL under the variant
    // reworded-label.)
    const improve = h('button', {
      type: 'button',
      'data-testid': 'improve-model-open-modal-button',
      class: 'settings-row flex w-full items-center justify-between gap-4 border-b py-3 text-start',
      onClick: openImprove,
    },
    h('div', { class: 'ps-3 text-sm', text: IMPROVE_LABEL }), ' ',
    h('div', { class: 'flex items-center gap-1 text-sm text-token-text-secondary' }, improveValue, icon('chevron', 'icon-sm')));

    const location_ = Sim.switchEl({ 'aria-label': 'Location' });
    Sim.setSwitch(location_, false);
    location_.addEventListener('click', () => Sim.setSwitch(location_, location_.getAttribute('aria-checked') !== 'true'));

    panel.replaceChildren(heading,
      improve,
      row('Location', location_, 'Allow ChatGPT to use your device location for more relevant answers.'),
      row('Remote browser data', smallBtn('Delete', true), 'Delete cookies and other site data from the remote browser.'),
      row('Shared links', smallBtn('Manage')),
      row('Archived chats', smallBtn('Manage')),
      row('Archive all chats', smallBtn('Archive all')),
      row('Delete all chats', smallBtn('Delete all', true)),
      row('Export data', smallBtn('Export')));
  }

  function updateImproveRow() {
    if (improveValue && improveValue.isConnected) improveValue.textContent = state.training ? 'On' : 'Off';
  }

  // A switch that PATCHes the backend and flips only after the answer plus
  // toggleDelay. Clicks while a request is pending are ignored, as the real
  // page ignores them while its mutation is in flight.
  function backendSwitch(attrs, get, set, feature, label) {
    const sw = Sim.switchEl(attrs);
    Sim.setSwitch(sw, get());
    let pending = false;
    sw.addEventListener('click', async () => {
      if (pending) return;
      pending = true;
      const next = !get();
      try {
        await api('PATCH', '/backend-api/settings/account_user_setting?feature=' + feature + '&value=' + next);
        await sleep(boot.toggleDelayMs);
        set(next);
        if (sw.isConnected) Sim.setSwitch(sw, next);
      } catch (e) {
        toast(e.status === 401 ? 'Your session has expired. Please log in again.' : 'Something went wrong. Please try again.', 'error');
      } finally {
        pending = false;
      }
    });
    return h('div', { class: 'flex items-center justify-between gap-4 py-2' },
      h('div', { id: attrs['aria-labelledby'] || null, class: 'text-sm', text: label }), sw);
  }

  function openImprove() {
    const labelId = 'radix-' + useId();
    // Variant no-switch-testid: the same switch without its test id.
    const main = backendSwitch(
      { 'data-testid': Sim.variant('no-switch-testid') ? null : 'improve-model-toggle', 'aria-labelledby': labelId },
      () => state.training, (v) => { state.training = v; updateImproveRow(); },
      'training_allowed', IMPROVE_LABEL);
    const voice = backendSwitch({ 'aria-label': 'Include your audio recordings' }, () => state.voice, (v) => { state.voice = v; },
      'voice_training_allowed', 'Include your audio recordings');
    const video = backendSwitch({ 'aria-label': 'Include your video recordings' }, () => state.video, (v) => { state.video = v; },
      'video_training_allowed', 'Include your video recordings');
    const dlg = Sim.radixDialog({
      title: 'Model improvement',
      cls: 'dialog-sm p-6 gap-3',
      body: [
        main,
        h('div', { class: 'text-sm text-token-text-secondary', text: 'Allow your content to be used to train our models, which makes ChatGPT better for you and everyone who uses it. We take steps to protect your privacy.' }),
        voice, video,
        h('div', { class: 'flex justify-end pt-2' },
          h('button', { type: 'button', class: 'btn relative btn-primary', onClick: () => dlg.close() },
            h('div', { class: 'flex items-center justify-center', text: 'Done' }))),
      ],
      onClose: updateImproveRow,
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
    if (boot.authStatus === 'logged_in') {
      try { session = await Sim.loadSession(); } catch (e) { session = null; }
      if (!session || !session.accessToken) session = null;
    }
    await jitter();
    if (!session) { renderLanding(); return; }
    renderApp();
    Sim.busy();
    await Sim.afterSignIn(tabFromHash(), openSettings, showOnboarding);
  }

  main();
})();
