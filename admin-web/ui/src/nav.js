// The side menu by role (the server refuses what a role may not do anyway: this only keeps the
// menu to what the person can use). Roles: docs/programme.md, "Visibility by role".
const STAFF = ['director', 'supervisor', 'town_office', 'city_bureau']
const HANDLERS = [...STAFF, 'auditor']
const ALL = [...HANDLERS, 'counsellor', 'caring_parent']
const KEEPERS = ['town_office', 'city_bureau']

export const MENU = [
  { path: '/dashboard', key: 'menu.dashboard', icon: '▦', roles: HANDLERS },
  { path: '/children', key: 'menu.children', icon: '☺', roles: [...HANDLERS, 'counsellor'] },
  { path: '/children', key: 'menu.myChildren', icon: '☺', roles: ['caring_parent'] },
  { path: '/family-care', key: 'menu.familyCare', icon: '♡', roles: HANDLERS },
  { path: '/family-care', key: 'menu.contacts', icon: '♡', roles: ['caring_parent'] },
  { path: '/records/activity', key: 'menu.activities', icon: '★', roles: HANDLERS },
  { path: '/records/counselling', key: 'menu.counselling', icon: '✎', roles: [...HANDLERS, 'counsellor'] },
  { path: '/study-aid', key: 'menu.studyAid', icon: '✦', roles: HANDLERS },
  { path: '/reports', key: 'menu.reports', icon: '!', roles: [...HANDLERS, 'counsellor'] },
  { path: '/records/organisation', key: 'menu.organisation', icon: '◇', roles: HANDLERS },
  { path: '/records/training', key: 'menu.training', icon: '◈', roles: HANDLERS },
  { path: '/records/meeting', key: 'menu.meeting', icon: '◎', roles: HANDLERS },
  { path: '/inspection', key: 'menu.inspection', icon: '✓', roles: [...KEEPERS, 'supervisor', 'auditor'], levels: ['town', 'city'] },
  { path: '/exports', key: 'menu.exports', icon: '⇩', roles: HANDLERS },
  { path: '/sync', key: 'menu.sync', icon: '⇅', roles: ALL.filter((r) => r !== 'caring_parent') },
  { path: '/audit', key: 'menu.audit', icon: '≡', roles: [...KEEPERS, 'auditor', 'supervisor'] },
  { path: '/users', key: 'menu.users', icon: '☰', roles: KEEPERS },
]

export function levelOf(unit) {
  const n = (unit || '').split('/').filter(Boolean).length
  return n <= 1 ? 'city' : n === 2 ? 'town' : 'village'
}

export function menuFor(user) {
  if (!user) return []
  const level = levelOf(user.unit)
  return MENU.filter((m) => m.roles.includes(user.role) && (!m.levels || m.levels.includes(level)))
}

export function homeFor(user) {
  const m = menuFor(user)
  return m.length ? m[0].path : '/children'
}

export const mayFileReports = (user) => !!user && [...STAFF, 'counsellor'].includes(user.role)
export const mayAcknowledge = (user) => !!user && ['supervisor', 'town_office', 'city_bureau'].includes(user.role)
export const mayWrite = (user, type) => {
  if (!user) return false
  const r = user.role
  if (['report', 'help_request'].includes(type)) return mayFileReports(user)
  if (type === 'counselling') return r === 'counsellor'
  if (type === 'contact') return STAFF.includes(r) || r === 'caring_parent'
  if (['training', 'organisation', 'meeting', 'facility', 'staff_post'].includes(type))
    return ['supervisor', ...KEEPERS].includes(r)
  if (['inspection', 'correction', 'fund'].includes(type)) return KEEPERS.includes(r)
  return STAFF.includes(r)
}
