// The record schema (GET /api/v1/types) and the org units (GET /api/v1/units), loaded once per
// session, with the helpers that turn codes into labels in the current language.
import { reactive } from 'vue'
import { api, session } from './api'
import { isZh, i18n } from './i18n'

export const schema = reactive({ types: {}, loaded: false, units: [], unitsByPath: {} })

let typesPromise = null
export function loadTypes() {
  if (!typesPromise) {
    typesPromise = api
      .get('/types')
      .then((r) => {
        const m = {}
        for (const t of r.types || []) m[t.name] = t
        schema.types = m
        schema.loaded = true
        return m
      })
      .catch((e) => {
        typesPromise = null
        throw e
      })
  }
  return typesPromise
}

export async function loadUnits(force = false) {
  if (schema.units.length && !force) return schema.units
  const r = await api.get('/units')
  schema.units = r.units || []
  const m = {}
  for (const u of schema.units) m[u.unit] = u
  schema.unitsByPath = m
  return schema.units
}

export function resetSchema() {
  typesPromise = null
  schema.types = {}
  schema.loaded = false
  schema.units = []
  schema.unitsByPath = {}
}

// zh or en of anything with {zh, en}.
export function lbl(o) {
  if (!o) return ''
  return (isZh() ? o.zh : o.en) || o.zh || o.en || o.name || o.code || ''
}

export function typeLabel(type) {
  const t = schema.types[type]
  return t ? lbl(t) : type
}

export function fieldOf(type, name) {
  const t = schema.types[type]
  return t ? (t.fields || []).find((f) => f.name === name) : undefined
}

export function fieldLabel(type, name) {
  const f = fieldOf(type, name)
  return f ? lbl(f) : name
}

export function codeLabel(type, name, code) {
  const f = fieldOf(type, name)
  const v = f && (f.values || []).find((x) => x.code === code)
  return v ? lbl(v) : code
}

// A unit path as its name ("磁灶镇") when the node knows it, else the path's last segment.
export function unitName(path) {
  if (!path) return ''
  const u = schema.unitsByPath[path]
  if (u && u.name) return u.name
  const office = path.endsWith('/~office')
  if (office) {
    const owner = schema.unitsByPath[path.slice(0, -8)]
    const name = owner && owner.name ? owner.name : path.slice(0, -8)
    return name + (isZh() ? '（机关）' : ' (office)')
  }
  return path
}

export function roleLabel(role) {
  const key = 'roles.' + role
  return i18n.global.te(key) ? i18n.global.t(key) : role
}

// A field's value for display: lists joined, enums and bools as labels, times local.
export function displayValue(type, name, value) {
  const f = fieldOf(type, name)
  if (value === undefined || value === null || value === '') return ''
  const list = Array.isArray(value) ? value : [value]
  const one = (v) => {
    if (!f) return String(v)
    if (f.type === 'enum') return codeLabel(type, name, v)
    if (f.type === 'bool') return v === 'true' ? (isZh() ? '是' : 'yes') : v === 'false' ? (isZh() ? '否' : 'no') : v
    if (f.type === 'time') return localTime(v)
    return String(v).replace(/\t/g, ' · ')
  }
  return list.map(one).join(isZh() ? '、' : ', ')
}

// "2026-11-29T05:02:49Z" → local "2026-11-29 13:02".
export function localTime(t) {
  if (!t) return ''
  const d = new Date(t)
  if (isNaN(d)) return t
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

// Now as the API's UTC time text.
export function nowUtc() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z')
}

export function todayLocal() {
  const d = new Date()
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

// Units at or below the person's unit, by level (for pickers).
export function unitsBelow(level) {
  const mine = session.user ? session.user.unit : ''
  return schema.units.filter(
    (u) => (!level || u.level === level) && (u.unit === mine || u.unit.startsWith(mine + '/')),
  )
}

// The error text for a person: the message, and the field's label when one is at fault.
export function errorText(e, type) {
  if (!e) return ''
  let s = e.message || String(e)
  if (e.field) {
    const label = type ? fieldLabel(type, e.field) : e.field
    if (label && !s.includes(label)) s += isZh() ? `（字段：${label}）` : ` (field: ${label})`
  }
  return s
}

// Form values from a stored record: registers as text, sets as lists, logs as [] (new entries).
export function formFromRecord(type, record) {
  const out = {}
  const t = schema.types[type]
  for (const f of (t && t.fields) || []) {
    const v = record && record.fields ? record.fields[f.name] : undefined
    if (f.shape === 'log') out[f.name] = []
    else if (f.shape === 'set') out[f.name] = Array.isArray(v) ? [...v] : v ? [v] : []
    else out[f.name] = Array.isArray(v) ? v[0] || '' : v || ''
  }
  return out
}

// The `fields` of a POST (record === null: every value given) or a PUT (only what changed; a
// log is sent as its stored entries followed by the new ones).
export function fieldsToSend(type, values, record) {
  const t = schema.types[type]
  const out = {}
  const hidden = (record && record.hidden) || []
  for (const f of (t && t.fields) || []) {
    if (hidden.includes(f.name) || !(f.name in values)) continue
    let v = values[f.name]
    const stored = record && record.fields ? record.fields[f.name] : undefined
    if (f.shape === 'log') {
      const add = (Array.isArray(v) ? v : []).filter((x) => x && String(x).trim())
      if (!add.length) continue
      const before = Array.isArray(stored) ? stored : stored ? [stored] : []
      out[f.name] = [...before, ...add]
    } else if (f.shape === 'set') {
      v = Array.isArray(v) ? v : v ? [v] : []
      const before = Array.isArray(stored) ? stored : stored ? [stored] : []
      if (!record) {
        if (v.length) out[f.name] = v
      } else if (JSON.stringify([...v].sort()) !== JSON.stringify([...before].sort())) {
        out[f.name] = v
      }
    } else {
      v = typeof v === 'string' ? v.trim() : v == null ? '' : String(v)
      const before = Array.isArray(stored) ? stored[0] || '' : stored || ''
      if (!record) {
        if (v !== '') out[f.name] = v
      } else if (v !== before) {
        out[f.name] = v
      }
    }
  }
  return out
}

// The list columns of a type: its required plain register fields, then other short ones.
export function listColumns(type, max = 5) {
  const t = schema.types[type]
  if (!t) return []
  const ok = (f) => f.shape === 'register' && !f.restricted && ['text', 'date', 'enum', 'int', 'time', 'ref', 'bool'].includes(f.type)
  const req = t.fields.filter((f) => ok(f) && f.required)
  const rest = t.fields.filter((f) => ok(f) && !f.required)
  return [...req, ...rest].slice(0, max)
}
