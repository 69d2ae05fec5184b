// Live events (GET /api/v1/events, Server-Sent Events): `report`, `record`, `sync` and `changed`
// (the store gained ops from anywhere: a receipt or an acknowledgement from the town arrives
// only so). The data name no person; pages refetch what changed through the API.
import { reactive } from 'vue'
import { session } from './api'

export const live = reactive({
  connected: false,
  lastReport: null, // {type, id, unit, seq}
  lastRecord: null,
  seq: 0,
})

const listeners = new Set()
let source = null

// fn(name, data) for every event; returns the function that stops listening.
export function onEvent(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

function dispatch(name, ev) {
  let data = {}
  try {
    data = JSON.parse(ev.data || '{}')
  } catch {
    return
  }
  live.seq++
  if (name === 'report') live.lastReport = { ...data, seq: live.seq }
  if (name === 'record') live.lastRecord = { ...data, seq: live.seq }
  if (name === 'sync' && session.node && session.node.upstream) {
    session.node.upstream.connected = !!data.upstream_connected
  }
  for (const fn of listeners) {
    try {
      fn(name, data)
    } catch (e) {
      console.error(e)
    }
  }
}

// fn() once, `ms` after the first of a burst of events accepted by `accept(name, data)`: a
// page refetches what it shows at most that often, and never misses the last change.
export function onEventSettled(accept, ms, fn) {
  let timer = null
  const stop = onEvent((name, data) => {
    if (timer || !accept(name, data)) return
    timer = setTimeout(() => {
      timer = null
      fn()
    }, ms)
  })
  return () => {
    stop()
    clearTimeout(timer)
  }
}

export function startEvents() {
  if (source || typeof EventSource === 'undefined') return
  source = new EventSource('/api/v1/events')
  source.onopen = () => (live.connected = true)
  source.onerror = () => {
    live.connected = false
    // The browser reconnects by itself; after a logout (401) it gives up (CLOSED).
  }
  for (const name of ['report', 'record', 'sync', 'changed']) source.addEventListener(name, (ev) => dispatch(name, ev))
}

export function stopEvents() {
  if (source) source.close()
  source = null
  live.connected = false
}
