import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Before App and the router, so Element Plus's CSS comes ahead of the app's own styles.
import { elementPlus } from './plugins/elementPlus'
import App from './App.vue'
import { i18n } from './locales'
import { router } from './router'
import './style.css'
import { markStartup } from './utils/startup'

markStartup('script')

createApp(App).use(createPinia()).use(i18n).use(elementPlus).use(router).mount('#app')
