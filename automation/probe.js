// probe looks at the page once and reports, for each named element, which
// candidate locator matched how many visible elements, and where the match is.
// It runs in an isolated world (the page's DOM, none of its JavaScript), so
// its state below lives on that world's window, which the page never sees.
// It changes nothing: an element outside the viewport is reported as such
// and scrolled into view only when it is about to be pressed.
//
// spec = {
//   elements: {name: {candidates: [{testid, css, role, name, name_contains, text}], attr: "aria-checked", holding: "text"}},
//   markers:  {name: {title: [], text: [], url: [], css: []}},
//   texts:    {name: ["substring", ...]},       // visible text of the page
//   dialogs:  {close: ["Close", ...], choice: ["accept", ...]},
//   obstacles: {name: ["css", ...]},             // a third party's boxes over the page
//   prefilled: {name: {css: ["css", ...], value: "alice@example.com"}}
// }
// With dialogs, the result lists the modal dialogs that hold none of the
// matched elements (dialogs nobody described), each with its title, first
// line, buttons and the one control that closes it without choosing. A
// covered element names what covers it, and the obstacle when the cover
// lies in one. The result also says whether the page has drawn anything to
// act on (blank) and which loading indicator it shows, if any (loading).
(async function (spec) {
  "use strict";
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();

  // A waiting probe returns when the page changes (or after waitMs), so a
  // wait costs nothing while the page is still and sees a change at once.
  if (spec.waitMs > 0 && window.__optoutObserver && !(window.__optoutLastMutation > window.__optoutLastProbe)) {
    await new Promise((resolve) => {
      const mo = new MutationObserver(() => done());
      const timer = setTimeout(() => done(), spec.waitMs);
      function done() {
        clearTimeout(timer);
        mo.disconnect();
        resolve();
      }
      mo.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
    });
  }
  if (window.__optoutLastProbe && performance.now() - window.__optoutLastProbe < spec.minGapMs) {
    await new Promise((r) => setTimeout(r, spec.minGapMs - (performance.now() - window.__optoutLastProbe)));
  }

  // Tracks DOM activity so the caller can tell a settled page from a busy one.
  if (!window.__optoutObserver) {
    window.__optoutLastMutation = performance.now();
    window.__optoutObserver = new MutationObserver(() => {
      window.__optoutLastMutation = performance.now();
    });
    window.__optoutObserver.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  }

  // Rendered and not hidden by CSS. aria-hidden and inert are left to the
  // hit test: a modal dialog marks the page under it that way, and the
  // caller must see such elements as covered, not as gone.
  function visible(el) {
    if (!el.isConnected) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden" || s.opacity === "0") return false;
    }
    return true;
  }

  const implicitRoles = {
    BUTTON: "button", SELECT: "combobox", TEXTAREA: "textbox", NAV: "navigation",
    DIALOG: "dialog", H1: "heading", H2: "heading", H3: "heading", H4: "heading",
    UL: "list", OL: "list", LI: "listitem", FORM: "form", MAIN: "main",
  };
  function role(el) {
    const explicit = el.getAttribute("role");
    if (explicit) return explicit.split(/\s+/)[0];
    if (el.tagName === "A" && el.hasAttribute("href")) return "link";
    if (el.tagName === "INPUT") {
      const t = (el.getAttribute("type") || "text").toLowerCase();
      if (t === "checkbox") return "checkbox";
      if (t === "radio") return "radio";
      if (t === "submit" || t === "button" || t === "reset") return "button";
      if (t === "hidden") return "";
      return "textbox";
    }
    return implicitRoles[el.tagName] || "";
  }

  function textOf(el) {
    return norm(el.innerText !== undefined ? el.innerText : el.textContent);
  }

  // A close approximation of the accessible name computation: labelledby,
  // aria-label, labels of form fields, then the text content.
  function accName(el) {
    const by = el.getAttribute("aria-labelledby");
    if (by) {
      const parts = by.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map(textOf);
      if (parts.length) return norm(parts.join(" "));
    }
    const label = el.getAttribute("aria-label");
    if (label && norm(label)) return norm(label);
    if (el.labels && el.labels.length) return norm(Array.from(el.labels).map(textOf).join(" "));
    if (el.tagName === "INPUT") {
      const t = (el.getAttribute("type") || "").toLowerCase();
      if (t === "submit" || t === "button") return norm(el.value);
      return norm(el.getAttribute("placeholder") || el.getAttribute("title") || "");
    }
    const own = textOf(el);
    return own || norm(el.getAttribute("title") || "");
  }

  function matches(c) {
    let found;
    if (c.testid) {
      found = Array.from(document.querySelectorAll('[data-testid="' + CSS.escape(c.testid) + '"]'));
    } else if (c.css) {
      try {
        found = Array.from(document.querySelectorAll(c.css));
      } catch (e) {
        return {error: "invalid css: " + e.message, els: []};
      }
      if (c.text) found = found.filter((el) => textOf(el) === norm(c.text));
    } else if (c.role) {
      found = Array.from(document.querySelectorAll("*")).filter((el) => role(el) === c.role);
      if (c.name) found = found.filter((el) => accName(el) === norm(c.name));
      if (c.name_contains) found = found.filter((el) => accName(el).includes(norm(c.name_contains)));
    } else if (c.text) {
      const want = norm(c.text);
      // The deepest elements whose own text is the wanted text.
      found = Array.from(document.body ? document.body.querySelectorAll("*") : []).filter((el) => {
        if (textOf(el) !== want) return false;
        return !Array.from(el.children).some((ch) => textOf(ch) === want);
      });
    } else {
      found = [];
    }
    // The element's row: its nearest ancestor that shows more text.
    if (c.row && (c.css || c.role)) {
      const want = norm(c.row).toLowerCase();
      found = found.filter((el) => {
        const own = textOf(el);
        for (let a = el.parentElement, n = 0; a && n < 6; a = a.parentElement, n++) {
          const t = textOf(a);
          if (t.length > own.length) return t.toLowerCase().includes(want);
        }
        return false;
      });
    }
    return {els: found.filter(visible)};
  }

  // Describes an element in a few words, for messages and drift evidence.
  function describe(el) {
    if (!el) return "";
    let s = el.tagName.toLowerCase();
    const tid = el.getAttribute("data-testid");
    if (tid) s += '[data-testid="' + tid + '"]';
    const r = role(el);
    if (r) s += '[role="' + r + '"]';
    const n = accName(el).slice(0, 60);
    if (n) s += ' "' + n + '"';
    return s;
  }

  // locateAll reports every visible, uncovered element the first
  // candidate with any matches finds (a panel's switches): found when
  // there is at least one.
  function locateAll(name, e) {
    const out = {counts: [], candidate: -1, all: []};
    for (let i = 0; i < e.candidates.length; i++) {
      if (out.candidate >= 0) {
        out.counts.push(-1);
        continue;
      }
      const m = matches(e.candidates[i]);
      const open = m.els.filter((el) => {
        const r = el.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight || clipped(el, x, y)) return true;
        const hit = document.elementFromPoint(x, y);
        return !!hit && (hit === el || el.contains(hit));
      });
      out.counts.push(open.length);
      if (open.length === 0) continue;
      out.candidate = i;
      open.forEach((el, k) => {
        const key = name + "#" + k;
        const d = locate(key, {candidates: [{css: "*"}], attr: e.attr}, el);
        d.key = key;
        out.all.push(d);
      });
      Object.assign(out, out.all[0], {counts: out.counts, candidate: i, all: out.all});
      matched[name] = matched[name + "#0"];
    }
    return out;
  }

  // clipped says a point of el lies outside the visible box of one of
  // its scrolling ancestors.
  function clipped(el, x, y) {
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (!/(auto|scroll|hidden|clip)/.test(s.overflowY + " " + s.overflowX)) continue;
      if (a.scrollHeight <= a.clientHeight && a.scrollWidth <= a.clientWidth) continue;
      const r = a.getBoundingClientRect();
      if (x < r.left || x > r.right || y < r.top || y > r.bottom) return true;
    }
    return false;
  }

  function locate(name, e, only) {
    const out = {counts: [], candidate: -1};
    for (let i = 0; i < e.candidates.length; i++) {
      // Later candidates are not looked at once one matched: that is the
      // common case, and role lookups walk the whole document.
      if (out.candidate >= 0) {
        out.counts.push(-1);
        continue;
      }
      const m = only ? {els: [only]} : matches(e.candidates[i]);
      if (e.holding && m.els.length > 1) {
        const want = e.holding.toLowerCase();
        m.els = m.els.filter((el) => textOf(el).toLowerCase().includes(want) || accName(el).toLowerCase().includes(want));
      }
      out.counts.push(m.els.length);
      if (m.error) out.error = m.error;
      if (out.candidate >= 0 || m.els.length !== 1) continue;
      const el = m.els[0];
      out.candidate = i;
      matched[name] = el;
      const r = el.getBoundingClientRect();
      out.x = r.left + r.width / 2;
      out.y = r.top + r.height / 2;
      // Outside the viewport, or scrolled out of a scrolling box (the last
      // rows of a settings panel): scrolled into view before a press.
      out.offscreen = out.x < 0 || out.y < 0 || out.x >= innerWidth || out.y >= innerHeight || clipped(el, out.x, out.y);
      // Outside the viewport the hit test sees nothing: whether something
      // covers it is known once it is scrolled into view.
      const hit = out.offscreen ? el : document.elementFromPoint(out.x, out.y);
      out.covered = !(hit && (hit === el || el.contains(hit)));
      if (out.covered) {
        out.cover = describe(hit);
        const ob = obstacleOf(hit);
        if (ob) {
          out.obstacle = ob.name;
          out.cover += " in " + ob.name + " (" + ob.css + ")";
        }
      }
      // pointer-events:none (inherited, as a modal layer sets it on the
      // body under a dialog opened later): no pointer reaches it at all.
      out.unreachable = getComputedStyle(el).pointerEvents === "none";
      out.name = accName(el);
      out.text = textOf(el).slice(0, 500);
      out.disabled = el.disabled === true || el.getAttribute("aria-disabled") === "true";
      // Whether a field holds a value (never the value itself: it may be a secret).
      out.filled = typeof el.value === "string" && el.value.length > 0;
      // Hidden from assistive technology by an ancestor, as a modal hides
      // the page under it: the accessibility tree then cannot confirm it.
      out.ariaHidden = !!el.closest('[aria-hidden="true"], [inert]');
      out.tag = el.tagName.toLowerCase();
      if (e.attr) {
        out.attr = el.getAttribute(e.attr);
        // The text around a setting (its dialog or panel) says what it means.
        const around = el.closest('[role="dialog"], [role="tabpanel"], [role="alertdialog"], section, form');
        out.context = around ? textOf(around).slice(0, 3000) : "";
        // The name of the dialog it is the only switch of: the dialog's
        // title is then the setting's label.
        const dlg = el.closest('[role="dialog"], [role="alertdialog"]');
        if (dlg && dlg.querySelectorAll('[role="switch"]').length === 1) out.dialogName = accName(dlg).slice(0, 300);
      }
      out.desc = describe(el);
      if (e.attr) {
        // Its row: the nearest ancestor that shows more text (a switch's
        // label and description around it).
        const own = textOf(el);
        for (let a = el.parentElement, n = 0; a && n < 6; a = a.parentElement, n++) {
          const t = textOf(a);
          if (t.length > own.length) { out.row = t.slice(0, 500); break; }
        }
      }
    }
    return out;
  }

  // obstacleOf finds the obstacle (spec.obstacles) that holds el: a third
  // party's box over the page, such as Google One Tap's.
  function obstacleOf(el) {
    if (!el) return null;
    for (const [name, list] of Object.entries(spec.obstacles || {})) {
      for (const css of list || []) {
        try {
          if (el.closest(css)) return {name, css};
        } catch (e) {
          // An invalid selector (the loader refuses them) matches nothing.
        }
      }
    }
    return null;
  }

  // blank says the page has drawn nothing a person could act on: no
  // visible control at all. Every page the run acts on has some; a page
  // without any is still being drawn (or the site is in trouble), never a
  // sign that its UI changed.
  function blank() {
    const controls = 'a[href], button, input:not([type="hidden"]), select, textarea, [role="button"], [role="link"], ' +
      '[role="tab"], [role="menuitem"], [role="switch"], [role="checkbox"], [role="textbox"], [contenteditable=""], [contenteditable="true"]';
    return !(document.body && Array.from(document.body.querySelectorAll(controls)).some(visible));
  }

  // loadingIndicator describes the first visible sign that the page is
  // still loading, or "": a progress bar, a region marked busy, a spinner or
  // a skeleton (by the class names the frameworks give them: Tailwind's
  // animate-spin and animate-pulse, *skeleton*, *spinner*, *shimmer*). A
  // page behind one is no evidence that the UI changed. Running animations
  // alone do not count: a page may animate a decoration forever.
  function loadingIndicator() {
    const sel = '[role="progressbar"], [aria-busy="true"], [class*="animate-spin"], [class*="animate-pulse"], ' +
      '[class*="skeleton"], [class*="spinner"], [class*="shimmer"]';
    const token = /(^|:)animate-(spin|pulse)$|skeleton|spinner|shimmer/i;
    for (const el of document.querySelectorAll(sel)) {
      if (!visible(el)) continue;
      if (el.getAttribute("role") === "progressbar") return describe(el) || "progressbar";
      if (el.getAttribute("aria-busy") === "true") return describe(el) + '[aria-busy="true"]';
      const cls = Array.from(el.classList).find((c) => token.test(c));
      if (cls) return el.tagName.toLowerCase() + "." + cls;
    }
    return "";
  }

  // The first line of an element's text, capped.
  const firstLine = (el) => {
    const t = (el ? (el.innerText !== undefined ? el.innerText : el.textContent) : "") || "";
    const line = t.split("\n").map(norm).find((l) => l) || "";
    return line.slice(0, 160);
  };
  const byIds = (ids) =>
    norm((ids || "").split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map(textOf).join(" "));

  // Modal dialogs open on the page that hold none of the elements matched
  // above: what the selectors file does not describe. Each comes with the
  // one control that closes it without choosing, if it has one: a name
  // that is one of cfg.close (or starts with one and a space) and holds
  // no word of cfg.choice.
  function unknownDialogs(cfg) {
    const sel = '[role="dialog"], [role="alertdialog"], dialog[open], [aria-modal="true"]';
    const all = Array.from(document.querySelectorAll(sel)).filter(visible);
    const outer = all.filter((d) => !all.some((o) => o !== d && o.contains(d)));
    const known = Object.values(matched);
    const closeNames = (cfg.close || []).map((c) => norm(c).toLowerCase());
    const choiceWords = (cfg.choice || []).map((c) => c.toLowerCase());
    const out = [];
    outer.forEach((d, i) => {
      if (known.some((el) => d.contains(el))) return;
      const body = document.body;
      const inert = body && (getComputedStyle(body).pointerEvents === "none" ||
        Array.from(body.children).some((c) => !c.contains(d) && (c.getAttribute("aria-hidden") === "true" || c.hasAttribute("inert"))));
      const modal = d.getAttribute("aria-modal") === "true" || d.getAttribute("role") === "alertdialog" ||
        (d.tagName === "DIALOG" && d.matches(":modal")) || inert;
      if (!modal) return;
      const heading = d.querySelector('h1, h2, h3, h4, [role="heading"]');
      const title = (byIds(d.getAttribute("aria-labelledby")) || norm(d.getAttribute("aria-label")) || (heading ? textOf(heading) : "") || firstLine(d)).slice(0, 120);
      let text = byIds(d.getAttribute("aria-describedby"));
      if (!text) {
        const lines = ((d.innerText || "").split("\n")).map(norm).filter((l) => l && l !== title);
        text = lines[0] || "";
      }
      const controls = Array.from(d.querySelectorAll('button, [role="button"], a[href], [role="link"]')).filter(visible);
      const names = controls.map((c) => accName(c) || norm(c.getAttribute("title"))).filter((n) => n);
      let close = null;
      for (const c of controls) {
        const n = (accName(c) || norm(c.getAttribute("title"))).toLowerCase();
        if (!n) continue;
        const closes = closeNames.some((w) => n === w || n.startsWith(w + " "));
        const chooses = choiceWords.some((w) => n.includes(w));
        if (!closes || chooses) continue;
        const key = "@dialog." + i + ".close";
        matched[key] = c;
        const r = c.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        const offscreen = x < 0 || y < 0 || x >= innerWidth || y >= innerHeight;
        const hit = offscreen ? c : document.elementFromPoint(x, y);
        close = {
          counts: [1], candidate: 0, x, y, offscreen,
          covered: !(hit && (hit === c || c.contains(hit))),
          unreachable: getComputedStyle(c).pointerEvents === "none",
          name: accName(c) || norm(c.getAttribute("title")), desc: describe(c),
        };
        break;
      }
      const r = d.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 40));
      out.push({title, text: text.slice(0, 160), buttons: names.slice(0, 8), close, top: !!(hit && d.contains(hit)), key: "@dialog." + i});
    });
    return out;
  }

  // The elements matched, by name, for revealJS.
  const matched = {};
  window.__optoutMatched = matched;
  const bodyText = document.body ? norm(document.body.innerText) : "";
  const result = {
    url: location.href,
    title: document.title,
    ready: document.readyState,
    quietMs: performance.now() - window.__optoutLastMutation,
    elements: {},
    markers: {},
    texts: {},
  };
  for (const [name, e] of Object.entries(spec.elements || {})) result.elements[name] = e.all ? locateAll(name, e) : locate(name, e);
  const shows = (css) => {
    try {
      return Array.from(document.querySelectorAll(css)).some(visible);
    } catch (e) {
      return false;
    }
  };
  for (const [name, m] of Object.entries(spec.markers || {})) {
    const hit =
      (m.title || []).some((t) => document.title.includes(t)) ||
      (m.text || []).some((t) => bodyText.includes(t)) ||
      (m.url || []).some((u) => location.href.includes(u)) ||
      (m.css || []).some(shows);
    result.markers[name] = hit;
  }
  if (spec.dialogs) result.dialogs = unknownDialogs(spec.dialogs);
  for (const [name, list] of Object.entries(spec.texts || {})) {
    result.texts[name] = (list || []).find((t) => bodyText.includes(t)) || "";
  }
  result.blank = blank();
  result.loading = loadingIndicator();
  // Whether the page already holds a value it would otherwise be given (an
  // email a "Welcome back" page knows): in a field one of css matches,
  // visible or not ("field"), or in its visible text ("text"); case ignored.
  // Only a yes or a no comes back, never a field's value.
  result.prefilled = {};
  for (const [name, p] of Object.entries(spec.prefilled || {})) {
    const want = norm(p.value).toLowerCase();
    let how = "";
    for (const css of p.css || []) {
      let els = [];
      try {
        els = Array.from(document.querySelectorAll(css));
      } catch (e) {
        continue;
      }
      if (want && els.some((el) => typeof el.value === "string" && norm(el.value).toLowerCase() === want)) {
        how = "field";
        break;
      }
    }
    if (!how && want && bodyText.toLowerCase().includes(want)) how = "text";
    result.prefilled[name] = how;
  }
  window.__optoutLastProbe = performance.now();
  return result;
})
