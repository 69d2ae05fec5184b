#!/usr/bin/env node
// Figures of the admin web's first page load, run by hand (never a test): one city node set up
// with the real commands (`fulei init --web`, `fulei run`, `fulei user add`) in a fresh temp dir
// on 127.0.0.1, its UI opened in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core from admin-web/ui/node_modules; no browser is downloaded).
//
//   node bench/admin-web/page_load.mjs [--fulei PATH] [--runs N] [--login-runs N] [--json]
//
// Each of the N runs opens https://127.0.0.1:PORT/ in a new browser context (empty cache, no
// cookies) and reports, in ms from the navigation's start (Navigation Timing / Paint Timing):
//   responseEnd               the index.html fully received
//   domContentLoadedEventEnd  DOMContentLoaded handlers done
//   loadEventEnd              the load event done
//   first-contentful-paint    Paint Timing
//   login visible (page)      the login form's input[name=login] first laid out with a size,
//                             seen by a requestAnimationFrame watcher in the page
//   login visible (driver)    page.goto() called -> page.waitForSelector(input, visible) answered
//                             (wall clock in node: includes the driver's round trips)
// and the bytes of the load: the sum over the navigation and every resource of encodedBodySize
// (body bytes as sent, compressed if they were) and decodedBodySize (after decoding), and the
// bytes on the wire as Chromium's network layer counts them (CDP Network.loadingFinished
// encodedDataLength: headers + bodies, without TLS overhead).
// Then a repeat visit (the login page in a new tab of the same context, cache warm) with the
// certificate not trusted (errors ignored, as above) and trusted (its key pinned); then
// --login-runs (default 1) logged-in runs, each in a new context: the login page loaded, the
// login submitted through the form, until the dashboard's first chart canvas is visible (and the
// app's top bar, for comparison), timed in the page from the submit button's click.
// Prints per-run rows, then the median and max of each column.
//
// Exits non-zero on any failure; always closes the browser, stops the daemon (its process group:
// SIGTERM, then SIGKILL) and removes the temp dir (FULEI_KEEP_DIRS=1 keeps it).
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
// First: it installs our signal handlers before it loads playwright-core (see there).
import { fail, sleep, logTo, parseArgs, launchChromium, closeBrowser, fuleiProcesses, freePort, badLines, tail, table, runMain } from '../../tests/admin-web/browser/fulei_net.mjs'

// ---- arguments ----
const opts = parseArgs('usage: page_load.mjs [--fulei PATH] [--runs N] [--login-runs N] [--json]',
  { fulei: '/tmp/fig/fulei', runs: 10, loginRuns: 1, json: false },
  { '--fulei': ['fulei', 'path'], '--runs': ['runs', 'int'], '--login-runs': ['loginRuns', 'int'], '--json': ['json', true] })
const PASSWORD = 'bench-page-load-2026'
const LOGIN = 'city-bench'
const OVERALL_LIMIT_MS = 600_000
const log = logTo(console.error)

// ---- the daemon ----
const procs = fuleiProcesses({ bin: opts.fulei, tmpPrefix: 'fulei-bench-pageload-', log, healthy: { limitMs: 30_000, everyMs: 100 } })
const { root, mustFulei } = procs
const logFile = path.join(root, 'logs', 'city.log')

// ---- figures ----
function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (!s.length) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
function max(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x))
  return s.length ? Math.max(...s) : NaN
}
const fmt = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-')
const kb = (b) => (typeof b === 'number' && Number.isFinite(b) ? (b / 1024).toFixed(1) : '-')
// Runs in the page before its own scripts: notes when a selector is first laid out with a size.
function watcherScript() {
  window.__bench = { marks: {}, watch: {} }
  const visible = (sel) => {
    const el = document.querySelector(sel)
    if (!el) return false
    const r = el.getBoundingClientRect()
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
  }
  const tick = () => {
    for (const [name, sel] of Object.entries(window.__bench.watch)) {
      if (!(name in window.__bench.marks) && visible(sel)) window.__bench.marks[name] = performance.now()
    }
    requestAnimationFrame(tick)
  }
  window.__bench.watch.login = 'input[name=login]'
  requestAnimationFrame(tick)
}

// ---- the runs ----
// Before login the UI asks GET /api/v1/me, answered 401: Chromium logs that on the console.
const EXPECTED_CONSOLE = /^console: Failed to load resource: the server responded with a status of 401/
let browser = null
let port = 0
const oddities = []

async function newContext() {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } })
  ctx.setDefaultTimeout(30_000)
  await ctx.addInitScript(watcherScript)
  const page = await ctx.newPage()
  const seen = { errors: [], bad: [] }
  page.on('pageerror', (e) => seen.errors.push('page error: ' + e.message))
  page.on('console', (m) => m.type() === 'error' && seen.errors.push('console: ' + m.text()))
  page.on('requestfailed', (r) => seen.bad.push(`${r.method()} ${new URL(r.url()).pathname} failed: ${r.failure()?.errorText}`))
  page.on('response', (r) => r.status() >= 400 && seen.bad.push(`${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()}`))
  // Bytes on the wire as the network layer counts them (headers + bodies).
  const cdp = await ctx.newCDPSession(page)
  const wire = { bytes: 0, requests: 0 }
  cdp.on('Network.loadingFinished', (e) => ((wire.bytes += e.encodedDataLength), wire.requests++))
  await cdp.send('Network.enable')
  return { ctx, page, seen, wire }
}

async function firstLoad(k) {
  const { ctx, page, seen, wire } = await newContext()
  try {
    const t0 = performance.now()
    await page.goto(`https://127.0.0.1:${port}/`, { waitUntil: 'load' })
    await page.waitForSelector('input[name=login]', { state: 'visible' })
    const driverLogin = performance.now() - t0
    // loadEventEnd is set just after the load handlers return: wait for it.
    await page.waitForFunction(() => performance.getEntriesByType('navigation')[0]?.loadEventEnd > 0)
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, { timeout: 5000 }).catch(() => {})
    await page.waitForFunction(() => 'login' in window.__bench.marks, null, { timeout: 5000 }).catch(() => {})
    await sleep(300) // late resources (fonts, lazy chunks) of the login page
    const m = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0]
      const res = performance.getEntriesByType('resource')
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]
      const sum = (k) => n[k] + res.reduce((s, r) => s + (r[k] || 0), 0)
      return {
        url: location.href,
        responseStart: n.responseStart,
        responseEnd: n.responseEnd,
        dcl: n.domContentLoadedEventEnd,
        load: n.loadEventEnd,
        fcp: fcp ? fcp.startTime : null,
        loginPage: window.__bench.marks.login ?? null,
        encoded: sum('encodedBodySize'),
        decoded: sum('decodedBodySize'),
        transfer: sum('transferSize'),
        resources: res.length + 1,
        byType: [n, ...res].map((r) => ({ name: new URL(r.name).pathname, encoded: r.encodedBodySize, decoded: r.decodedBodySize, start: r.startTime, end: r.responseEnd, status: r.responseStatus, transfer: r.transferSize })),
      }
    })
    m.wireBytes = wire.bytes
    m.wireRequests = wire.requests
    const enc = await page.evaluate(async () => {
      // The index and the largest script as the server sends them: compressed or not.
      const r = await fetch('/', { cache: 'no-store' })
      return r.headers.get('content-encoding') || 'identity'
    })
    m.contentEncoding = enc
    m.driverLogin = driverLogin
    m.run = k
    for (const e of seen.errors) if (!EXPECTED_CONSOLE.test(e)) oddities.push(`run ${k}: ${e}`)
    for (const b of seen.bad) if (!/\/api\/v1\/me -> 401$/.test(b)) oddities.push(`run ${k}: ${b}`)
    const times = {}
    for (const r of m.byType) times[r.name] = (times[r.name] || 0) + 1
    for (const [name, n] of Object.entries(times)) if (n > 1) oddities.push(`${name} fetched ${n} times in one load of the login page`)
    m.expected401 = seen.bad.filter((b) => /\/api\/v1\/me -> 401$/.test(b)).length
    return m
  } finally {
    await ctx.close()
  }
}

async function loggedIn(k) {
  const { ctx, page, seen } = await newContext()
  try {
    // From /#/login, as a bookmark of the login page: logging in from a bare / lands on 儿童, not
    // on the person's home (the dashboard), see the note printed at the end.
    await page.goto(`https://127.0.0.1:${port}/#/login`, { waitUntil: 'load' })
    await page.waitForSelector('input[name=login]', { state: 'visible' })
    await page.locator('input[name=login]').fill(LOGIN)
    await page.locator('input[name=password]').fill(PASSWORD)
    await page.evaluate(() => {
      const b = window.__bench
      b.watch.chart = '.chart canvas'
      b.watch.topbar = '.topbar'
      b.watch.kpi = '.kpis .kpi .n'
      document.addEventListener('click', (e) => e.target.closest && e.target.closest('button[type=submit]') && (b.marks.submit ??= performance.now()), true)
    })
    const t0 = performance.now()
    await page.locator('button[type=submit]').click()
    await page.waitForSelector('.chart canvas', { state: 'visible' }).catch(async (e) => {
      const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 600)
      const charts = await page.evaluate(() => [...document.querySelectorAll('.chart')].map((c) => `${c.clientWidth}x${c.clientHeight}:${c.querySelectorAll('canvas').length}`))
      fail(`logged in: no visible chart canvas at ${page.url()} (${e.message.split('\n')[0]}); .chart boxes ${JSON.stringify(charts)}; ` +
        `page says: ${text}; seen: ${[...seen.errors, ...seen.bad].join(' | ')}`)
    })
    const driverChart = performance.now() - t0
    await page.waitForFunction(() => 'chart' in window.__bench.marks, null, { timeout: 5000 }).catch(() => {})
    const m = await page.evaluate(() => {
      const { marks } = window.__bench
      const api = performance.getEntriesByType('resource').filter((r) => r.startTime >= marks.submit && new URL(r.name).pathname.startsWith('/api/'))
      return {
        url: location.href,
        topbar: marks.topbar != null ? marks.topbar - marks.submit : null,
        kpi: marks.kpi != null ? marks.kpi - marks.submit : null,
        chart: marks.chart != null ? marks.chart - marks.submit : null,
        apiCalls: api.map((r) => `${new URL(r.name).pathname} ${(r.responseEnd - r.startTime).toFixed(0)}ms`),
      }
    })
    m.driverChart = driverChart
    m.run = k
    for (const e of seen.errors) if (!EXPECTED_CONSOLE.test(e)) oddities.push(`login run ${k}: ${e}`)
    for (const b of seen.bad) if (!/\/api\/v1\/me -> 401$/.test(b)) oddities.push(`login run ${k}: ${b}`)
    return m
  } finally {
    await ctx.close()
  }
}

// A repeat visit: the login page loaded once in a context, then opened again in a new tab of the
// same context (the HTTP cache warm). `trusted`: in a browser that trusts the node's certificate
// (launched with --ignore-certificate-errors-spki-list of its key) instead of ignoring errors.
async function repeatVisit(b, trusted) {
  const ctx = await b.newContext({ ignoreHTTPSErrors: !trusted, locale: 'zh-CN', viewport: { width: 1280, height: 800 } })
  ctx.setDefaultTimeout(30_000)
  await ctx.addInitScript(watcherScript)
  try {
    const visit = async () => {
      const page = await ctx.newPage()
      const cdp = await ctx.newCDPSession(page)
      const wire = { bytes: 0, requests: 0, fromCache: 0 }
      cdp.on('Network.loadingFinished', (e) => ((wire.bytes += e.encodedDataLength), wire.requests++))
      cdp.on('Network.responseReceived', (e) => e.response.fromDiskCache && wire.fromCache++)
      await cdp.send('Network.enable')
      await page.goto(`https://127.0.0.1:${port}/`, { waitUntil: 'load' })
      await page.waitForSelector('input[name=login]', { state: 'visible' })
      await page.waitForFunction(() => 'login' in window.__bench.marks, null, { timeout: 5000 }).catch(() => {})
      await sleep(300)
      const loginPage = await page.evaluate(() => window.__bench.marks.login ?? null)
      await page.close()
      return { ...wire, loginPage }
    }
    return { first: await visit(), again: await visit() }
  } finally {
    await ctx.close()
  }
}

// Where a person lands who opens the bare address and logs in (their home is the first entry
// of their menu, the dashboard for every staff role).
async function landing() {
  const { ctx, page } = await newContext()
  try {
    await page.goto(`https://127.0.0.1:${port}/`, { waitUntil: 'load' })
    await page.waitForSelector('input[name=login]', { state: 'visible' })
    const before = new URL(page.url()).hash
    await page.locator('input[name=login]').fill(LOGIN)
    await page.locator('input[name=password]').fill(PASSWORD)
    await page.locator('button[type=submit]').click()
    await page.waitForSelector('.topbar', { state: 'visible' })
    await page.waitForFunction(() => !location.hash.startsWith('#/login'))
    await sleep(300)
    return { before, after: new URL(page.url()).hash }
  } finally {
    await ctx.close()
  }
}

async function main() {
  if (!fs.existsSync(opts.fulei)) fail(`no fulei binary at ${opts.fulei} (--fulei PATH)`)
  const load0 = os.loadavg()
  const [syncPort, webPort] = [await freePort(), await freePort()]
  port = webPort
  const dir = path.join(root, 'city')
  const passphrase = 'root-' + Math.random().toString(36).slice(2)
  log(`fulei init --dir ${dir} --unit jinjiang --listen 127.0.0.1:${syncPort} --web 127.0.0.1:${webPort}`)
  await mustFulei(['init', '--dir', dir, '--unit', 'jinjiang', '--listen', '127.0.0.1:' + syncPort, '--web', '127.0.0.1:' + webPort], passphrase + '\n')
  procs.startDaemon('city', dir)
  await procs.waitHealthy('city', port)
  await mustFulei(['user', 'add', '--dir', dir, '--login', LOGIN, '--role', 'city_bureau', '--unit', 'jinjiang', '--name', '基准测试（市）'], PASSWORD + '\n')

  browser = await launchChromium()
  log(`chromium ${browser.version()}, ${opts.runs} first loads of https://127.0.0.1:${port}/`)
  const loads = []
  for (let k = 1; k <= opts.runs; k++) loads.push(await firstLoad(k))
  const logins = []
  for (let k = 1; k <= opts.loginRuns; k++) logins.push(await loggedIn(k))
  const repeat = { untrusted: await repeatVisit(browser, false) }
  {
    const pem = fs.readFileSync(path.join(dir, 'web-cert.pem'), 'utf8')
    const spki = crypto.createHash('sha256').update(new crypto.X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64')
    const trusting = await launchChromium(['--ignore-certificate-errors-spki-list=' + spki])
    try {
      repeat.trusted = await repeatVisit(trusting, true)
    } finally {
      await trusting.close()
    }
  }
  const land = await landing()
  if (land.after !== '#/dashboard') oddities.push(`opening https://127.0.0.1:PORT/ shows ${land.before}; after logging in there (city_bureau) the app lands on ${land.after}, not on #/dashboard (its home); from /#/login it lands on the dashboard`)
  const load1 = os.loadavg()

  const cols = [
    ['responseEnd', 'responseEnd'],
    ['dcl', 'DCL end'],
    ['load', 'loadEventEnd'],
    ['fcp', 'FCP'],
    ['loginPage', 'login visible (page)'],
    ['driverLogin', 'login visible (driver)'],
  ]
  const out = []
  out.push(`# admin web first load, headless Chromium ${browser.version()}, https://127.0.0.1:${port}/ (loopback, TLS)`)
  out.push(`# ${os.cpus().length} CPUs; load average before ${load0.map((x) => x.toFixed(2)).join(' ')}, after ${load1.map((x) => x.toFixed(2)).join(' ')}`)
  out.push(`# fulei: ${opts.fulei}; ${opts.runs} runs, each in a fresh browser context (empty cache); ms from navigation start`)
  out.push('')
  out.push(table(['run', ...cols.map((c) => c[1]), 'requests', 'body KiB (enc)', 'body KiB (dec)', 'wire KiB'],
    loads.map((m) => [m.run, ...cols.map((c) => fmt(m[c[0]])), m.resources, kb(m.encoded), kb(m.decoded), kb(m.wireBytes)])))
  out.push('')
  out.push(table(['', ...cols.map((c) => c[1])], [
    ['median', ...cols.map((c) => fmt(median(loads.map((m) => m[c[0]]))))],
    ['max', ...cols.map((c) => fmt(max(loads.map((m) => m[c[0]]))))],
  ]))
  if (loads.length) {
    const m = loads[0]
    out.push('')
    out.push(`bytes of the first load (run 1): ${m.resources} responses, bodies ${kb(m.encoded)} KiB as sent (${kb(m.decoded)} KiB decoded), ` +
      `${kb(m.wireBytes)} KiB on the wire incl. headers (${m.wireRequests} requests); index.html Content-Encoding: ${m.contentEncoding}`)
    const all = [...m.byType].sort((a, b) => a.start - b.start)
    out.push(table(['responses of run 1, in order', 'status', 'KiB (enc)', 'KiB (dec)', 'transferSize', 'start ms', 'responseEnd ms'],
      all.map((r) => [r.name, r.status ?? '-', kb(r.encoded), kb(r.decoded), r.transfer ?? '-', fmt(r.start), fmt(r.end)])))
  }
  out.push('')
  out.push('# repeat visit: the login page opened in a new tab of the same context (HTTP cache warm)')
  out.push(table(['certificate', 'visit', 'requests', 'from disk cache', 'wire KiB', 'login visible (page)'],
    Object.entries(repeat).flatMap(([k, v]) => [
      [k === 'trusted' ? 'trusted (SPKI pinned)' : 'not trusted (errors ignored)', 'first', v.first.requests, v.first.fromCache, kb(v.first.bytes), fmt(v.first.loginPage)],
      ['', 'new tab', v.again.requests, v.again.fromCache, kb(v.again.bytes), fmt(v.again.loginPage)],
    ])))
  if (repeat.untrusted.again.bytes > repeat.untrusted.first.bytes / 2) oddities.push(`a new tab re-downloads the UI (${kb(repeat.untrusted.again.bytes)} KiB) while the certificate is not trusted: Chromium keeps nothing in its disk cache from an origin with a certificate error, so Cache-Control immutable on /assets/ does not help until the node's certificate is trusted (${kb(repeat.trusted?.again.bytes)} KiB then)`)
  if (logins.length) {
    out.push('')
    out.push('# logged in: ms from the submit click (new context each; login page loaded first)')
    const lc = [['topbar', 'top bar visible'], ['kpi', 'KPI figures'], ['chart', 'chart canvas visible (page)'], ['driverChart', 'chart canvas (driver)']]
    out.push(table(['run', ...lc.map((c) => c[1])], logins.map((m) => [m.run, ...lc.map((c) => fmt(m[c[0]]))])))
    if (logins.length > 1) {
      out.push(table(['', ...lc.map((c) => c[1])], [
        ['median', ...lc.map((c) => fmt(median(logins.map((m) => m[c[0]]))))],
        ['max', ...lc.map((c) => fmt(max(logins.map((m) => m[c[0]]))))],
      ]))
    }
    out.push(`API calls after the submit (run 1): ${logins[0].apiCalls.join(', ')}`)
  }
  out.push('')
  out.push(loads.length ? `expected: GET /api/v1/me -> 401 before login (${loads[0].expected401} per load, and its console line)` : '')
  out.push(oddities.length ? `ODD (${new Set(oddities).size}):\n  ${[...new Set(oddities)].join('\n  ')}` : 'nothing odd: no page errors, console errors, failed requests or unexpected HTTP errors')
  console.log(out.join('\n'))
  if (opts.json) console.log(JSON.stringify({ loads, logins, repeat, oddities, loadavg: { before: load0, after: load1 } }))
}

// ---- the end, whichever way it comes ----
async function finish(code, why) {
  if (why) console.error(`\nFAILED: ${why}`)
  await closeBrowser(browser)
  const how = (await procs.shutdown()).city
  const bad = fs.existsSync(logFile) ? badLines(logFile) : []
  if (bad.length) console.log(`daemon log: ${bad.length} warn/error lines:\n  ${bad.slice(0, 20).join('\n  ')}`)
  else if (code === 0) console.log('daemon log: no warn/error lines')
  if (how !== null && how !== 0 && how !== undefined) console.log(`daemon stop: ${how}`)
  if (code !== 0) console.error(`--- city.log (last lines)\n${tail(logFile, 10)}`)
  procs.removeRoot(log)
  process.exit(code)
}
runMain(main, finish, { limitMs: OVERALL_LIMIT_MS, tooLong: `took longer than ${OVERALL_LIMIT_MS / 1000}s` })
