import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { installElement } from './element'
import './style.css'

const app = createApp(App)
app.use(i18n)
app.use(router)
installElement(app)
app.config.errorHandler = (err) => {
  // Never a blank page: the page shows its own error; this only keeps a trace.
  console.error(err)
}
app.mount('#app')
