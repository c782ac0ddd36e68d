/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API server the dev and preview servers forward /api to.
// HANNUN_API overrides it, e.g. HANNUN_API=http://127.0.0.1:8080 npm run dev
const api = process.env.HANNUN_API || 'http://127.0.0.1:8090';
const proxy = { '/api': { target: api, changeOrigin: true } };

export default defineConfig({
  base: '/',
  plugins: [react()],
  server: { port: 5173, proxy },
  preview: { port: 8091, proxy },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    reportCompressedSize: true,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'templates/**/*.test.ts'],
  },
});
