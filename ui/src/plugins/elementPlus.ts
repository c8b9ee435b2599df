// Owns the app-wide Element Plus setup: the zh-CN locale, and the message services. Components,
// the v-loading directive and their CSS are imported by each file that uses them, at build time
// (unplugin-vue-components, see vite.config.ts). ElMessage and ElMessageBox are imported where they
// are called; they are installed here only so they pick up the app context (locale, z-index), as
// the full install did, and their CSS is loaded here because no template names them.
import type { App } from 'vue'
import { ElMessage, ElMessageBox, provideGlobalConfig } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'

import 'element-plus/theme-chalk/base.css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'

export const elementPlus = {
  install(app: App) {
    app.use(ElMessage).use(ElMessageBox)
    // What `app.use(ElementPlus, { locale: zhCn })` did: the config goes on the app, and is also the
    // global fallback for anything rendered outside it.
    provideGlobalConfig({ locale: zhCn }, app, true)
  },
}
