// Browser test of the HTML site `evdoc render --html` writes: headless Debian chromium driven by
// playwright-core (no browser download). Serves the site from 127.0.0.1 on a free port and opens
// every page at two widths, a desktop (1400 px) and a phone (390 px, mobile emulation). Fails on
// console errors, failed requests, broken internal links or anchors, missing diagrams, a search
// box that finds nothing, any JavaScript dialog (an injected `alert` from catalog text), and on
// what makes the site hard to use:
// - a table header row whose cells are all empty;
// - at 390 px: a search box or results panel too narrow to read, a sidebar open on load (the
//   first screen must show the page) or a menu button that does not open and close it (mouse
//   and keyboard, `aria-expanded` true to state), a page wider than the screen;
// - at both widths: an event heading reached by its anchor hidden under the sticky header or
//   out of view (by URL, by an in-page link and by the search box's Enter);
// - an "On this page" outline whose domain entries do not contain their own events.
// Saves a screenshot of every page at both widths, and of the phone's menu, search and anchor.
//
// usage: node site.test.mjs SITE_DIR [SCREENSHOT_DIR] [--hostile]
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const [siteDir, shotDir = 'target/browser-screenshots'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const hostile = process.argv.includes('--hostile');
if (!siteDir) {
  console.error('usage: node site.test.mjs SITE_DIR [SCREENSHOT_DIR] [--hostile]');
  process.exit(2);
}
const root = path.resolve(siteDir);
fs.mkdirSync(shotDir, { recursive: true });

const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.yml': 'text/yaml' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const file = path.join(root, decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
  if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404);
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
// The phone is a mobile emulation (meta viewport honoured, touch), 390 × 844 CSS pixels.
const widths = [
  { label: 'desktop', phone: false, context: await browser.newContext({ viewport: { width: 1400, height: 1000 } }) },
  { label: 'phone', phone: true, context: await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }) },
];

const failures = [];
const fail = (msg) => { failures.push(msg); console.error('FAIL', msg); };
const pages = fs.readdirSync(root).filter((f) => f.endsWith('.html')).sort();
const idsOf = new Map(pages.map((p) => [p, new Set([...fs.readFileSync(path.join(root, p), 'utf8').matchAll(/ id="([^"]+)"/g)].map((m) => m[1]))]));
const shot = (page, name) => page.screenshot({ path: path.join(shotDir, `${hostile ? 'hostile-' : ''}${name}.png`) });

/** A page of `w`'s context that fails the test on errors, failed requests and dialogs. */
async function open(w, what) {
  const page = await w.context.newPage();
  const tag = `${what} (${w.label})`;
  page.on('console', (m) => { if (m.type() === 'error') fail(`${tag}: console error: ${m.text()}`); });
  page.on('pageerror', (e) => fail(`${tag}: page error: ${e.message}`));
  page.on('dialog', async (d) => { fail(`${tag}: a ${d.type()} dialog opened (${d.message()}): injected script ran`); await d.dismiss(); });
  page.on('requestfailed', (r) => fail(`${tag}: request failed: ${r.url()}`));
  page.on('response', (r) => { if (r.status() >= 400) fail(`${tag}: HTTP ${r.status()} for ${r.url()}`); });
  return page;
}

/** The heading the current URL's fragment leads to (the element itself when it is a heading, else
 * the next heading after it: the catalog's `<a id="ev-…">` anchors stand just before theirs), and
 * where it is against the header and the viewport. */
const whereIsTarget = () => {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = document.getElementById(id);
  if (!target) return { error: `no element with id ${id}` };
  let h = target.matches('h1, h2, h3, h4, h5, h6') ? target : null;
  if (!h) {
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
    walk.currentNode = target;
    while (walk.nextNode()) if (walk.currentNode.matches('h1, h2, h3, h4, h5, h6')) { h = walk.currentNode; break; }
  }
  if (!h) return { error: `no heading after #${id}` };
  const box = h.getBoundingClientRect();
  const header = document.querySelector('header').getBoundingClientRect();
  return { text: h.textContent.replace(/\s*#$/, '').trim().slice(0, 60), top: box.top, bottom: box.bottom, headerBottom: header.bottom, height: innerHeight };
};

/** Fail unless the heading of the URL's fragment is below the sticky header and on screen. */
async function headingClear(page, tag) {
  await page.waitForTimeout(150); // let the scroll to the fragment settle
  const r = await page.evaluate(whereIsTarget);
  if (r.error) fail(`${tag}: ${r.error}`);
  else if (r.top < r.headerBottom - 1 || r.bottom > r.height + 1) {
    fail(`${tag}: heading "${r.text}" is at ${Math.round(r.top)}–${Math.round(r.bottom)} px, ` +
      `not between the header's bottom (${Math.round(r.headerBottom)} px) and the viewport's (${r.height} px)`);
  }
}

try {
  // Every page at both widths.
  for (const w of widths) {
    for (const name of pages) {
      const page = await open(w, name);
      const tag = `${name} (${w.label})`;
      await page.goto(base + name, { waitUntil: 'load' });

      if (!w.phone) {
        // Internal links: the page exists and so does the anchor.
        const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
        for (const href of hrefs) {
          if (/^[a-z]+:/i.test(href) || href.startsWith('../') || href.endsWith('.yml') || href.endsWith('.css')) continue;
          const [file, frag] = href.split('#');
          const target = file === '' ? name : file;
          if (!idsOf.has(target)) { fail(`${name}: broken link ${href}`); continue; }
          if (frag && !idsOf.get(target).has(decodeURIComponent(frag))) fail(`${name}: link ${href} has no target id`);
        }
        // No header row of empty cells (a Markdown table must have a header; a key/value table's
        // is empty, and shows as a blank bar).
        const blank = await page.$$eval('table tr', (trs) => trs.filter((tr) => {
          const cells = [...tr.children];
          return cells.length > 0 && cells.every((c) => c.tagName === 'TH' && c.textContent.trim() === '');
        }).length);
        if (blank) fail(`${name}: ${blank} table header row(s) with only empty cells`);
      }
      // Every page has the navigation and the search box.
      if (await page.locator('nav.sidebar a').count() < 9) fail(`${tag}: navigation sidebar missing`);
      if (await page.locator('#search').count() !== 1) fail(`${tag}: search box missing`);
      if (w.phone) {
        // The first screen shows the page, not the navigation; nothing is wider than the screen.
        const s = await page.evaluate(() => {
          const side = document.querySelector('nav.sidebar').getBoundingClientRect();
          const h1 = document.querySelector('main h1')?.getBoundingClientRect();
          const header = document.querySelector('header').getBoundingClientRect();
          return { sideShown: side.height > 0 && side.top < innerHeight && getComputedStyle(document.querySelector('nav.sidebar')).visibility !== 'hidden',
            h1Top: h1?.top, headerBottom: header.bottom, height: innerHeight,
            scrollWidth: document.documentElement.scrollWidth, width: innerWidth };
        });
        if (s.sideShown) fail(`${tag}: the navigation is open on load and takes the first screen`);
        if (s.h1Top === undefined || s.h1Top < s.headerBottom - 1 || s.h1Top > s.height / 2) {
          fail(`${tag}: the page's heading is not near the top of the first screen (at ${s.h1Top} px)`);
        }
        if (s.scrollWidth > s.width + 1) fail(`${tag}: the page is ${s.scrollWidth} px wide on a ${s.width} px screen`);
        if (s.headerBottom > s.height / 4) fail(`${tag}: the header takes ${Math.round(s.headerBottom)} px of ${s.height}`);
      } else {
        if (!await page.locator('nav.sidebar').isVisible()) fail(`${tag}: the sidebar is hidden on the desktop`);
        if (await page.locator('#nav-toggle').isVisible()) fail(`${tag}: the menu button shows on the desktop`);
      }
      if (name === 'architecture.html' && !hostile && !w.phone) {
        const svgs = page.locator('figure.diagram svg');
        const n = await svgs.count();
        if (n < 4) fail(`architecture.html: ${n} diagrams, expected at least 4`);
        for (let i = 0; i < n; i++) {
          const box = await svgs.nth(i).boundingBox();
          if (!box || box.width < 50 || box.height < 50) fail(`architecture.html: diagram ${i} is not drawn (${JSON.stringify(box)})`);
        }
        if (await page.locator('pre.mermaid-source').count() > 0) fail('architecture.html: a diagram fell back to its source');
      }
      await shot(page, `${w.phone ? 'phone-' : ''}${name.replace('.html', '')}`);
      await page.close();
    }
  }

  // The phone's menu: a button in the header opens and closes the navigation, by touch and by
  // keyboard, with aria-expanded saying which.
  {
    const w = widths[1];
    const page = await open(w, 'menu');
    await page.goto(base + 'index.html');
    const button = page.locator('#nav-toggle');
    const side = page.locator('nav.sidebar');
    const expanded = () => button.getAttribute('aria-expanded');
    /** The navigation is shown, with its first link on screen. */
    const navShown = async () => await side.isVisible() && await page.locator('nav.sidebar a').first().isVisible()
      && (await page.locator('nav.sidebar a').first().boundingBox()).y < 844;
    if (!await button.isVisible()) fail('menu (phone): no menu button (#nav-toggle) in the header');
    else {
      if (await expanded() !== 'false') fail(`menu (phone): aria-expanded is ${await expanded()} on load, the menu is closed`);
      await button.tap();
      if (!await navShown()) fail('menu (phone): tapping the menu button does not show the navigation');
      if (await expanded() !== 'true') fail(`menu (phone): aria-expanded is ${await expanded()} with the menu open`);
      await shot(page, 'phone-menu-open');
      await button.tap();
      if (await side.isVisible()) fail('menu (phone): tapping the menu button again does not close the navigation');
      if (await expanded() !== 'false') fail(`menu (phone): aria-expanded is ${await expanded()} with the menu closed`);
      await button.focus();
      await page.keyboard.press('Enter');
      if (!await navShown() || await expanded() !== 'true') fail('menu (phone): Enter on the menu button does not open the navigation');
      await page.keyboard.press('Escape');
      if (await side.isVisible() || await expanded() !== 'false') fail('menu (phone): Escape does not close the navigation');
      if (!await button.evaluate((b) => b === document.activeElement)) fail('menu (phone): Escape does not give the focus back to the menu button');
      await page.keyboard.press('Space');
      if (!await navShown()) fail('menu (phone): Space on the menu button does not open the navigation');
      // A link of the open navigation takes the reader to its page.
      await page.locator('nav.sidebar a[href="scaling.html"]').tap();
      try {
        await page.waitForURL('**/scaling.html', { timeout: 5000 });
        if (await side.isVisible()) fail('menu (phone): the navigation is open on the next page');
      } catch { fail(`menu (phone): the navigation's link went to ${page.url()}`); }
    }
    await page.close();
  }

  // Event anchors at both widths: by URL, by the catalog's own link, and by the search box.
  for (const w of widths) {
    const page = await open(w, 'anchors');
    await page.goto(base + 'websocket-event-catalog.html');
    const links = await page.$$eval('main a[href^="#ev-"]', (as) => as.map((a) => a.getAttribute('href')));
    if (links.length === 0) fail(`anchors (${w.label}): the catalog links to no event`);
    const href = hostile ? links[0] : '#ev-trade.update';
    if (!hostile && !links.includes(href)) fail(`anchors (${w.label}): the catalog has no link to ${href}`);
    if (links.length) {
      await page.locator(`main a[href="${href}"]`).first().click();
      await headingClear(page, `anchors (${w.label}): after clicking ${href}`);
      await page.goto('about:blank');
      await page.goto(base + 'websocket-event-catalog.html' + href);
      await headingClear(page, `anchors (${w.label}): opening websocket-event-catalog.html${href}`);
      if (w.phone) await shot(page, 'phone-anchor');
    }
    // A heading's own anchor (the outline's links) lands clear of the header too.
    const h2 = await page.$eval('main h2[id]', (h) => h.id).catch(() => null);
    if (h2) {
      await page.goto(base + 'websocket-event-catalog.html#' + encodeURIComponent(h2));
      await headingClear(page, `anchors (${w.label}): opening #${h2}`);
    }
    await page.close();
  }

  // "On this page" (desktop): each domain's entry holds the outline links of its own events.
  {
    const page = await open(widths[0], 'outline');
    await page.goto(base + 'websocket-event-catalog.html');
    const r = await page.evaluate(() => {
      const out = { checked: [], wrong: [] };
      const heading = (el) => {
        if (!el) return null;
        if (/^H[1-6]$/.test(el.tagName)) return el;
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
        walk.currentNode = el;
        while (walk.nextNode()) if (/^H[1-6]$/.test(walk.currentNode.tagName)) return walk.currentNode;
        return null;
      };
      const tocItems = [...document.querySelectorAll('aside.toc li')];
      const entry = (id) => tocItems.find((li) => li.querySelector(':scope > a')?.getAttribute('href') === '#' + id);
      for (const h2 of document.querySelectorAll('main h2[id]')) {
        // The domain's events: those its summary table (up to the next heading) links to.
        const events = [];
        for (let el = h2.nextElementSibling; el && !/^H[1-6]$/.test(el.tagName); el = el.nextElementSibling) {
          el.querySelectorAll('a[href^="#ev-"]').forEach((a) => events.push(a.getAttribute('href').slice(1)));
        }
        if (!events.length) continue;
        const li = entry(h2.id);
        if (!li) { out.wrong.push(`domain ${h2.textContent.replace(/\s*#$/, '').trim()} has no outline entry`); continue; }
        out.checked.push(h2.textContent.replace(/\s*#$/, '').trim());
        for (const ev of events) {
          const h = heading(document.getElementById(ev));
          if (!h || !h.id) { out.wrong.push(`event #${ev} has no heading with an id`); continue; }
          const inside = [...li.querySelectorAll('li > a')].some((a) => a.getAttribute('href') === '#' + h.id);
          if (!inside) out.wrong.push(`${h.textContent.replace(/\s*#$/, '').trim()} is not under domain ${h2.textContent.replace(/\s*#$/, '').trim()}`);
        }
      }
      return out;
    });
    for (const m of r.wrong.slice(0, 10)) fail(`outline: ${m}`);
    if (r.wrong.length > 10) fail(`outline: … and ${r.wrong.length - 10} more`);
    if (r.checked.length < (hostile ? 1 : 2)) fail(`outline: only ${r.checked.length} domain(s) found to check`);
    await page.close();
  }

  // Search at both widths, theme toggle, print.
  for (const w of widths) {
    const tag = `search (${w.label})`;
    const page = await open(w, 'search');
    await page.goto(base + 'index.html');
    const query = hostile ? 'script' : 'trade:upd';
    if (w.phone) {
      const box = await page.locator('#search').boundingBox();
      if (!box || box.width < 200) fail(`${tag}: the search box is ${box ? Math.round(box.width) : 0} px wide`);
      else if (box.y + box.height > 844 / 4) fail(`${tag}: the search box is not in the header at the top (y ${box.y})`);
    }
    await page.fill('#search', query);
    const results = page.locator('#search-results li a');
    if (await results.count() === 0) fail(`${tag}: no result for "${query}"`);
    else {
      const first = await results.first().textContent();
      if (!hostile && !first.includes('trade:update')) fail(`${tag}: first result for "${query}" is "${first}"`);
      if (w.phone) {
        const panel = await page.locator('#search-results').boundingBox();
        if (!panel || panel.width < 0.9 * 390) fail(`${tag}: the results panel is ${panel ? Math.round(panel.width) : 0} px wide on a 390 px screen`);
        else if (panel.x < -1 || panel.x + panel.width > 391) fail(`${tag}: the results panel is off screen (${Math.round(panel.x)}–${Math.round(panel.x + panel.width)} px)`);
      }
      await shot(page, `${w.phone ? 'phone-' : ''}search`);
      await page.press('#search', 'Enter');
      await page.waitForLoadState('load');
      const hash = new URL(page.url()).hash.slice(1);
      if (!hash || await page.locator(`[id="${decodeURIComponent(hash)}"]`).count() !== 1) fail(`${tag}: Enter went to ${page.url()}, no such anchor`);
      else await headingClear(page, `${tag}: Enter went to ${page.url()}`);
    }
    if (!hostile) {
      await page.fill('#search', 'executedPrice');
      if (await page.locator('#search-results li a:has-text("executedPrice")').count() === 0) fail(`${tag}: fields are not searchable`);
    }
    if (!w.phone) {
      const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.click('#theme-toggle');
      const after = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      if (before === after) fail('theme toggle: the background did not change');
      await shot(page, 'toggled-theme');
      await page.emulateMedia({ media: 'print' });
      if (await page.locator('nav.sidebar').isVisible()) fail('print: the sidebar is printed');
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

if (failures.length) {
  console.error(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log(`browser test: ${pages.length} pages OK at 1400 and 390 px${hostile ? ' (hostile catalog)' : ''}; screenshots in ${shotDir}`);
