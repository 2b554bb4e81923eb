// Draws the two Teams app icons with no image tools: a shield with a check mark.
//   manifest/color.png    192x192, full colour (accent background, white shield, accent tick)
//   manifest/outline.png   32x32, white shield outline and tick on a transparent background
// Run once with `npx tsx scripts/make-icons.ts`; the PNGs are committed.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { encodePng, readPngInfo, type RgbaImage } from "../manifest/png";

/** Keep in step with accentColor in manifest/manifest.template.json. */
export const ACCENT = { r: 0x1b, g: 0x6e, b: 0x7e };

type Shape = (x: number, y: number) => boolean; // unit square coordinates, y down

/** Shield: flat top, straight sides, sides curving in to a point at the bottom. */
function shield(cx: number, top: number, halfWidth: number, shoulder: number, bottom: number): Shape {
  return (x, y) => {
    if (y < top || y > bottom) return false;
    const dx = Math.abs(x - cx);
    if (y <= shoulder) return dx <= halfWidth;
    const t = (y - shoulder) / (bottom - shoulder);
    return dx <= halfWidth * (1 - t * t);
  };
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

function tick(halfStroke: number): Shape {
  const a = [0.355, 0.5] as const;
  const b = [0.46, 0.615] as const;
  const c = [0.655, 0.385] as const;
  return (x, y) =>
    segmentDistance(x, y, a[0], a[1], b[0], b[1]) <= halfStroke || segmentDistance(x, y, b[0], b[1], c[0], c[1]) <= halfStroke;
}

const outerShield = shield(0.5, 0.14, 0.31, 0.46, 0.88);

/** Fraction of the pixel (px, py) covered by the shape, 4x4 supersampled. */
function coverage(shape: Shape, px: number, py: number, size: number): number {
  const n = 4;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (shape((px + (i + 0.5) / n) / size, (py + (j + 0.5) / n) / size)) hits++;
    }
  }
  return hits / (n * n);
}

function colourIcon(size: number): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  const mark = tick(0.045);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // background accent, then white shield over it, then accent tick over the shield
      const s = coverage(outerShield, x, y, size);
      const k = coverage(mark, x, y, size) * s;
      const white = s - k;
      const i = (y * size + x) * 4;
      data[i] = Math.round(ACCENT.r * (1 - white) + 255 * white);
      data[i + 1] = Math.round(ACCENT.g * (1 - white) + 255 * white);
      data[i + 2] = Math.round(ACCENT.b * (1 - white) + 255 * white);
      data[i + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

function outlineIcon(size: number): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  const stroke = 2.2 / size; // about two pixels wide at 32x32
  const inner = shield(0.5, 0.14 + stroke, 0.31 - stroke, 0.46, 0.88 - stroke * 1.6);
  const ring: Shape = (x, y) => outerShield(x, y) && !inner(x, y);
  const mark = tick(stroke / 2 + 0.012);
  const both: Shape = (x, y) => ring(x, y) || mark(x, y);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 255; // white everywhere; only alpha varies
      data[i + 3] = Math.round(coverage(both, x, y, size) * 255);
    }
  }
  return { width: size, height: size, data };
}

function write(name: string, image: RgbaImage): void {
  const path = fileURLToPath(new URL(`../manifest/${name}`, import.meta.url));
  const png = encodePng(image);
  writeFileSync(path, png);
  const info = readPngInfo(png);
  if (info.width !== image.width || info.height !== image.height) {
    throw new Error(`${name}: IHDR says ${info.width}x${info.height}, expected ${image.width}x${image.height}`);
  }
  console.log(`${path}: ${info.width}x${info.height}, ${png.length} bytes`);
}

write("color.png", colourIcon(192));
write("outline.png", outlineIcon(32));
