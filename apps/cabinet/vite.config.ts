import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** In development (`npm run dev -w @kopilka/cabinet`) the API comes from a running server. */
const api = process.env.KOPILKA_API ?? "http://127.0.0.1:8080";
const proxied = ["/admin", "/v1", "/docs", "/openapi.json", "/health", "/metrics"];

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Recharts reads elements with react-is, which must be React's own version (19); npm hoists an older
    // one (for prop-types) to the root, where recharts would find it.
    dedupe: ["react-is"],
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: api, changeOrigin: false }])),
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // Libraries change less often than the cabinet: their own chunks stay cached across deploys.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: "mantine", test: /node_modules[\\/]@mantine[\\/](core|hooks)[\\/]/ },
            { name: "libs", test: /node_modules[\\/](@tanstack|i18next|react-i18next|dayjs)[\\/]/ },
            // Only the dashboard draws charts, so this chunk is loaded with it and never on the first visit.
            {
              name: "charts",
              test: /node_modules[\\/](recharts|victory-vendor|d3-[a-z-]+|internmap|@reduxjs|redux|redux-thunk|react-redux|reselect|immer|decimal\.js-light|es-toolkit|eventemitter3|tiny-invariant|react-is)[\\/]/,
            },
          ],
        },
      },
    },
  },
});
