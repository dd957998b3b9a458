// Vite build + Vitest configuration for the Easy Chat SPA.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const srcDir = decodeURIComponent(new URL('./src', import.meta.url).pathname);

export default defineConfig({
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@': srcDir } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2020',
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` against a locally running stack (lighttpd on :8080).
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    watch: false,
  },
});
