// Browser test of the HTML site `evdoc render --html` writes: headless Debian chromium driven by
// playwright-core (no browser download). Serves the site from 127.0.0.1 on a free port, opens
// every page, and fails on console errors, failed requests, broken internal links or anchors,
// missing diagrams, a search box that finds nothing, or any JavaScript dialog (an injected
// `alert` from catalog text). Saves a screenshot of every page.
//
// usage: node site.test.mjs SITE_DIR [SCREENSHOT_DIR] [--hostile]
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
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

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'evdoc-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

const failures = [];
const fail = (msg) => { failures.push(msg); console.error('FAIL', msg); };
const pages = fs.readdirSync(root).filter((f) => f.endsWith('.html')).sort();
const idsOf = new Map(pages.map((p) => [p, new Set([...fs.readFileSync(path.join(root, p), 'utf8').matchAll(/ id="([^"]+)"/g)].map((m) => m[1]))]));

try {
  for (const name of pages) {
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') fail(`${name}: console error: ${m.text()}`); });
    page.on('pageerror', (e) => fail(`${name}: page error: ${e.message}`));
    page.on('dialog', async (d) => { fail(`${name}: a ${d.type()} dialog opened (${d.message()}): injected script ran`); await d.dismiss(); });
    page.on('requestfailed', (r) => fail(`${name}: request failed: ${r.url()}`));
    page.on('response', (r) => { if (r.status() >= 400) fail(`${name}: HTTP ${r.status()} for ${r.url()}`); });
    await page.goto(base + name, { waitUntil: 'load' });

    // Internal links: the page exists and so does the anchor.
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
    for (const href of hrefs) {
      if (/^[a-z]+:/i.test(href) || href.startsWith('../') || href.endsWith('.yml') || href.endsWith('.css')) continue;
      const [file, frag] = href.split('#');
      const target = file === '' ? name : file;
      if (!idsOf.has(target)) { fail(`${name}: broken link ${href}`); continue; }
      if (frag && !idsOf.get(target).has(decodeURIComponent(frag))) fail(`${name}: link ${href} has no target id`);
    }
    // Every page has the navigation and the search box.
    if (await page.locator('nav.sidebar a').count() < 9) fail(`${name}: navigation sidebar missing`);
    if (name === 'architecture.html' && !hostile) {
      const svgs = page.locator('figure.diagram svg');
      const n = await svgs.count();
      if (n < 4) fail(`architecture.html: ${n} diagrams, expected at least 4`);
      for (let i = 0; i < n; i++) {
        const box = await svgs.nth(i).boundingBox();
        if (!box || box.width < 50 || box.height < 50) fail(`architecture.html: diagram ${i} is not drawn (${JSON.stringify(box)})`);
      }
      if (await page.locator('pre.mermaid-source').count() > 0) fail('architecture.html: a diagram fell back to its source');
    }
    await page.screenshot({ path: path.join(shotDir, `${hostile ? 'hostile-' : ''}${name.replace('.html', '')}.png`), fullPage: false });
    await page.close();
  }

  // Search, theme toggle, anchor navigation.
  const page = await context.newPage();
  page.on('pageerror', (e) => fail(`search: page error: ${e.message}`));
  page.on('dialog', async (d) => { fail(`search: a dialog opened: ${d.message()}`); await d.dismiss(); });
  await page.goto(base + 'index.html');
  const query = hostile ? 'script' : 'trade:upd';
  await page.fill('#search', query);
  const results = page.locator('#search-results li a');
  if (await results.count() === 0) fail(`search: no result for "${query}"`);
  else {
    const first = await results.first().textContent();
    if (!hostile && !first.includes('trade:update')) fail(`search: first result for "${query}" is "${first}"`);
    await page.screenshot({ path: path.join(shotDir, `${hostile ? 'hostile-' : ''}search.png`) });
    await page.press('#search', 'Enter');
    await page.waitForLoadState('load');
    const hash = new URL(page.url()).hash.slice(1);
    if (!hash || await page.locator(`[id="${hash}"]`).count() !== 1) fail(`search: Enter went to ${page.url()}, no such anchor`);
  }
  if (!hostile) {
    await page.fill('#search', 'executedPrice');
    if (await page.locator('#search-results li a:has-text("executedPrice")').count() === 0) fail('search: fields are not searchable');
  }
  const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.click('#theme-toggle');
  const after = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  if (before === after) fail('theme toggle: the background did not change');
  await page.screenshot({ path: path.join(shotDir, `${hostile ? 'hostile-' : ''}toggled-theme.png`) });
  await page.emulateMedia({ media: 'print' });
  if (await page.locator('nav.sidebar').isVisible()) fail('print: the sidebar is printed');
  await page.close();
} finally {
  await context.close();
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log(`browser test: ${pages.length} pages OK${hostile ? ' (hostile catalog)' : ''}; screenshots in ${shotDir}`);
