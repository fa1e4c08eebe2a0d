// Juniper Canopy dashboard entry: builds the stores, sockets and UI, wires frames to stores, loads the documents,
// and mounts the tabs. Everything after load is pushed over /ws/training.
import "uplot/dist/uPlot.min.css"
import "./styles/main.css"
import type { AppContext } from "./app/context.js"
import { loadAll } from "./app/load.js"
import { wireFrames } from "./app/wire.js"
import { createControls } from "./chrome/controls.js"
import { createHeader } from "./chrome/header.js"
import { createNetworkInfo } from "./chrome/network-info.js"
import { createStatusBar } from "./chrome/status-bar.js"
import { TabBar } from "./chrome/tab-bar.js"
import { Theme } from "./chrome/theme.js"
import { Toasts } from "./chrome/toasts.js"
import { showWelcomeOnce } from "./chrome/welcome.js"
import { createWsBadge } from "./chrome/ws-badge.js"
import { createParamsForm } from "./params/sidebar-form.js"
import "./perf/instrument.js"
import { CandidateStore } from "./store/candidate-store.js"
import { EvolutionStore } from "./store/evolution-store.js"
import { MetricsStore } from "./store/metrics-store.js"
import { ParamsStore } from "./store/params-store.js"
import { StatusStore } from "./store/status-store.js"
import { TopologyStore } from "./store/topology-store.js"
import { createAboutTab } from "./tabs/about-tab.js"
import { createBoundaryTab } from "./tabs/boundary-tab.js"
import { createCandidatesTab } from "./tabs/candidates-tab.js"
import { createDatasetTab } from "./tabs/dataset-tab.js"
import { createEvolutionTab } from "./tabs/evolution-tab.js"
import { createMetricsTab } from "./tabs/metrics-tab.js"
import { createParametersTab } from "./tabs/parameters-tab.js"
import { createSnapshotsTab } from "./tabs/snapshots-tab.js"
import { createTopologyTab } from "./tabs/topology-tab.js"
import { createWorkersTab } from "./tabs/workers-tab.js"
import { h } from "./util/dom.js"
import { Emitter } from "./util/emitter.js"
import { ControlSocket } from "./ws/control-socket.js"
import { TrainingSocket } from "./ws/training-socket.js"

const boot = (): void => {
  const root = document.getElementById("app")
  if (!root) return
  const ctx: AppContext = {
    socket: new TrainingSocket(),
    control: new ControlSocket(),
    status: new StatusStore(),
    metrics: new MetricsStore(),
    topology: new TopologyStore(),
    candidates: new CandidateStore(),
    evolution: new EvolutionStore(),
    params: new ParamsStore(),
    theme: new Theme(),
    toasts: new Toasts(),
    streamHealth: new Emitter(),
    cascade: new Emitter(),
    reloaded: new Emitter()
  }
  wireFrames(ctx)

  const tabs = [
    createMetricsTab(ctx),
    createCandidatesTab(ctx),
    createTopologyTab(ctx),
    createEvolutionTab(ctx),
    createBoundaryTab(ctx),
    createDatasetTab(ctx),
    createWorkersTab(ctx),
    createParametersTab(ctx),
    createSnapshotsTab(ctx),
    createAboutTab(ctx)
  ]
  const tabBar = new TabBar(tabs)
  const form = createParamsForm(ctx)
  const sidebar = h("aside", { class: "sidebar", aria: { label: "Controls and parameters" } }, createControls(ctx), ...form.sections.values(), form.applyArea, createNetworkInfo(ctx))
  // Sidebar sections follow the active tab; Training Controls are always visible.
  tabBar.changed.subscribe((tab) => {
    for (const [group, section] of form.sections) section.hidden = !tab.sidebar.includes(group)
    form.applyArea.hidden = tab.sidebar.length === 0
    main.dataset["tab"] = tab.id
  })
  const main = h("main", { class: "content" }, tabBar.el, tabBar.panels)
  root.replaceChildren(
    createHeader(ctx.theme, createWsBadge(ctx)),
    createStatusBar(ctx),
    h("div", { class: "layout" }, sidebar, main),
    ctx.toasts.el
  )
  tabBar.mount()
  ctx.socket.start()
  ctx.control.start()
  void loadAll(ctx).then(() => (document.body.dataset["loaded"] = "true"))
  showWelcomeOnce()
}

boot()
