// Hash routes (/#/children): the node answers index.html for every path outside /api/.
import { createRouter, createWebHashHistory } from 'vue-router'
import { session, loadMe, setUnauthorizedHandler } from './api'
import { homeFor } from './nav'

const routes = [
  { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
  // Before login the bare address goes to the login page (no `next`), so that the person lands on
  // their own home page afterwards.
  { path: '/', redirect: () => (session.user ? homeFor(session.user) : '/login') },
  { path: '/dashboard', component: () => import('./views/Dashboard.vue') },
  { path: '/children', component: () => import('./views/Children.vue') },
  { path: '/children/new', component: () => import('./views/ChildNew.vue') },
  { path: '/children/:id', component: () => import('./views/RecordDetail.vue'), props: (r) => ({ type: 'child', id: r.params.id }) },
  { path: '/family-care', component: () => import('./views/FamilyCare.vue') },
  { path: '/study-aid', component: () => import('./views/StudyAid.vue') },
  { path: '/reports', component: () => import('./views/Reports.vue') },
  { path: '/reports/new', component: () => import('./views/ReportNew.vue') },
  { path: '/reports/:id', component: () => import('./views/ReportDetail.vue'), props: true },
  { path: '/records/:type', component: () => import('./views/RecordListPage.vue'), props: true },
  { path: '/records/:type/new', component: () => import('./views/RecordNew.vue'), props: true },
  { path: '/records/:type/:id', component: () => import('./views/RecordDetail.vue'), props: true },
  { path: '/sync', component: () => import('./views/SyncStatus.vue') },
  { path: '/exports', component: () => import('./views/Exports.vue') },
  { path: '/audit', component: () => import('./views/Audit.vue') },
  { path: '/users', component: () => import('./views/Users.vue') },
  { path: '/inspection', component: () => import('./views/Inspection.vue') },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  if (!session.checked) {
    try {
      await loadMe()
    } catch {
      // The node did not answer: let the page show the error (App.vue shows it too).
    }
  }
  if (!to.meta.public && !session.user) return { path: '/login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.path === '/login' && session.user) return homeFor(session.user)
})

setUnauthorizedHandler(() => {
  session.user = null
  const cur = router.currentRoute.value
  if (!cur.meta.public) router.replace({ path: '/login', query: { next: cur.fullPath } })
})
