// legacy2023.js: chat.openai.com as of 2023 ("Chat history & training").
//
// Signed out: /auth/login with Log in / Sign up. Signed in: the dark sidebar
// nav[aria-label="Chat history"] with a Headless UI menu at its bottom
// (opens on click), a Radix Settings dialog with General / Beta features /
// Data controls, and in Data controls the switch "Chat history & training".
//
// The real setting lived in localStorage only; the simulator keeps it per
// account on the server (see the package comment) and mirrors it into
// localStorage["oai/apps/historyDisabled"] as the real page did.
'use strict';

(function () {
  const { boot, h, icon, useId, sleep, jitter, api, toast } = Sim;
  const HISTORY_KEY = 'oai/apps/historyDisabled';
  // Variant reworded-label: the same setting under another name.
  // Variant data-controls-in-general (April 2023): Data Controls is a
  // section of General behind "Show", and the label is in Title Case.
  const IN_GENERAL = Sim.variant('data-controls-in-general');
  const HISTORY_LABEL = Sim.variant('reworded-label') ? 'Save chat history' : IN_GENERAL ? 'Chat History & Training' : 'Chat history & training';

  const root = h('div', { class: 'relative flex h-full w-full overflow-hidden' });
  document.body.prepend(root);

  // ------------------------------------------------------------- login page

  function renderLogin() {
    root.replaceChildren(h('div', { class: 'flex h-full w-full flex-col items-center justify-center bg-gray-50' },
      h('div', { class: 'flex w-96 flex-col items-center justify-center gap-2' },
        h('div', { class: 'mb-5 text-2xl font-semibold', text: 'ChatGPT' }),
        h('div', { class: 'mb-2 text-center', text: 'Welcome to ChatGPT' }),
        h('div', { class: 'mb-4 text-center text-sm', text: 'Log in with your OpenAI account to continue' }),
        h('div', { class: 'flex flex-row gap-3' },
          h('button', { class: 'btn relative btn-primary', as: 'button', 'data-testid': 'login-button', onClick: () => location.assign('/api/auth/signin/auth0?prompt=login') },
            h('div', { class: 'flex w-full items-center justify-center gap-2', text: 'Log in' })),
          h('button', { class: 'btn relative btn-primary', as: 'button', 'data-testid': 'signup-button', onClick: () => location.assign('/api/auth/signin/auth0?screen_hint=signup') },
            h('div', { class: 'flex w-full items-center justify-center gap-2', text: 'Sign up' }))))));
  }

  // ------------------------------------------------------------- chat shell

  let session = null;
  let historyDisabled = !!boot.historyDisabled;
  let chatArea = null;

  function mirrorLocalStorage() {
    // The real page stored the JSON string "true" (with the quotes).
    localStorage.setItem(HISTORY_KEY, JSON.stringify(historyDisabled ? 'true' : 'false'));
  }

  function renderApp() {
    chatArea = h('div', { class: 'flex-col flex-1 overflow-y-auto border-b border-white/20' });
    const nav = h('nav', { class: 'flex h-full w-full flex-col p-2', 'aria-label': 'Chat history' },
      h('div', { class: 'mb-1 flex flex-row gap-2' },
        h('a', { class: 'flex flex-grow items-center gap-3 rounded-md border border-white/20 px-3 py-3 text-sm text-white', href: '/' }, icon('plus'), 'New chat')),
      chatArea,
      userMenu());
    const sidebar = h('div', { class: 'dark flex-shrink-0 overflow-x-hidden bg-gray-900 sidebar-2023', style: 'width:260px' },
      h('div', { class: 'h-full w-[260px]' }, h('div', { class: 'flex h-full min-h-0 flex-col' }, nav)));
    const main = h('main', { class: 'relative h-full w-full flex-1 overflow-auto transition-width' },
      h('div', { class: 'flex h-full flex-col items-center justify-center gap-6 px-4' },
        h('h1', { class: 'text-4xl font-semibold text-center text-gray-200', text: 'ChatGPT' }),
        h('form', { class: 'stretch w-full max-w-2xl' },
          h('div', { class: 'relative flex w-full flex-grow flex-col rounded-xl border py-3 px-4' },
            h('textarea', { id: 'prompt-textarea', tabindex: '0', rows: '1', placeholder: 'Send a message', class: 'm-0 w-full resize-none border-0 bg-transparent p-0 outline-none' }))),
        Sim.rotating('composer-suggestion text-sm text-gray-500')));
    root.replaceChildren(sidebar, main);
    renderChatArea();
  }

  async function renderChatArea() {
    if (historyDisabled) {
      chatArea.replaceChildren(h('div', { class: 'flex h-full w-full flex-col items-center justify-center gap-3 px-3 text-center text-sm text-gray-100 history-off' },
        h('div', { class: 'font-semibold', text: 'Chat History is off for this browser.' }),
        h('div', { class: 'text-xs' },
          "When history is turned off, new chats on this browser won't appear in your history on any of your devices, be used to train our models, or stored for longer than 30 days. ",
          h('strong', { text: 'This setting does not sync across browsers or devices.' }), ' ',
          h('a', { href: 'https://help.openai.com/en/articles/7730893', target: '_blank', rel: 'noreferrer', class: 'underline', text: 'Learn more' })),
        enableHistoryButton()));
      return;
    }
    chatArea.replaceChildren(h('div', { class: 'flex flex-col gap-2 pb-2 text-sm text-gray-100', 'aria-busy': 'true' }));
    try {
      const r = await api('GET', '/backend-api/conversations?offset=0&limit=28&order=updated');
      await jitter();
      if (historyDisabled) return;
      chatArea.replaceChildren(h('div', { class: 'flex flex-col gap-2 pb-2 text-sm text-gray-100' },
        h('h3', { class: 'h-9 pb-2 pt-3 px-3 text-xs text-gray-500', text: 'Previous 7 Days' }),
        h('ol', {}, r.items.map((c) => h('li', { class: 'relative' },
          h('a', { href: '/c/' + c.id, class: 'flex items-center gap-3 rounded-md p-3 hover:bg-[#2A2B32]' },
            h('div', { class: 'relative max-h-5 flex-1 overflow-hidden text-ellipsis break-all', text: c.title })))))));
    } catch (e) {
      chatArea.replaceChildren();
    }
  }

  function enableHistoryButton() {
    let pending = false;
    return h('button', {
      class: 'btn relative btn-primary',
      onClick: async () => {
        if (pending) return;
        pending = true;
        try {
          await api('PATCH', '/backend-api/settings/account_user_setting?feature=history_disabled&value=false');
          await sleep(boot.toggleDelayMs);
          setHistoryDisabled(false);
        } catch (e) {
          toast(e.status === 401 ? 'Your session has expired. Please log in again.' : 'Something went wrong. Please try again.', 'error');
        } finally {
          pending = false;
        }
      },
    }, h('div', { class: 'flex w-full items-center justify-center gap-2', text: 'Enable chat history' }));
  }

  function setHistoryDisabled(v) {
    const changed = v !== historyDisabled;
    historyDisabled = v;
    mirrorLocalStorage();
    if (changed && chatArea) renderChatArea();
    if (historySwitch && historySwitch.isConnected) Sim.setSwitch(historySwitch, !v);
  }

  // -------------------------------------------------------------- user menu

  // Headless UI Menu: the button toggles on click; the items are rendered
  // in place (no portal) above the button.
  function userMenu() {
    const btnId = 'headlessui-menu-button-' + useId();
    let items = null;
    const wrap = h('div', { class: 'group relative', 'data-headlessui-state': '' });
    const button = h('button', {
      class: 'flex w-full items-center gap-2.5 rounded-md px-3 py-3 text-sm transition-colors duration-200 hover:bg-gray-800 text-white',
      id: btnId,
      type: 'button',
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      'data-headlessui-state': '',
      onClick: () => (items ? close() : open()),
    },
    h('div', { class: 'flex-shrink-0' }, h('div', { class: 'relative flex rounded-sm avatar' }, icon('user'))),
    h('div', { class: 'grow overflow-hidden text-ellipsis whitespace-nowrap text-left text-white' },
      h('div', { class: 'font-semibold', text: session.user.name || session.user.email })),
    icon('dots', 'h-4 w-4 flex-shrink-0 text-gray-500'));
    wrap.append(button);

    let layer = null;
    function open() {
      const item = (label, ic, fn) => h('a', {
        as: 'a',
        href: '#',
        class: 'flex px-3 min-h-[44px] py-1 items-center gap-3 transition-colors duration-200 text-white cursor-pointer text-sm hover:bg-gray-800',
        id: 'headlessui-menu-item-' + useId(),
        role: 'menuitem',
        tabindex: '-1',
        'data-headlessui-state': '',
        onClick(e) { e.preventDefault(); close(); fn(); },
        onMouseEnter(e) { e.currentTarget.setAttribute('data-headlessui-state', 'active'); },
        onMouseLeave(e) { e.currentTarget.setAttribute('data-headlessui-state', ''); },
      }, icon(ic), label);
      items = h('div', {
        class: 'absolute bottom-full left-0 z-20 mb-1 w-full overflow-hidden rounded-md bg-gray-950 pb-1.5 pt-1 outline-none',
        'aria-labelledby': btnId,
        id: 'headlessui-menu-items-' + useId(),
        role: 'menu',
        tabindex: '0',
        'data-headlessui-state': 'open',
      },
      item('My plan', 'star', () => {}),
      item('Custom instructions', 'user', () => {}),
      item('Settings', 'gear', () => openSettings('General')),
      h('div', { role: 'none', class: 'my-1.5 h-px bg-white/20' }),
      item('Log out', 'logout', logout));
      wrap.append(items);
      button.setAttribute('aria-expanded', 'true');
      button.setAttribute('aria-controls', items.id);
      button.setAttribute('data-headlessui-state', 'open');
      wrap.setAttribute('data-headlessui-state', 'open');
      layer = Sim.pushLayer({ el: wrap, modal: false, onEscape: close, onOutside: close });
      setTimeout(() => items && items.focus({ preventScroll: true }), 0);
    }
    function close() {
      if (!items) return;
      items.remove();
      items = null;
      Sim.removeLayer(layer);
      button.setAttribute('aria-expanded', 'false');
      button.removeAttribute('aria-controls');
      button.setAttribute('data-headlessui-state', '');
      wrap.setAttribute('data-headlessui-state', '');
    }
    return h('div', { class: 'border-t border-white/20 pt-2 empty:hidden' }, wrap);
  }

  async function logout() {
    try { await fetch('/api/auth/signout', { method: 'POST', credentials: 'same-origin' }); } catch (e) { /* go anyway */ }
    location.assign('/auth/login');
  }

  // ---------------------------------------------------------------- settings

  const TABS = [
    { value: 'General', label: 'General', icon: 'gear' },
    { value: 'BetaFeatures', label: 'Beta features', icon: 'star' },
    { value: 'DataControls', label: 'Data controls', icon: 'data' },
  ].filter((t) => !IN_GENERAL || t.value !== 'DataControls');

  // 2023 had no deep link: #settings/... does nothing, on load or on
  // hashchange (the earliest evidence of #settings/DataControls is from
  // February 2024). Settings open from the menu only.

  let settings = null;
  let historySwitch = null;

  function openSettings(tab) {
    if (settings) { settings.tabs.select(tab); return; }
    Sim.settingsOpened();
    const tabs = Sim.radixTabs(TABS, tab, renderPanel);
    const dlg = Sim.radixDialog({
      title: 'Settings',
      cls: 'settings-dialog settings-2023',
      body: [
        h('button', { type: 'button', class: 'close-btn absolute end-4 top-4 inline-block text-gray-500', tabindex: '0', onClick: () => dlg.close() },
          icon('close'), h('span', { class: 'sr-only', text: 'Close' })),
        h('div', { class: 'flex grow min-h-0 flex-row p-4 gap-4 settings-body' },
          h('div', { class: 'settings-nav shrink-0' }, tabs.list),
          h('div', { class: 'settings-panels grow min-w-0 overflow-y-auto' }, tabs.panels)),
      ],
      onClose() {
        settings = null;
        historySwitch = null;
      },
    });
    settings = { dlg, tabs };
  }

  function row(label, control) {
    return h('div', { class: 'border-b pb-3 last-of-type:border-b-0 flex items-center justify-between settings-row' }, h('div', { text: label }), control);
  }
  const btn = (text, cls) => h('button', { class: 'btn relative ' + (cls || 'btn-neutral') }, h('div', { class: 'flex w-full items-center justify-center gap-2', text }));

  function renderPanel(value, panel) {
    if (value === 'General') {
      let section = null;
      if (IN_GENERAL) {
        const show = btn('Show');
        const body = h('div', { class: 'flex flex-col gap-3' });
        show.addEventListener('click', () => {
          const open = !body.hasChildNodes();
          show.querySelector('div').textContent = open ? 'Hide' : 'Show';
          if (open) dataControls(body);
          else body.replaceChildren();
        });
        section = h('div', { class: 'flex flex-col gap-3' }, row('Data Controls', show), body);
      }
      panel.replaceChildren(h('div', { class: 'flex flex-col gap-3 text-sm' },
        row('Theme', h('select', { class: 'rounded border-gray-300 text-sm' }, h('option', { text: 'System' }), h('option', { text: 'Dark' }), h('option', { text: 'Light' }))),
        row('Clear all chats', btn('Clear', 'btn-danger')),
        section));
    } else if (value === 'BetaFeatures') {
      const beta = (label) => {
        const sw = Sim.switchEl({ 'aria-label': label });
        sw.addEventListener('click', () => Sim.setSwitch(sw, sw.getAttribute('aria-checked') !== 'true'));
        return row(label, sw);
      };
      panel.replaceChildren(h('div', { class: 'flex flex-col gap-3 text-sm' },
        h('div', { class: 'text-xs text-gray-500', text: 'As we continue to build new features, try them out and share your feedback.' }),
        beta('Plugins'), beta('Advanced data analysis')));
    } else {
      dataControls(panel);
    }
  }

  async function dataControls(panel) {
    panel.replaceChildren(h('div', { class: 'animate-pulse h-12', 'aria-busy': 'true' }));
    let s;
    try {
      s = (await api('GET', '/backend-api/settings/user')).settings;
    } catch (e) {
      panel.replaceChildren(h('div', { class: 'text-sm text-red-500', text: "Couldn't load your settings." }));
      toast(e.status === 401 ? 'Your session has expired. Please log in again.' : 'Something went wrong. Please try again.', 'error');
      return;
    }
    await jitter();
    if (!panel.isConnected) return;
    historyDisabled = !s.training_allowed;
    mirrorLocalStorage();

    // Variant no-switch-testid: the switch is named by the visible label
    // (aria-labelledby) instead of its own aria-label.
    const labelId = Sim.variant('no-switch-testid') ? 'radix-' + useId() : null;
    const sw = Sim.switchEl({
      'aria-label': labelId ? null : HISTORY_LABEL,
      'aria-labelledby': labelId,
      class: 'switch-root relative inline-flex shrink-0 rounded-full',
    });
    Sim.setSwitch(sw, !historyDisabled);
    historySwitch = sw;
    let pending = false;
    sw.addEventListener('click', async () => {
      if (pending) return;
      pending = true;
      const disable = !historyDisabled;
      try {
        await api('PATCH', '/backend-api/settings/account_user_setting?feature=history_disabled&value=' + disable);
        await sleep(boot.toggleDelayMs);
        setHistoryDisabled(disable);
      } catch (e) {
        toast(e.status === 401 ? 'Your session has expired. Please log in again.' : 'Something went wrong. Please try again.', 'error');
      } finally {
        pending = false;
      }
    });

    panel.replaceChildren(h('div', { class: 'flex flex-col gap-3 text-sm' },
      h('div', { class: 'border-b pb-3' },
        h('div', { class: 'flex items-center justify-between' }, h('div', { id: labelId, text: HISTORY_LABEL }), sw),
        h('div', { class: 'mt-2 text-xs text-gray-500' },
          'Save new chats on this browser to your history and allow them to be used to improve our models. Unsaved chats will be deleted from our systems within 30 days. This setting does not sync across browsers or devices. ',
          h('a', { href: 'https://help.openai.com/en/articles/7730893', target: '_blank', rel: 'noreferrer', class: 'underline', text: 'Learn more' }))),
      row('Shared links', btn('Manage')),
      row('Export data', btn('Export')),
      row('Delete account', btn('Delete', 'btn-danger'))));
  }

  // -------------------------------------------------------- onboarding modal

  // A Headless UI Dialog in #headlessui-portal-root: three steps, Next, Next,
  // Done. Its overlay blocks the page; Escape does not close it.
  function onboarding() {
    return new Promise((resolve) => {
      const steps = [
        ['This is a free research preview.', 'Our goal is to get external feedback in order to improve our systems and make them safer.'],
        ['How we collect data', 'Conversations may be reviewed by our AI trainers to improve our systems. Please don\u2019t share any sensitive information in your conversations.'],
        ['We\u2019d love your feedback!', 'This system is optimized for dialogue. Let us know if a particular response was good or unhelpful.'],
      ];
      let i = 0;
      const title = h('h4', { class: 'mb-4 font-semibold' });
      const text = h('p', { class: 'text-sm' });
      const label = h('div', { class: 'flex w-full items-center justify-center gap-2' });
      const panelId = 'headlessui-dialog-panel-' + useId();
      const dialog = h('div', {
        class: 'relative z-50',
        id: 'headlessui-dialog-' + useId(),
        role: 'dialog',
        'aria-modal': 'true',
        'data-headlessui-state': 'open',
      },
      // Headless UI sets no pointer-events: with LateDialogs the dialog is
      // as it was, so over an open Radix modal (pointer-events:none on the
      // body) no pointer reaches it, only the keyboard.
      h('div', { class: 'fixed inset-0 bg-gray-500/90 transition-opacity', style: boot.lateDialogs ? null : 'pointer-events:auto' }),
      h('div', { class: 'fixed inset-0 z-10 overflow-y-auto', style: boot.lateDialogs ? null : 'pointer-events:auto' },
        h('div', { class: 'flex min-h-full items-center justify-center p-4' },
          h('div', { class: 'relative w-full max-w-lg rounded-lg bg-white p-6 text-left shadow-xl', id: panelId, 'data-headlessui-state': 'open' },
            h('h2', { class: 'text-lg font-semibold mb-2', text: 'ChatGPT' }),
            title, text,
            h('div', { class: 'mt-4 flex flex-row justify-end gap-2' },
              h('button', { class: 'btn relative btn-neutral ml-auto', onClick: next }, label))))));
      let portalRoot = document.querySelector('#headlessui-portal-root');
      if (!portalRoot) {
        portalRoot = document.createElement('div');
        portalRoot.id = 'headlessui-portal-root';
        document.body.append(portalRoot);
      }
      const holder = h('div', {}, dialog);
      portalRoot.append(holder);
      // With LateDialogs it is not one of the Radix layers either: Radix's
      // hideOthers marked the page when the settings opened, and this
      // dialog, added later, stays in the accessibility tree.
      const layer = boot.lateDialogs ? null : Sim.pushLayer({ el: dialog, modal: true });
      // With LateDialogs, as Headless UI's Dialog does (useInertOthers):
      // everything else at the body's level is inert and aria-hidden
      // while it is open.
      const inerted = [];
      if (boot.lateDialogs) {
        for (const c of document.body.children) {
          if (c === portalRoot || c.tagName === 'SCRIPT' || c.hasAttribute('inert')) continue;
          c.setAttribute('inert', '');
          c.setAttribute('aria-hidden', 'true');
          inerted.push(c);
        }
      }
      function show() {
        title.textContent = steps[i][0];
        text.textContent = steps[i][1];
        label.textContent = i === steps.length - 1 ? 'Done' : 'Next';
      }
      function next() {
        if (++i < steps.length) { show(); return; }
        if (layer) Sim.removeLayer(layer);
        holder.remove();
        for (const c of inerted) { c.removeAttribute('inert'); c.removeAttribute('aria-hidden'); }
        resolve();
      }
      show();
    });
  }

  // -------------------------------------------------------------------- boot

  async function main() {
    if (boot.consentBanner) Sim.consentBanner();
    if (boot.page === 'login') { await jitter(); renderLogin(); return; }
    if (boot.authStatus === 'logged_in') {
      try { session = await Sim.loadSession(); } catch (e) { session = null; }
      if (!session || !session.accessToken) session = null;
    }
    await jitter();
    if (!session) { location.replace('/auth/login'); return; }
    mirrorLocalStorage();
    renderApp();
    Sim.busy();
    await Sim.afterSignIn(null, openSettings, async (d) => {
      if (d === 'onboarding') await onboarding();
    });
  }

  main();
})();
