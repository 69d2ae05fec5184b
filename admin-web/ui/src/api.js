// The API client (docs/web-api.md): same-origin fetch with the session cookie, the CSRF token on
// every non-GET, errors as ApiError with the message in the current language.
import { reactive } from 'vue'
import { isZh } from './i18n'

export const session = reactive({
  csrf: '',
  user: null, // {login, name, role, unit}
  node: null, // {unit, level, node_id, upstream: {configured, connected, last_synced}}
  checked: false, // GET /me answered (either way)
})

let onUnauthorized = () => {}
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

// "中文 / English": the part for the current language (the whole text when it has no " / ").
export function localText(message) {
  if (!message) return ''
  const i = message.indexOf(' / ')
  if (i < 0) return message
  return isZh() ? message.slice(0, i) : message.slice(i + 3)
}

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const e = (body && body.error) || {}
    super(localText(e.message) || defaultMessage(status))
    this.status = status
    this.code = e.code || (status === 0 ? 'network' : 'http_' + status)
    this.field = e.field || ''
    this.current = e.current || null
    this.retryAfter = retryAfter || 0
  }
}

function defaultMessage(status) {
  const zh = isZh()
  if (status === 0) return zh ? '无法连接节点，请检查网络' : 'Cannot reach the node; check the network'
  if (status === 401) return zh ? '请先登录' : 'Please log in'
  if (status === 403) return zh ? '无权查看或操作' : 'Not allowed'
  if (status === 404) return zh ? '未找到' : 'Not found'
  if (status === 409) return zh ? '已被他人修改' : 'Changed by someone else'
  if (status === 413) return zh ? '内容过大' : 'Too large'
  return zh ? `服务器错误（${status}）` : `Server error (${status})`
}

export async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' }
  const init = { method, credentials: 'same-origin', headers }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = session.csrf
  let res
  try {
    res = await fetch('/api/v1' + path, init)
  } catch {
    throw new ApiError(0, null)
  }
  if (res.status === 204) return null
  const text = await res.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data, Number(res.headers.get('Retry-After')) || 0)
    if (res.status === 401 && !opts.noRedirect) onUnauthorized()
    throw err
  }
  return data
}

export const api = {
  get: (p, o) => request('GET', p, undefined, o),
  post: (p, b, o) => request('POST', p, b === undefined ? {} : b, o),
  put: (p, b, o) => request('PUT', p, b, o),
  del: (p, o) => request('DELETE', p, undefined, o),
}

// "?a=1&b=2" from an object, leaving out empty values.
export function qs(params) {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v))
  }
  const s = u.toString()
  return s ? '?' + s : ''
}

export const enc = encodeURIComponent

export async function login(loginName, password) {
  const r = await api.post('/session', { login: loginName, password }, { noRedirect: true })
  session.csrf = r.csrf
  session.user = r.user
  await loadMe()
}

export async function loadMe() {
  try {
    const r = await api.get('/me', { noRedirect: true })
    session.csrf = r.csrf
    session.user = r.user
    session.node = r.node
  } catch (e) {
    if (e.status === 401) {
      session.user = null
      session.csrf = ''
    } else {
      throw e
    }
  } finally {
    session.checked = true
  }
  return session.user
}

export async function logout() {
  try {
    await api.del('/session', { noRedirect: true })
  } catch {
    /* the session may be gone already */
  }
  session.user = null
  session.csrf = ''
  session.node = null
}
