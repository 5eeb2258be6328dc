// evdoc site: dark/light toggle, the phone's menu button, the header's height for anchored
// targets, and client-side search over events, fields, rooms and errors.
// Plain script, no framework; results are built with textContent (never innerHTML), so catalog
// text in the index cannot inject markup.
(function () {
  'use strict';
  var root = document.documentElement;
  var toggle = document.getElementById('theme-toggle');
  if (toggle) {
    toggle.addEventListener('click', function () {
      var dark = root.dataset.theme ? root.dataset.theme === 'dark'
        : window.matchMedia('(prefers-color-scheme: dark)').matches;
      root.dataset.theme = dark ? 'light' : 'dark';
      try { localStorage.setItem('evdoc-theme', root.dataset.theme); } catch (e) { /* file:// in some browsers */ }
    });
  }

  // The sticky header's height, for `scroll-margin-top` (style.css): it is one row or two, and
  // a long title or a larger font changes it. The browser scrolls to the URL's fragment once the
  // page is parsed, after this runs.
  var header = document.querySelector('.topbar');
  function measure() {
    if (header) root.style.setProperty('--header-h', header.offsetHeight + 'px');
  }
  measure();
  window.addEventListener('resize', measure);

  // The menu button (shown at 700 px and less, where the stylesheet folds the navigation): it
  // opens and closes the navigation, and aria-expanded always says which. Escape or a tap
  // outside closes it. On a desktop the button is hidden and the navigation always shown.
  var menu = document.getElementById('nav-toggle');
  var nav = document.getElementById('sidebar');
  if (menu && nav) {
    var setOpen = function (open) {
      nav.classList.toggle('open', open);
      menu.setAttribute('aria-expanded', open ? 'true' : 'false');
    };
    var isOpen = function () { return menu.getAttribute('aria-expanded') === 'true'; };
    menu.addEventListener('click', function () {
      setOpen(!isOpen());
      if (isOpen()) {
        // Into the list, at the current page: keyboard users go on from there.
        var here = nav.querySelector('li.active a') || nav.querySelector('a');
        if (here) here.focus({ preventScroll: true });
      }
    });
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && isOpen()) { setOpen(false); menu.focus(); }
    });
    document.addEventListener('click', function (ev) {
      if (isOpen() && !nav.contains(ev.target) && !menu.contains(ev.target)) setOpen(false);
    });
  }

  var input = document.getElementById('search');
  var list = document.getElementById('search-results');
  var index = window.EVDOC_SEARCH || [];
  if (!input || !list) return;

  function score(entry, q) {
    var t = entry.t.toLowerCase();
    if (t === q) return 0;
    if (t.indexOf(q) === 0) return 1;
    if (t.indexOf(q) > 0) return 2;
    if (entry.s && entry.s.toLowerCase().indexOf(q) >= 0) return 3;
    return -1;
  }

  function show(q) {
    list.textContent = '';
    q = q.trim().toLowerCase();
    if (!q) { list.hidden = true; return; }
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var s = score(index[i], q);
      if (s >= 0) hits.push([s, i]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    hits.slice(0, 30).forEach(function (h) {
      var e = index[h[1]];
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = e.u;
      a.appendChild(document.createTextNode(e.t));
      var kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = e.k;
      a.appendChild(kind);
      if (e.s) {
        var ctx = document.createElement('span');
        ctx.className = 'ctx';
        ctx.textContent = e.s;
        a.appendChild(ctx);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    if (!hits.length) {
      var none = document.createElement('li');
      none.className = 'none';
      none.textContent = 'No match';
      list.appendChild(none);
    }
    list.hidden = false;
  }

  input.addEventListener('input', function () { show(input.value); });
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      var first = list.querySelector('a');
      if (first) window.location.href = first.href;
    } else if (ev.key === 'Escape') {
      input.value = '';
      show('');
    }
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && document.activeElement !== input) { ev.preventDefault(); input.focus(); }
  });
})();
