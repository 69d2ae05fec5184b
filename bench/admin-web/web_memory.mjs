#!/usr/bin/env node
// The memory the admin web adds to a village node, run by hand (never a test). A city, a town
// and a village set up with the real commands (`fulei init`, `invite`, `join --token -`, `run`,
// `user add`, `record put`) in a fresh temp dir on 127.0.0.1; the village given a year of data
// (by default 50 children, each with a guardian and a family-care pairing with one of 15
// helpers, and 4 contacts per child: 365 records) through `fulei record put`, synced to the town.
// Then the village daemon is started twice on that same data, and /proc/PID/status read:
//
//   (a) `fulei run` WITHOUT [web] listen (the line commented out in fulei.toml):
//       a0  after sync settled (upstream connected, sync idle, nothing pending) and --settle s
//       a1  after a quiet window as long as (b)'s client phase, with one `fulei record put`
//           in it (as in (b)); VmHWM reset at a0 (clear_refs 5), so a1's HWM is the window's peak
//   (b) WITH [web] listen:
//       b0  as a0 (the web server listening, no client yet)
//       b1  after a director logged in through the UI in headless Chromium (its dashboard
//           shown) and once more through the API for the calls of b2: two argon2id password
//           checks, 64 MiB each for an instant; HWM reset at b0
//       b2  after the UI's pages (children list, a child's record, family care, the dashboard)
//           and API calls over HTTPS (stats, units, status, overdue, types, the children list, a
//           search, two children's records, contacts, pairings, reports) and GET
//           /api/v1/events held open --sse s while `fulei record put` writes a contact (the
//           events seen are listed); HWM reset at b1
//       b3  the browser closed (its event stream with it), 5 s later
//
// VmHWM at a0/b0 is the peak since the daemon started: with the web on, the API computes an
// argon2id hash at start (admin-web/api.cc, dummy_hash_, checked against for unknown logins:
// 64 MiB, libsodium's interactive limit), which sets it. The VmHWM of the later rows is the
// peak since the previous row (reset by writing 5 to /proc/PID/clear_refs).
//
//   node bench/admin-web/web_memory.mjs [--fulei PATH] [--children N] [--contacts-per-child N]
//                                       [--rounds N] [--settle S] [--sse S]
//
// Always stops the daemons (process groups: SIGTERM, then SIGKILL) and removes the temp dir
// (FULEI_KEEP_DIRS=1 keeps it).
import fs from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
// First: it installs our signal handlers before it loads playwright-core (see there).
import {
  fail, sleep, logTo, parseArgs, launchChromium, closeBrowser, fuleiProcesses, badLines, tail, table, runMain,
  webRequest as request, apiLogin as apiLoginAs, waitFor as waitUntil,
} from '../../tests/admin-web/browser/fulei_net.mjs'

// ---- arguments ----
const opts = parseArgs('usage: web_memory.mjs [--fulei PATH] [--children N] [--contacts-per-child N] [--rounds N] [--settle S] [--sse S]',
  { fulei: '/tmp/fig/fulei', children: 50, contactsPerChild: 4, helpers: 15, rounds: 1, settle: 10, sse: 5 },
  {
    '--fulei': ['fulei', 'path'], '--children': ['children', 'int', 1], '--contacts-per-child': ['contactsPerChild', 'int'],
    '--rounds': ['rounds', 'int', 1], '--settle': ['settle', 'int'], '--sse': ['sse', 'int', 1],
  })
opts.helpers = Math.max(1, Math.min(opts.helpers, opts.children))
const PASSWORD = 'bench-memory-2026'
const OVERALL_LIMIT_MS = 900_000
const log = logTo(console.error)

// ---- processes ----
// Waits last up to 60 s, asking every 250 ms.
const procs = fuleiProcesses({ bin: opts.fulei, tmpPrefix: 'fulei-bench-memory-', log, healthy: { limitMs: 60_000, everyMs: 250 } })
const { daemons, fulei, mustFulei, startDaemon, stopDaemon, waitHealthy } = procs
const waitFor = (what, fn) => waitUntil(what, fn, 60_000, 250)
// Requests ask for gzip (the body sizes reported are as sent) and wait up to 10 s.
const webRequest = (port, method, p, body, cookie, csrf) => request(port, method, p, body, cookie, csrf, { timeout: 10_000, gzip: true })
const apiLogin = (port, login) => apiLoginAs(port, login, PASSWORD, { timeout: 10_000, gzip: true })

async function status(dir) {
  const r = await fulei(['status', '--dir', dir, '--json'])
  if (r.code !== 0) return null
  return JSON.parse(r.out)
}
// Upstream connected, a sync done, nothing pending, sync idle.
async function waitSynced(name) {
  const d = daemons.get(name)
  return waitFor(`${name}: sync settled`, async () => {
    if (d.done) fail(`${name}: fulei run exited:\n${tail(d.logFile)}`)
    const s = await status(d.dir)
    return s && s.daemon && s.upstreams?.[0]?.connected && s.upstreams[0].last_sync && s.sync_idle && s.store?.pending_ops === 0 && s
  })
}

// ---- /proc ----
function procStatus(pid) {
  const want = ['VmRSS', 'VmHWM', 'RssAnon', 'RssFile', 'VmSize', 'Threads']
  const o = {}
  for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const [k, v] = line.split(':')
    if (want.includes(k)) o[k] = parseInt(v, 10)
  }
  return o
}
function resetHwm(pid) {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5')
}
function openFds(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length
  } catch {
    return NaN
  }
}

// ---- the network and its data ----
const CITY = 'jinjiang'
const TOWN = 'jinjiang/cizao'
const VILLAGE = 'jinjiang/cizao/v01'
const DIRECTOR = 'dir-cizao-v01'
const N = {}
const id = (p, k, w = 3) => p + String(k).padStart(w, '0')
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高'
const GIVEN = ['小明', '小红', '子涵', '欣怡', '浩然', '梓萱', '宇轩', '雨桐', '俊杰', '诗琪', '家豪', '思雨']
const day = (daysAgo) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)

function villageRecords() {
  const recs = []
  for (let h = 1; h <= opts.helpers; h++) {
    recs.push(['helper', id('h', h), { name: SURNAMES[h % SURNAMES.length] + '爱心' + h + '（基准）', kind: h % 3 ? 'volunteer' : 'teacher', gender: h % 2 ? 'female' : 'male', loving_parent: 'true', active: 'true', phone: '1390001' + String(h).padStart(4, '0'), joined_on: day(400 + h) }])
  }
  for (let c = 1; c <= opts.children; c++) {
    const g = id('g', c)
    const name = SURNAMES[c % SURNAMES.length] + GIVEN[c % GIVEN.length] + c + '（基准）'
    recs.push(['guardian', g, { name: SURNAMES[c % SURNAMES.length] + '奶奶（基准）', relation: 'grandparent', phone: '1380000' + String(c).padStart(4, '0'), capacity: c % 5 ? 'full' : 'limited', address: '磁灶镇某村' + c + '号（基准）', children: [id('c', c)] }])
    recs.push(['child', id('c', c), {
      name, gender: c % 2 ? 'male' : 'female', birth_date: `${2008 + (c % 10)}-0${1 + (c % 9)}-1${c % 10}`,
      category: c % 7 ? 'left_behind' : 'in_difficulty', father_status: 'working_away', mother_status: c % 3 ? 'working_away' : 'present',
      father_work_place: '广东省东莞市（基准）', guardians: [g], consent_by: g, consent_on: day(300), school_level: c % 4 ? 'primary' : 'junior_high',
      school: '磁灶镇中心小学（基准）', grade: String(1 + (c % 6)) + '年级', address: '磁灶镇某村' + c + '号（基准）', programme_status: 'active',
      health: 'healthy', living_notes: '家庭主要收入来自父母外出务工，祖辈照料日常生活。（基准测试数据）',
    }])
    const h = id('h', 1 + (c % opts.helpers))
    recs.push(['pairing', id('p', c), { helper: h, child: id('c', c), kind: 'family_care', start_date: day(250) }])
    for (let k = 1; k <= opts.contactsPerChild; k++) {
      recs.push(['contact', `t${String(c).padStart(3, '0')}-${k}`, { kind: k % 2 ? 'talk' : 'home_visit', child: id('c', c), helper: h, date: day(k * 30 - (c % 20)), minutes: String(20 + (k * 7) % 40), notes: '了解孩子近期学习和生活情况，情绪稳定。（基准测试数据）' }])
    }
  }
  return recs
}

async function putAll(dir, recs, parallel = 3) {
  let next = 0
  const worker = async () => {
    while (next < recs.length) {
      const [type, rid, fields] = recs[next++]
      await mustFulei(['record', 'put', '--dir', dir, '--type', type, '--id', rid, '--fields', JSON.stringify(fields)])
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
}

async function setUp() {
  Object.assign(N, await procs.setUpNetwork({ city: CITY, town: TOWN, village: VILLAGE }))
  log(`city, town, village up (village web ${N.village.web}); data in ${procs.root}`)

  await mustFulei(['user', 'add', '--dir', N.town.dir, '--login', DIRECTOR, '--role', 'director', '--unit', VILLAGE, '--name', '林主任（基准）'], PASSWORD + '\n')
  const recs = villageRecords()
  const t0 = Date.now()
  await putAll(N.village.dir, recs)
  log(`${recs.length} records written at the village with fulei record put in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  await waitFor('the director account reaching the village', () => apiLogin(N.village.web, DIRECTOR))
  await waitSynced('village')
  await waitFor('the village records reaching the town', async () => {
    const s = await status(N.town.dir)
    return s && (s.records?.child ?? 0) >= opts.children && (s.records?.contact ?? 0) >= opts.children * opts.contactsPerChild
  })
  const s = await status(N.village.dir)
  log(`village synced: records ${JSON.stringify(s.records)}, store ${(s.store.used_bytes / 1024).toFixed(0)} KiB`)
  await stopDaemon('village')
  return recs.length
}

// The village's fulei.toml with its [web] listen line on or commented out.
function setWeb(on) {
  const file = path.join(N.village.dir, 'fulei.toml')
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  let section = ''
  let found = false
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^\s*\[([^\]]+)\]\s*$/)
    if (m) section = m[1]
    if (section !== 'web') continue
    if (/^\s*#?\s*listen\s*=\s*"127\.0\.0\.1:\d+"/.test(lines[i])) {
      lines[i] = (on ? '' : '# ') + lines[i].replace(/^\s*#\s*/, '')
      found = true
    }
  }
  if (!found) fail(`no [web] listen line in ${file}`)
  fs.writeFileSync(file, lines.join('\n'))
}

let browser = null
let putSerial = 0
async function onePut() {
  const k = ++putSerial
  await mustFulei(['record', 'put', '--dir', N.village.dir, '--type', 'contact', '--id', `bench-${k}`,
    '--fields', JSON.stringify({ kind: 'talk', child: 'c001', helper: id('h', 1 + (1 % opts.helpers)), date: day(0), minutes: '15', notes: '基准测试期间的一次谈心。' })])
}

async function startVillage(web) {
  setWeb(web)
  const d = startDaemon('village', N.village.dir)
  if (web) await waitHealthy('village', N.village.web)
  await waitSynced('village')
  await sleep(opts.settle * 1000)
  return d.proc.pid
}

function sample(label, pid, extra = {}) {
  return { label, ...procStatus(pid), fds: openFds(pid), ...extra }
}

async function runWithout(round) {
  log(`round ${round} (a): village without [web] listen`)
  const pid = await startVillage(false)
  const rows = [sample('a0 settled, no web', pid)]
  resetHwm(pid)
  const t0 = Date.now()
  await sleep(2000)
  await onePut()
  // As long as (b)'s client phase takes (about 10 s + the event stream).
  await sleep((8 + opts.sse) * 1000)
  rows.push(sample('a1 quiet window + 1 put', pid, { window_s: (Date.now() - t0) / 1000 }))
  await stopDaemon('village')
  return rows
}

async function runWith(round) {
  log(`round ${round} (b): village with [web] listen`)
  const pid = await startVillage(true)
  const port = N.village.web
  const base = `https://127.0.0.1:${port}`
  const rows = [sample('b0 settled, web idle', pid)]
  resetHwm(pid)

  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } })
  ctx.setDefaultTimeout(30_000)
  const page = await ctx.newPage()
  const odd = []
  page.on('pageerror', (e) => odd.push('page error: ' + e.message))
  page.on('response', (r) => r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/api/v1/me')) && odd.push(`${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()}`))
  let uiEvents = 0
  page.on('request', (r) => r.url().includes('/api/v1/events') && uiEvents++)
  const wire = { bytes: 0, requests: 0 }
  const cdp = await ctx.newCDPSession(page)
  cdp.on('Network.loadingFinished', (e) => ((wire.bytes += e.encodedDataLength), wire.requests++))
  await cdp.send('Network.enable')
  await page.goto(`${base}/#/login`)
  await page.locator('input[name=login]').fill(DIRECTOR)
  await page.locator('input[name=password]').fill(PASSWORD)
  await page.locator('button[type=submit]').click()
  await page.locator('.topbar').waitFor()
  await page.locator('.chart canvas').first().waitFor()
  // The API client's login too (each login is an argon2id check): b2's peak is without logins.
  // With a GET /healthz sent 30 ms into it: is the node answering anything while it checks?
  const tl = performance.now()
  const loginP = apiLogin(port, DIRECTOR).then((v) => ((probe.login = performance.now() - tl), v))
  const probe = {}
  await sleep(30)
  const th = performance.now()
  await webRequest(port, 'GET', '/healthz')
  probe.healthz = performance.now() - th
  const me = await loginP
  if (!me) fail('API login of the director failed')
  rows.push(sample('b1 UI load + 2 logins', pid))
  resetHwm(pid)

  const t0 = Date.now()
  await page.goto(`${base}/#/children`)
  await page.getByText('（基准）').first().waitFor()
  await page.goto(`${base}/#/children/c001?unit=${encodeURIComponent(VILLAGE)}`)
  await page.getByText(' · ').first().waitFor()
  await page.goto(`${base}/#/family-care`)
  await sleep(1000)
  await page.goto(`${base}/#/dashboard`)
  await page.locator('.chart canvas').first().waitFor()

  // The API through node's HTTPS client, as another person's browser would call it.
  const u = encodeURIComponent(VILLAGE)
  const calls = [
    `/api/v1/stats?unit=${u}`, '/api/v1/units', '/api/v1/status', `/api/v1/overdue?unit=${u}`, '/api/v1/types',
    `/api/v1/records/child?unit=${u}&limit=50`, `/api/v1/records/child?unit=${u}&offset=0&limit=200&q=${encodeURIComponent('王')}`,
    `/api/v1/records/child/c001?unit=${u}`, `/api/v1/records/child/c002?unit=${u}`, `/api/v1/records/contact?unit=${u}&limit=200`,
    `/api/v1/records/pairing?unit=${u}&limit=200`, `/api/v1/reports?unit=${u}`,
  ]
  const api = []
  for (const c of calls) {
    const t = performance.now()
    const r = await webRequest(port, 'GET', c, undefined, me.cookie)
    api.push({ path: c.split('?')[0], status: r.status, bytes: r.body.length, enc: r.headers['content-encoding'] || 'identity', ms: performance.now() - t })
    if (r.status !== 200) odd.push(`GET ${c} -> ${r.status}: ${r.body.toString().slice(0, 200)}`)
  }
  // The event stream, held open while the node gains ops from a CLI write.
  const events = await new Promise((resolve) => {
    const seen = { lines: [], status: 0 }
    const req = https.request({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { Cookie: me.cookie, Accept: 'text/event-stream' }, rejectUnauthorized: false }, (res) => {
      seen.status = res.statusCode
      res.setEncoding('utf8')
      res.on('data', (d) => seen.lines.push(...d.split('\n').filter((l) => l.startsWith('event:'))))
    })
    req.on('error', (e) => (seen.error = e.message))
    req.end()
    setTimeout(() => onePut().catch((e) => (seen.putError = e.message)), 1000)
    setTimeout(() => (req.destroy(), resolve(seen)), opts.sse * 1000)
  })
  if (events.status !== 200) odd.push(`GET /api/v1/events -> ${events.status || events.error}`)
  if (events.putError) odd.push(`record put during the event stream: ${events.putError}`)
  await webRequest(port, 'DELETE', '/api/v1/session', undefined, me.cookie, me.csrf)
  rows.push(sample('b2 pages + API + SSE', pid, { window_s: (Date.now() - t0) / 1000 }))
  await ctx.close()
  await sleep(5000)
  rows.push(sample('b3 browser closed, +5 s', pid))
  await stopDaemon('village')
  return { rows, api, events: events.lines, odd, wire, uiEvents, probe }
}

const mb = (kib) => (Number.isFinite(kib) ? (kib / 1024).toFixed(1) : '-')
const sgn = (kib) => (Number.isFinite(kib) ? (kib >= 0 ? '+' : '') + (kib / 1024).toFixed(1) : '-')

async function main() {
  if (!fs.existsSync(opts.fulei)) fail(`no fulei binary at ${opts.fulei} (--fulei PATH)`)
  const load0 = os.loadavg()
  const nrec = await setUp()
  browser = await launchChromium()
  const rounds = []
  for (let r = 1; r <= opts.rounds; r++) {
    const a = await runWithout(r)
    const b = await runWith(r)
    rounds.push({ a, b })
  }
  const load1 = os.loadavg()

  const out = []
  out.push(`# memory of the village daemon (fulei run), /proc/PID/status, MiB; ${nrec} records at the village (${opts.children} children, ${opts.contactsPerChild} contacts each)`)
  out.push(`# ${os.cpus().length} CPUs; load average before ${load0.map((x) => x.toFixed(2)).join(' ')}, after ${load1.map((x) => x.toFixed(2)).join(' ')}; fulei ${opts.fulei}`)
  out.push('# VmHWM: a0/b0 since the start; later rows since the row before (clear_refs 5). Each login is an argon2id check (64 MiB), as is the web API\'s start')
  for (const [k, { a, b }] of rounds.entries()) {
    out.push('')
    out.push(`round ${k + 1}`)
    const all = [...a, ...b.rows]
    out.push(table(['', 'VmRSS', 'VmHWM', 'RssAnon', 'RssFile', 'VmSize', 'threads', 'fds'],
      all.map((s) => [s.label, mb(s.VmRSS), mb(s.VmHWM), mb(s.RssAnon), mb(s.RssFile), mb(s.VmSize), s.Threads, s.fds])))
    out.push('')
    const diff = (x, y, what) => [what, sgn(x.VmRSS - y.VmRSS), sgn(x.RssAnon - y.RssAnon), sgn(x.RssFile - y.RssFile), sgn(x.VmHWM - y.VmHWM)]
    out.push(table(['web adds (MiB)', 'VmRSS', 'RssAnon', 'RssFile', 'VmHWM'], [
      diff(b.rows[0], a[0], 'b0 - a0 (listening, idle)'),
      diff(b.rows[2], a[1], 'b2 - a1 (after the client)'),
      diff(b.rows[3], a[1], 'b3 - a1 (client gone)'),
    ]))
    out.push('')
    out.push(table(['API call (node https, Accept-Encoding: gzip)', 'status', 'body bytes', 'encoding', 'ms'], b.api.map((c) => [c.path, c.status, c.bytes, c.enc, c.ms.toFixed(1)])))
    out.push(`events seen on /api/v1/events in ${opts.sse} s (one CLI put at 1 s): ${b.events.length ? b.events.join(', ') : 'none'}; the UI asked for the event stream ${b.uiEvents}x; the browser's ${b.wire.requests} finished requests ${(b.wire.bytes / 1024).toFixed(0)} KiB on the wire`)
    out.push(`POST /api/v1/session took ${b.probe.login.toFixed(0)} ms; a GET /healthz sent 30 ms after it was answered in ${b.probe.healthz.toFixed(0)} ms`)
    if (b.odd.length) out.push(`ODD: ${[...new Set(b.odd)].join(' | ')}`)
  }
  console.log(out.join('\n'))
}

// ---- the end, whichever way it comes ----
async function finish(code, why) {
  if (why) console.error(`\nFAILED: ${why}`)
  await closeBrowser(browser)
  await procs.shutdown()
  const logs = procs.logFiles()
  for (const [f, file] of logs) {
    const bad = badLines(file)
    if (bad.length) console.log(`${f}: ${bad.length} warn/error lines:\n  ${bad.slice(0, 12).join('\n  ')}`)
    else if (code === 0) console.log(`${f}: no warn/error lines`)
  }
  if (code !== 0) for (const [f, file] of logs) console.error(`--- ${f} (last lines)\n${tail(file, 8)}`)
  procs.removeRoot(log)
  process.exit(code)
}
runMain(main, finish, { limitMs: OVERALL_LIMIT_MS, tooLong: `took longer than ${OVERALL_LIMIT_MS / 1000}s` })
