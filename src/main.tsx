import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import { appCache } from "./lib/cache";
import { prewarmLayerWorkers } from "./lib/layers/jobs";
import { parseUrlState } from "./lib/urlState";
import { createQueryClient } from "./lib/queryClient";
import "./styles.css";

const queryClient = createQueryClient();
// Before the first render: the persistent cache starts opening (documents and layers are looked
// up there before the network; opening IndexedDB takes ~100-300 ms in a fresh profile).
appCache();
// A deep link to an image: its layer workers start loading now, beside the app's own start.
if (parseUrlState(window.location.search).image !== undefined) prewarmLayerWorkers();
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
