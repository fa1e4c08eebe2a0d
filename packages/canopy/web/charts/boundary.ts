// Decision boundary: the class grid (Viridis by class index, shaded by confidence when the grid holds
// probabilities) drawn as one image under the dataset scatter.
import type { DecisionBoundary } from "../api/types.js"
import { chartTheme, viridis } from "./palette.js"
import { drawPoints, PlotCanvas, type ScatterPoint } from "./plot-canvas.js"

export class BoundaryPlot {
  readonly plot = new PlotCanvas("boundary-canvas", 0.8)

  draw(b: DecisionBoundary, points: ReadonlyArray<ScatterPoint>): boolean {
    const Z = b.Z ?? []
    const rows = Z.length
    const cols = Z[0]?.length ?? 0
    if (!rows || !cols) return false
    const xMin = b.x_min ?? b.xx?.[0]?.[0] ?? -1
    const xMax = b.x_max ?? b.xx?.[0]?.[cols - 1] ?? 1
    const yMin = b.y_min ?? b.yy?.[0]?.[0] ?? -1
    const yMax = b.y_max ?? b.yy?.[rows - 1]?.[0] ?? 1
    const t = chartTheme()
    const frame = this.plot.begin({ xMin, xMax, yMin, yMax }, t)
    if (!frame) return false
    const { ctx, px, py, area } = frame
    let zMax = 0
    let fractional = false
    for (const row of Z) for (const v of row) {
      if (v > zMax) zMax = v
      if (!fractional && v % 1 !== 0) fractional = true
    }
    const nClasses = fractional ? 2 : Math.max(2, Math.round(zMax) + 1)
    const img = new ImageData(cols, rows)
    for (let r = 0; r < rows; r++) {
      // Grid row 0 is y_min; image row 0 is the top.
      const src = Z[r]!
      const dst = (rows - 1 - r) * cols
      for (let c = 0; c < cols; c++) {
        const v = src[c] ?? 0
        const cls = fractional ? (v >= 0.5 ? 1 : 0) : Math.round(v)
        const [R, G, B] = viridis(cls / (nClasses - 1))
        // Confidence shading: probabilities near 0.5 fade towards the background.
        const conf = fractional ? Math.min(1, Math.abs(v - 0.5) * 2) : 1
        const o = (dst + c) * 4
        img.data[o] = R
        img.data[o + 1] = G
        img.data[o + 2] = B
        img.data[o + 3] = Math.round(90 + 110 * conf)
      }
    }
    const off = document.createElement("canvas")
    off.width = cols
    off.height = rows
    off.getContext("2d")?.putImageData(img, 0, 0)
    ctx.imageSmoothingEnabled = false
    const x0 = px(xMin), x1 = px(xMax), y0 = py(yMax), y1 = py(yMin)
    ctx.save()
    ctx.beginPath()
    ctx.rect(area.x, area.y, area.w, area.h)
    ctx.clip()
    ctx.drawImage(off, x0, y0, x1 - x0, y1 - y0)
    drawPoints(ctx, points, px, py, t, 3)
    ctx.restore()
    return true
  }
}
