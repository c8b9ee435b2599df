/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Served by Tauri from ui/dist; `npm run dev` is only for working on layout in a browser,
// where commands cannot be invoked.
export default defineConfig({
  plugins: [vue()],
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
    // No manualChunks for Element Plus: putting it in a chunk of its own kept the whole library
    // (about 1 MB), even the parts src/plugins/elementPlus.ts does not import. Left to Rollup, only
    // the registered components stay, and they land in the entry chunk with Vue, the router and
    // i18n: about 0.8 MB, loaded from disk.
    chunkSizeWarningLimit: 900,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
