import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** In development (`npm run dev -w @kopilka/cabinet`) the API comes from a running server. */
const api = process.env.KOPILKA_API ?? "http://127.0.0.1:8080";
const proxied = ["/admin", "/v1", "/docs", "/openapi.json", "/health", "/metrics"];

export default defineConfig({
  plugins: [react()],
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
          ],
        },
      },
    },
  },
});
