/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Served by Tauri from ui/dist; `npm run dev` is only for working on layout in a browser,
// where commands cannot be invoked.
export default defineConfig({
  // Each `<el-xxx>` tag and `v-loading` is imported, with its CSS, by the file that uses it: the
  // first chunk carries only what the frame and the due list render, the other pages' components
  // load with their pages, and a tag can no longer be forgotten in a list of registrations.
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })], dts: false })],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    // No manualChunks for Element Plus: a chunk of its own kept the whole library (about 1 MB).
    chunkSizeWarningLimit: 900,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
