// What the admin web's browser test (web_browser_test.mjs) and the benches of the admin web
// (bench/admin-web/page_load.mjs, web_memory.mjs) share: our signal handlers and headless
// Chromium (Debian's /usr/bin/chromium through playwright-core from admin-web/ui/node_modules; no
// browser is ever downloaded), the arguments, the `fulei` commands and daemons (each in its own
// process group, stopped with SIGTERM, then SIGKILL) in a fresh temp dir, a city, a town and a
// village set up with the real commands (`fulei init`, `invite`, `join --token -`, `run`) on
// 127.0.0.1, HTTPS requests to a node's admin web, and the way a script ends.
//
// Import it before anything that could load playwright-core: its signal handlers must come first.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import https from 'node:https'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const repo = path.resolve(here, '../../..')

// Our signal handlers come first: once playwright-core is loaded, a handler added later is
// passed over and SIGTERM ends the process at once, leaving the daemons running. So they are
// installed here, before playwright-core is loaded below; a script sets what they do with
// onSignal() (runMain() does), and until then a signal ends the process at once.
let signalHandler = null
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => (signalHandler ? signalHandler(sig) : process.exit(128 + os.constants.signals[sig])))
export function onSignal(fn) {
  signalHandler = fn
}
const require = createRequire(path.join(repo, 'admin-web/ui/package.json'))
export const { chromium } = require('playwright-core')

// Headless Chromium. Signals are ours to handle (the script's finish closes the browser and stops
// the daemons), not Playwright's, which would end the process with the daemons still running.
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', ...extraArgs], timeout: 30_000,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  })
}
// Closes the browser, giving up after 5 s (it may be what hangs).
export async function closeBrowser(browser) {
  try {
    if (browser) await Promise.race([browser.close(), sleep(5000)])
  } catch {}
}

// ---- failures, time, logs ----
export class Failure extends Error {}
export function fail(msg) {
  throw new Failure(msg)
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
export const started = Date.now()
export const elapsed = () => ((Date.now() - started) / 1000).toFixed(1) + 's'
// A log function writing `[12.3s] msg` with `print` (console.log or console.error).
export const logTo = (print) => (msg) => print(`[${elapsed()}] ${msg}`)
export const KEEP = process.env.FULEI_KEEP_DIRS === '1'

export function tail(file, n = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n')
  } catch {
    return ''
  }
}
// The warn/error/fatal lines of a daemon's log.
export function badLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => / (warn|error|fatal) /i.test(l))
}

// A text table: the first column left-aligned, the others right-aligned.
export function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ')
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n')
}

// ---- arguments ----
// `flags` maps each option to [key, kind]: kind 'path' (resolved against the working dir),
// 'int' (a whole number >= the third element, default 0) or true (a switch). -h/--help prints
// `usage`; anything else exits 2.
export function parseArgs(usage, defaults, flags, argv = process.argv.slice(2)) {
  const o = { ...defaults }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const f = flags[a]
    if (a === '-h' || a === '--help') {
      console.log(usage)
      process.exit(0)
    } else if (!f) {
      console.error(`unknown argument ${a}\n${usage}`)
      process.exit(2)
    } else if (f[1] === true) o[f[0]] = true
    else if (f[1] === 'int') {
      const min = f[2] ?? 0
      const n = Number(argv[++i])
      if (!Number.isInteger(n) || n < min) {
        console.error(`${a} wants a whole number >= ${min}\n${usage}`)
        process.exit(2)
      }
      o[f[0]] = n
    } else o[f[0]] = argv[++i]
  }
  for (const f of Object.values(flags)) if (f[1] === 'path') o[f[0]] = path.resolve(o[f[0]] || '')
  return o
}

// ---- the network ----
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

// One HTTPS request to a node's admin web (self-signed certificate): {status, headers, body (a
// Buffer, as received), text}. `gzip` asks for a compressed answer (the body then stays so).
export function webRequest(port, method, p, body, cookie = '', csrf = '', { timeout = 5000, gzip = false } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body)
    const headers = { Accept: 'application/json' }
    if (gzip) headers['Accept-Encoding'] = 'gzip'
    if (data) headers['Content-Type'] = 'application/json'
    if (cookie) headers.Cookie = cookie
    if (csrf) headers['X-CSRF-Token'] = csrf
    const req = https.request({ host: '127.0.0.1', port, method, path: p, headers, rejectUnauthorized: false, timeout }, (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () => {
        const b = Buffer.concat(chunks)
        resolve({ status: res.statusCode, headers: res.headers, body: b, text: b.toString('utf8') })
      })
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    if (data) req.write(data)
    req.end()
  })
}

// Logs in through the API: {cookie, csrf}, or null when refused.
export async function apiLogin(port, login, password, requestOptions) {
  const r = await webRequest(port, 'POST', '/api/v1/session', { login, password }, '', '', requestOptions)
  if (r.status !== 200) return null
  const cookie = (r.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ')
  return { cookie, csrf: JSON.parse(r.text).csrf }
}

// Asks `fn` every `everyMs` until it answers truthy (that answer is returned); fails after
// `limitMs`, naming the last error. A Failure thrown by `fn` ends the waiting at once.
export async function waitFor(what, fn, limitMs = 30_000, everyMs = 200) {
  const deadline = Date.now() + limitMs
  let last = ''
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      if (e instanceof Failure) throw e
      last = e.message
    }
    if (Date.now() > deadline) fail(`${what}: not within ${limitMs / 1000}s${last ? ' (' + last + ')' : ''}`)
    await sleep(everyMs)
  }
}

// ---- processes ----
// The `fulei` commands and daemons of one script, in a fresh temp dir (named tmpPrefix...) with
// the daemons' output in its logs/NAME.log. `log` tells of a daemon that needed SIGKILL;
// `healthy` is how long waitHealthy() waits for a daemon's GET /healthz, and how often it asks.
export function fuleiProcesses({ bin, tmpPrefix, log = () => {}, healthy = { limitMs: 30_000, everyMs: 200 } }) {
  const root = fs.mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), tmpPrefix))
  const logDir = path.join(root, 'logs')
  fs.mkdirSync(logDir)
  const daemons = new Map() // name -> {proc, dir, logFile, done, exited: Promise of the exit code or signal}
  const commands = new Set() // `fulei` commands running now (init, invite, join, user, record, status)
  let stopping = false // shutdown() began: start nothing more

  // Runs `fulei args...` to its end with `input` on stdin; rejects after `limitMs`.
  function fulei(args, input = '', limitMs = 60_000) {
    return new Promise((resolve, reject) => {
      if (stopping) return reject(new Failure('stopping'))
      const p = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
      commands.add(p)
      p.on('exit', () => commands.delete(p))
      let out = ''
      let err = ''
      p.stdout.on('data', (d) => (out += d))
      p.stderr.on('data', (d) => (err += d))
      const timer = setTimeout(() => {
        try {
          process.kill(-p.pid, 'SIGKILL')
        } catch {}
        reject(new Failure(`fulei ${args.join(' ')}: no answer within ${limitMs / 1000}s`))
      }, limitMs)
      p.on('error', (e) => {
        clearTimeout(timer)
        commands.delete(p)
        reject(new Failure(`fulei ${args.join(' ')}: ${e.message}`))
      })
      p.on('close', (code) => {
        clearTimeout(timer)
        resolve({ code, out: out.trim(), err: err.trim() })
      })
      p.stdin.on('error', () => {})
      p.stdin.end(input)
    })
  }
  async function mustFulei(args, input = '', limitMs) {
    const r = await fulei(args, input, limitMs)
    if (r.code !== 0) fail(`fulei ${args.join(' ')} exited ${r.code}:\n${r.err || r.out}`)
    return r.out
  }

  // `fulei run --dir DIR` in its own process group, its output in logs/NAME.log.
  function startDaemon(name, dir) {
    if (stopping) fail('stopping')
    const logFile = path.join(logDir, name + '.log')
    const fd = fs.openSync(logFile, 'a')
    const proc = spawn(bin, ['run', '--dir', dir], { stdio: ['ignore', fd, fd], detached: true })
    fs.closeSync(fd)
    const d = { proc, dir, logFile, done: false }
    d.exited = new Promise((r) => proc.on('exit', (code, sig) => ((d.done = true), r(code ?? sig))))
    daemons.set(name, d)
    return d
  }

  // Stops a daemon's process group: SIGTERM, then SIGKILL after 10 s. Returns how it ended: its
  // exit code or signal, 'killed after 10 s', or null when no such daemon runs.
  async function stopDaemon(name) {
    const d = daemons.get(name)
    if (!d) return null
    daemons.delete(name)
    if (d.done) return d.exited
    try {
      process.kill(-d.proc.pid, 'SIGTERM')
    } catch {}
    if ((await Promise.race([d.exited, sleep(10_000).then(() => 'timeout')])) === 'timeout') {
      log(`${name}: not stopped 10 s after SIGTERM: SIGKILL`)
      try {
        process.kill(-d.proc.pid, 'SIGKILL')
      } catch {}
      await Promise.race([d.exited, sleep(3_000)])
      return 'killed after 10 s'
    }
    return d.exited
  }

  async function waitHealthy(name, webPort) {
    const d = daemons.get(name)
    await waitFor(`${name}: fulei run answering GET /healthz`, async () => {
      if (d.done) fail(`${name}: fulei run exited:\n${tail(d.logFile)}`)
      const r = await webRequest(webPort, 'GET', '/healthz')
      return r.status === 200
    }, healthy.limitMs, healthy.everyMs)
  }

  async function join(dir, token, args) {
    for (let attempt = 1; ; attempt++) {
      const r = await fulei(['join', '--dir', dir, '--token', '-', ...args], token + '\n')
      if (r.code === 0) return r.out
      // All nodes dial from 127.0.0.1; an upstream admits only a few handshakes a second from one
      // address and drops the others (exit 13 or 15): try again, as node/demo.cc does.
      if ((r.code === 13 || r.code === 15) && attempt < 5) {
        await sleep(2000)
        continue
      }
      fail(`fulei join --dir ${dir} exited ${r.code}:\n${r.err || r.out}`)
    }
  }

  // A city, a town and a village (units named in `units`) as real daemons in root/city, town and
  // village, each with its web on a free port; the town and the village sync with their upstream
  // (the village falls back to the city). Returns {city: {dir, web, sync}, town: ..., village: {dir, web}}.
  async function setUpNetwork(units) {
    const [citySync, townSync, cityWeb, townWeb, villageWeb] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()))
    const a = (p) => '127.0.0.1:' + p
    const n = {
      city: { dir: path.join(root, 'city'), web: cityWeb, sync: citySync },
      town: { dir: path.join(root, 'town'), web: townWeb, sync: townSync },
      village: { dir: path.join(root, 'village'), web: villageWeb },
    }
    const passphrase = 'root-' + Math.random().toString(36).slice(2)
    await mustFulei(['init', '--dir', n.city.dir, '--unit', units.city, '--listen', a(citySync), '--web', a(cityWeb)], passphrase + '\n')
    startDaemon('city', n.city.dir)
    await waitHealthy('city', cityWeb)

    const townToken = await mustFulei(['invite', '--dir', n.city.dir, '--unit', units.town, '--expires', '1h'], passphrase + '\n')
    await join(n.town.dir, townToken, ['--upstream', a(citySync), '--listen', a(townSync), '--web', a(townWeb)])
    startDaemon('town', n.town.dir)
    await waitHealthy('town', townWeb)

    const villageToken = await mustFulei(['invite', '--dir', n.town.dir, '--unit', units.village, '--expires', '1h'])
    await join(n.village.dir, villageToken, ['--upstream', a(townSync), '--fallback', a(citySync), '--web', a(villageWeb)])
    startDaemon('village', n.village.dir)
    await waitHealthy('village', villageWeb)
    return n
  }

  // Starts nothing more, kills the running commands and stops every daemon. Returns how each
  // daemon ended ({name: as stopDaemon}).
  async function shutdown() {
    stopping = true
    for (const p of commands) {
      try {
        process.kill(-p.pid, 'SIGKILL')
      } catch {}
    }
    const names = [...daemons.keys()]
    const how = await Promise.all(names.map((n) => stopDaemon(n)))
    return Object.fromEntries(names.map((n, i) => [n, how[i]]))
  }

  // The daemons' log files, by name (NAME.log).
  function logFiles() {
    return fs.existsSync(logDir) ? fs.readdirSync(logDir).map((f) => [f, path.join(logDir, f)]) : []
  }

  // Removes the temp dir, or keeps it with FULEI_KEEP_DIRS=1 (saying so with `say`).
  function removeRoot(say) {
    if (KEEP) say(`kept ${root} (FULEI_KEEP_DIRS=1)`)
    else fs.rmSync(root, { recursive: true, force: true })
  }

  return { root, daemons, fulei, mustFulei, startDaemon, stopDaemon, waitHealthy, join, setUpNetwork, shutdown, logFiles, removeRoot }
}

// ---- the end, whichever way it comes ----
// Runs `main`, then `finish(code, why)` once, whichever way the script ends: main done (0) or
// failed (1), longer than `limitMs` (1, `tooLong`), or a signal (`interrupted(sig)`, by default
// finish(1, 'interrupted by SIG...')). `finish` closes the browser, calls shutdown() and exits.
export function runMain(main, finish, { limitMs, tooLong, interrupted }) {
  let finishing = false
  const end = (code, why) => {
    if (finishing) return
    finishing = true
    return finish(code, why)
  }
  const watchdog = setTimeout(() => end(1, tooLong), limitMs)
  onSignal(interrupted ? (sig) => end(...interrupted(sig)) : (sig) => end(1, `interrupted by ${sig}`))
  main().then(
    () => (clearTimeout(watchdog), end(0)),
    (e) => end(1, e instanceof Failure ? e.message : e.stack || String(e)),
  )
}
